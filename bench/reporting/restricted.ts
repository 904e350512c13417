// `restrictedQueue`: the queue ("top 50 unresolved tickets by SLA due") of agents restricted to 3
// of 50 groups (scope "groups") against unrestricted agents' same queue (scope "all"), p99 over
// interleaved samples, on the store bench's cached databases (50 groups, agents `agt_000` to
// `agt_299`). Both go the way an application's read goes: `helpdesk.as(agent).list(query)`,
// where the access policy finds the agent in the directory and the SQL store filters by the
// visibility it computes (`visible` in the store's `Query.ts`), in the statement. On SQLite the
// same statements are also run on better-sqlite3 alone, sampled the same way, for information:
// what the database itself makes of ten agents' own queues against the one shared queue.
import {
  DirectoryStore,
  Helpdesk,
  IdGenerator,
  type Ids,
  MemoryDirectoryStore,
  TicketStore,
  Timers
} from "@tessera/core"
import { Connection, type Database, SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, type Layer } from "effect"
import { type CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from "kysely"
import pg from "pg"
import { percentile } from "../lib/report.js"
import { groupCount, groupId, mainWorkspace } from "../store/data.js"

const unresolved = ["new", "open", "pending", "on_hold"] as const
const queue = { category: [...unresolved], sort: "sla_due", limit: 50 } as const
const AGENTS = 10
const WARMUP = 1000
const SAMPLES = 10000

/** Restricted agent `i`'s three groups: spread over the 50 (their sizes differ: Zipf). */
const groupsOf = (i: number) => [0, 1, 2].map((j) => groupId((i * 7 + j * 17) % groupCount) as Ids.GroupId)
const restrictedAgent = (i: number) => `agt_${String(i * 3).padStart(3, "0")}` as Ids.AgentId
const unrestrictedAgent = (i: number) => `agt_${String(i * 3 + 1).padStart(3, "0")}` as Ids.AgentId

type Service = Helpdesk.Helpdesk["Service"]

/** A help desk on the store's client (the directory in memory: the bench never writes the cached database). */
const helpdeskOn = (db: Kysely<Database.Database>, dialect: "sqlite" | "postgres") =>
  Effect.gen(function* () {
    // The layer never closes the client it is given.
    const store = yield* Effect.all({ tickets: TicketStore.TicketStore, timers: Timers.Timers }).pipe(
      Effect.provide(SqlStore.layer({ db, dialect, migrate: false }))
    )
    const helpdesk = yield* Helpdesk.make({ workspaceId: mainWorkspace as Ids.WorkspaceId }).pipe(
      Effect.provideService(TicketStore.TicketStore, store.tickets),
      Effect.provideService(Timers.Timers, store.timers),
      Effect.provideServiceEffect(DirectoryStore.DirectoryStore, MemoryDirectoryStore.make),
      Effect.provide(IdGenerator.layerTimeOrdered as Layer.Layer<IdGenerator.IdGenerator>)
    )
    for (let g = 0; g < groupCount; g++) {
      yield* helpdesk.saveGroup({ id: groupId(g), name: `Group ${g}` })
    }
    for (let i = 0; i < AGENTS; i++) {
      const r = restrictedAgent(i)
      const u = unrestrictedAgent(i)
      yield* helpdesk.saveAgent({ id: r, name: r, email: `${r}@example.com`, groups: groupsOf(i), scope: "groups" })
      yield* helpdesk.saveAgent({ id: u, name: u, email: `${u}@example.com`, groups: groupsOf(i), scope: "all" })
    }
    return helpdesk as Service
  })

const list = (helpdesk: Service, agent: Ids.AgentId) =>
  Effect.runPromise(helpdesk.as({ _tag: "agent", id: agent }).list(queue))

export interface QueueResult {
  readonly restricted: number
  readonly unrestricted: number
  readonly restrictedSql: string
  readonly plan: string
  /** The same statements' p99 on the driver alone (SQLite), for information. */
  readonly raw?: { readonly restricted: number; readonly unrestricted: number }
}

const p99 = (xs: Array<number>) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    99
  )

/** Samples both queues interleaved on one help desk; every restricted page must be full. */
const sample = async (helpdesk: Service) => {
  const restrictedRuns: Array<number> = []
  const unrestrictedRuns: Array<number> = []
  const runRestricted = async (i: number) => {
    const t = performance.now()
    const page = await list(helpdesk, restrictedAgent(i % AGENTS))
    restrictedRuns.push(performance.now() - t)
    if (page.items.length !== queue.limit) throw new Error(`restrictedQueue: a page of ${page.items.length} tickets`)
  }
  const runUnrestricted = async (i: number) => {
    const t = performance.now()
    await list(helpdesk, unrestrictedAgent(i % AGENTS))
    unrestrictedRuns.push(performance.now() - t)
  }
  for (let i = 0; i < WARMUP; i++) {
    await runRestricted(i)
    await runUnrestricted(i)
  }
  restrictedRuns.length = 0
  unrestrictedRuns.length = 0
  for (let i = 0; i < SAMPLES; i++) {
    if (i % 2 === 0) {
      await runRestricted(i)
      await runUnrestricted(i)
    } else {
      await runUnrestricted(i)
      await runRestricted(i)
    }
  }
  return { restricted: p99(restrictedRuns), unrestricted: p99(unrestrictedRuns) }
}

/** The SQL of each agent's queue, as the store sent it, through a logging client. */
const captured = async (
  db: Kysely<Database.Database>,
  dialect: "sqlite" | "postgres",
  last: Array<CompiledQuery>,
  agents: ReadonlyArray<Ids.AgentId>
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const helpdesk = yield* helpdeskOn(db, dialect)
        const queries: Array<CompiledQuery> = []
        for (const agent of agents) {
          last.length = 0
          yield* helpdesk.as({ _tag: "agent", id: agent }).list(queue)
          const query = last.find((q) => q.sql.includes("tickets") && q.sql.includes("order by"))
          if (query === undefined) throw new Error("restrictedQueue: no SQL captured")
          queries.push(query)
        }
        return queries
      })
    )
  )

/**
 * The same statements on better-sqlite3 alone, each bound to its values once, sampled as the
 * help desk's are (the restricted agents in turn, interleaved with the unrestricted queue): what
 * the database itself makes of the two queues, with no library around it.
 */
const rawSqlite = (
  raw: SqliteDatabase.Database,
  restricted: ReadonlyArray<CompiledQuery>,
  unrestricted: CompiledQuery
) => {
  const bound = (q: CompiledQuery) => raw.prepare(q.sql).bind(...(q.parameters as Array<unknown>))
  const restrictedStatements = restricted.map(bound)
  const unrestrictedStatement = bound(unrestricted)
  const restrictedRuns: Array<number> = []
  const unrestrictedRuns: Array<number> = []
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    let t = performance.now()
    restrictedStatements[i % restrictedStatements.length]?.all()
    if (i >= WARMUP) restrictedRuns.push(performance.now() - t)
    t = performance.now()
    unrestrictedStatement.all()
    if (i >= WARMUP) unrestrictedRuns.push(performance.now() - t)
  }
  return { restricted: p99(restrictedRuns), unrestricted: p99(unrestrictedRuns) }
}

export const restrictedQueueSqlite = async (path: string): Promise<QueueResult> => {
  const measured = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* Connection.scoped(`sqlite:${path}`)
        const helpdesk = yield* helpdeskOn(connection.db, "sqlite")
        return yield* Effect.promise(() => sample(helpdesk))
      })
    )
  )
  const last: Array<CompiledQuery> = []
  const raw = new SqliteDatabase(path, { readonly: true })
  const logging = new Kysely<Database.Database>({
    dialect: new SqliteDialect({ database: new SqliteDatabase(path, { readonly: true }) }),
    log: (event) => {
      last.push(event.query)
    }
  })
  try {
    const agents = Array.from({ length: AGENTS }, (_, i) => restrictedAgent(i))
    const queries = await captured(logging, "sqlite", last, [...agents, unrestrictedAgent(0)])
    const query = queries[0] as CompiledQuery
    const plan = (raw.prepare(`explain query plan ${query.sql}`).all(...query.parameters) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join("\n")
    const alone = rawSqlite(raw, queries.slice(0, AGENTS), queries[AGENTS] as CompiledQuery)
    return { ...measured, restrictedSql: query.sql, plan, raw: alone }
  } finally {
    await logging.destroy()
    raw.close()
  }
}

export const restrictedQueuePostgres = async (url: string): Promise<QueueResult> => {
  const measured = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* Connection.scoped(url)
        const helpdesk = yield* helpdeskOn(connection.db, "postgres")
        return yield* Effect.promise(() => sample(helpdesk))
      })
    )
  )
  const last: Array<CompiledQuery> = []
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  const logging = new Kysely<Database.Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      last.push(event.query)
    }
  })
  try {
    const [query] = (await captured(logging, "postgres", last, [restrictedAgent(0)])) as [CompiledQuery]
    const explained = await pool.query(`explain (analyze, costs off) ${query.sql}`, [...query.parameters])
    const plan = explained.rows.map((r) => r["QUERY PLAN"]).join("\n")
    return { ...measured, restrictedSql: query.sql, plan }
  } finally {
    await logging.destroy()
  }
}
