// Query latency at 1,000,000 tickets through the store's own `query` (the adapter's SQL, its
// decoding of summaries), against the same question asked by hand-written SQL on the raw driver.
// The adapter's SQL is also captured (a logging kysely client) and EXPLAINed. SQLite and
// PostgreSQL here; MariaDB/MySQL in latencyMysql.ts, on the same sampling.
import { IdGenerator, type Ids, TicketQuery, TicketStore } from "@tessera/core"
import { type Database, SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { type CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from "kysely"
import pg from "pg"
import { prng as rng } from "../lib/random.js"
import { percentile, type Timing } from "../lib/report.js"
import { groupCount, groupId, mainWorkspace, searchWords } from "./data.js"

export interface LatencyOptions {
  readonly queueSamples: number
  readonly searchSamples: number
}

export interface LatencyResult {
  readonly queue: Timing
  readonly queueRaw: Timing
  readonly search: Timing
  readonly searchCommon: Timing
  readonly searchRare: Timing
  readonly searchRaw: Timing
  /** Average rows per page (queue, search), so an empty result cannot pass for a fast one. */
  readonly queueRows: number
  readonly searchRows: number
  readonly explain: ReadonlyArray<{ readonly name: string; readonly sql: string; readonly plan: string }>
  /** Pairs sampled again after a failure `Raw.transient` calls the server's, not the store's. */
  readonly retried: number
  readonly queueUsesIndex: boolean
}

const decodeQuery = Schema.decodeUnknownSync(TicketQuery.TicketQuery)
const unresolved = ["new", "open", "pending", "on_hold"] as const
const ws = mainWorkspace as Ids.WorkspaceId

export const queueQuery = (g: number) =>
  decodeQuery({ group: groupId(g), category: [...unresolved], sort: "sla_due", limit: 50 })

/** Search strings: common words, rare words, and pairs, in a fixed shuffled order. */
const searchStrings = (n: number): Array<{ readonly text: string; readonly kind: "common" | "rare" }> => {
  const random = rng(99)
  const pick = (xs: ReadonlyArray<string>) => xs[Math.floor(random() * xs.length)] as string
  const out: Array<{ text: string; kind: "common" | "rare" }> = []
  for (let i = 0; i < n; i++) {
    switch (i % 4) {
      case 0:
        out.push({ text: pick(searchWords.common), kind: "common" })
        break
      case 1:
        out.push({ text: `${pick(searchWords.common)} ${pick(searchWords.common)}`, kind: "common" })
        break
      case 2:
        out.push({ text: pick(searchWords.rare), kind: "rare" })
        break
      default:
        out.push({ text: `${pick(searchWords.common)} ${pick(searchWords.rare)}`, kind: "rare" })
    }
  }
  return out
}

/**
 * The hand-written equivalents, for the raw-driver baseline. A search has one statement per
 * number of terms: every term must prefix-match some text of the ticket (not necessarily the same
 * one). SQLite: the tickets come straight from the FTS5 index, the intersection of each term's
 * matching tickets (a text's key is `num * 2^24 + n`), then the page is sorted. PostgreSQL: one
 * `exists` per term on the ticket's texts, with the GIN-indexed tsvector, leaving the planner to
 * choose between walking `tickets_created` and collecting the index's matches.
 */
const rawSql = (dialect: "sqlite" | "postgres") => {
  const p = (i: number) => (dialect === "sqlite" ? "?" : `$${i}`)
  const queue = `select id, version, summary, sla_due_at from tickets
    where workspace_id = ${p(1)} and group_id = ${p(2)} and category in ('new', 'open', 'pending', 'on_hold')
    order by (sla_due_at is null), sla_due_at, id limit 51`
  const search = (terms: number): string => {
    const each = Array.from({ length: terms }, (_, i) => i)
    return dialect === "sqlite"
      ? `select id, version, summary, sla_due_at from tickets
         where workspace_id = ? and num in (${each
           .map(() => "select rowid / 16777216 from ticket_texts_fts where ticket_texts_fts match ?")
           .join(" intersect ")})
         order by created_at, id limit 51`
      : `select id, version, summary, sla_due_at from tickets
         where workspace_id = $1 and ${each
           .map(
             (i) =>
               `exists (select 1 from ticket_texts x where x.ticket_id = tickets.id and x.search @@ cast($${i + 2} as tsquery))`
           )
           .join(" and ")}
         order by created_at, id limit 51`
  }
  const terms = (text: string): ReadonlyArray<string> =>
    TicketQuery.searchTerms(text).map((t) => (dialect === "sqlite" ? `"${t}"*` : `'${t}':*`))
  return { queue, search, terms }
}

type Store = TicketStore.TicketStore["Service"]

/** The hand-written baseline of each question, on the raw driver. */
export interface Raw {
  readonly queue: (group: string) => unknown
  readonly search: (terms: ReadonlyArray<string>) => unknown
  /** A search's text as the raw statement's parameters, one per term. */
  readonly terms: (text: string) => ReadonlyArray<string>
  /**
   * Whether a failure (of either side) is the server's environment, not the store's or the
   * statement's: the pair is then sampled again, at most twice, and counted in `retried`.
   */
  readonly transient?: (error: unknown) => boolean
}

export const storeRuntime = (url: string) =>
  ManagedRuntime.make(Layer.mergeAll(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered))

export const getStore = Effect.gen(function* () {
  return yield* TicketStore.TicketStore
})

/**
 * Samples the store and the raw baseline interleaved, one of each per step (in alternating
 * order), so that both see the same machine: other processes' noise lands on both alike.
 */
export const measure = async (
  store: Store,
  raw: Raw,
  options: LatencyOptions
): Promise<Omit<LatencyResult, "explain" | "queueUsesIndex">> => {
  const timed = async (fn: () => unknown): Promise<number> => {
    const t0 = performance.now()
    await fn()
    return performance.now() - t0
  }
  const once = async (i: number, viaStore: () => Promise<number>, viaRaw: () => unknown) => {
    let items = 0
    const store = () => viaStore().then((n) => (items = n))
    if (i % 2 === 0) {
      const s = await timed(store)
      return [s, await timed(viaRaw), items] as const
    }
    const r = await timed(viaRaw)
    return [await timed(store), r, items] as const
  }
  /** One pair: the store's time, the raw time, the store's page size; sampled again after a `transient` failure. */
  const pair = async (i: number, viaStore: () => Promise<number>, viaRaw: () => unknown) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(i, viaStore, viaRaw)
      } catch (error) {
        if (attempt >= 3 || raw.transient?.(error) !== true) throw error
        retried += 1
        progress(`pair ${i} sampled again after the server failed: ${String((error as Error).message).slice(0, 160)}`)
      }
    }
  }
  let retried = 0
  const started = performance.now()
  const queries = Array.from({ length: groupCount }, (_, g) => queueQuery(g))
  const random = rng(5)
  const queueWarmup = 200
  const queueStore: Array<number> = []
  const queueRaw: Array<number> = []
  let rows = 0
  for (let i = 0; i < queueWarmup + options.queueSamples; i++) {
    const g = Math.floor(random() * groupCount)
    const [s, r, items] = await pair(
      i,
      async () => (await Effect.runPromise(store.query(ws, queries[g] as TicketQuery.TicketQuery))).items.length,
      () => raw.queue(groupId(g))
    )
    if (i >= queueWarmup) {
      rows += items
      queueStore.push(s)
      queueRaw.push(r)
    }
  }
  const queueRows = rows / options.queueSamples
  progress(`queue: ${queueWarmup + options.queueSamples} pairs in ${seconds(started)}`)
  const searchWarmup = 50
  const strings = searchStrings(searchWarmup + options.searchSamples)
  const searchStore: Array<number> = []
  const searchRaw: Array<number> = []
  const byKind = { common: [] as Array<number>, rare: [] as Array<number> }
  rows = 0
  for (let i = 0; i < strings.length; i++) {
    const { text, kind } = strings[i] as (typeof strings)[number]
    const query = decodeQuery({ search: text, limit: 50 })
    const [s, r, items] = await pair(
      i,
      async () => (await Effect.runPromise(store.query(ws, query))).items.length,
      () => raw.search(raw.terms(text))
    )
    if (i >= searchWarmup) {
      rows += items
      searchStore.push(s)
      searchRaw.push(r)
      byKind[kind].push(s)
    }
  }
  progress(`search: ${strings.length} pairs, done after ${seconds(started)}`)
  return {
    queue: summarize(queueStore),
    queueRaw: summarize(queueRaw),
    queueRows,
    search: summarize(searchStore),
    searchRaw: summarize(searchRaw),
    searchRows: rows / options.searchSamples,
    searchCommon: summarize(byKind.common),
    searchRare: summarize(byKind.rare),
    retried
  }
}

const progress = (message: string) => process.stderr.write(`[bench store] latency: ${message}\n`)
const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(0)} s`

export const summarize = (samples: Array<number>): Timing => {
  samples.sort((a, b) => a - b)
  return {
    samples,
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    min: percentile(samples, 0),
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: percentile(samples, 100)
  }
}

/**
 * The searches whose SQL is shown and EXPLAINed: a common word, a rare one, a pair, and two common
 * words that seldom meet (the first tickets in order hold no page of them: the store's last resort).
 */
export const explainedSearches = (): ReadonlyArray<{ readonly name: string; readonly text: string }> => [
  { name: "search (common word)", text: searchWords.common[0] as string },
  { name: "search (rare word)", text: searchWords.rare[0] as string },
  { name: "search (common + rare)", text: `${searchWords.common[1]} ${searchWords.rare[1]}` },
  { name: "search (two common words)", text: `${searchWords.common[6]} ${searchWords.common[8]}` }
]

/** Runs one queue query and the explained searches through a logging client: the adapter's SQL. */
export const captureSql = async (
  db: Kysely<Database.Database>,
  dialect: "sqlite" | "postgres" | "mysql",
  captured: Array<CompiledQuery>
) => {
  // The layer never closes the client it is given, so the store outlives `provide`.
  const store = await Effect.runPromise(getStore.pipe(Effect.provide(SqlStore.layer({ db, dialect, migrate: false }))))
  captured.length = 0
  await Effect.runPromise(store.query(ws, queueQuery(7)))
  const queueSql = captured[captured.length - 1]
  const searchSqls: Array<{ name: string; text: string; query: CompiledQuery }> = []
  for (const { name, text } of explainedSearches()) {
    await Effect.runPromise(store.query(ws, decodeQuery({ search: text, limit: 50 })))
    const query = captured[captured.length - 1]
    if (query === undefined) throw new Error("latency bench: no SQL captured")
    searchSqls.push({ name, text, query })
  }
  if (queueSql === undefined) throw new Error("latency bench: no SQL captured")
  return { queueSql, searchSqls }
}

export const latencySqlite = async (path: string, options: LatencyOptions): Promise<LatencyResult> => {
  const runtime = storeRuntime(`sqlite:${path}`)
  // The baseline and EXPLAIN on a second connection to the same file.
  const raw = new SqliteDatabase(path, { readonly: true })
  try {
    const store = await runtime.runPromise(getStore)
    const sqls = rawSql("sqlite")
    const queueStmt = raw.prepare(sqls.queue)
    const searchStmts = new Map<number, SqliteDatabase.Statement>()
    const searchStmt = (terms: number) => {
      let stmt = searchStmts.get(terms)
      if (stmt === undefined) {
        stmt = raw.prepare(sqls.search(terms))
        searchStmts.set(terms, stmt)
      }
      return stmt
    }
    const measured = await measure(
      store,
      {
        queue: (group) => queueStmt.all(mainWorkspace, group),
        search: (terms) => searchStmt(terms.length).all(mainWorkspace, ...terms),
        terms: sqls.terms
      },
      options
    )
    const captured: Array<CompiledQuery> = []
    const logging = new Kysely<Database.Database>({
      dialect: new SqliteDialect({ database: new SqliteDatabase(path, { readonly: true }) }),
      log: (event) => {
        captured.push(event.query)
      }
    })
    const { queueSql, searchSqls } = await captureSql(logging, "sqlite", captured)
    await logging.destroy()
    const plan = (q: { readonly sql: string; readonly parameters: ReadonlyArray<unknown> }) =>
      (raw.prepare(`explain query plan ${q.sql}`).all(...q.parameters) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("\n")
    const queuePlan = plan(queueSql)
    const rawSearch = (text: string) => {
      const terms = sqls.terms(text)
      return { sql: sqls.search(terms.length), parameters: [mainWorkspace, ...terms] }
    }
    return {
      ...measured,
      explain: [
        { name: "queue", sql: queueSql.sql, plan: queuePlan },
        ...searchSqls.map((s) => ({ name: s.name, sql: s.query.sql, plan: plan(s.query) })),
        ...searchSqls.map((s) => ({
          name: `raw ${s.name}`,
          sql: rawSearch(s.text).sql,
          plan: plan(rawSearch(s.text))
        }))
      ],
      queueUsesIndex: /tickets_group_queue/.test(queuePlan) && !/TEMP B-TREE/.test(queuePlan)
    }
  } finally {
    raw.close()
    await runtime.dispose()
  }
}

export const latencyPostgres = async (url: string, options: LatencyOptions): Promise<LatencyResult> => {
  const runtime = storeRuntime(url)
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  try {
    const store = await runtime.runPromise(getStore)
    const sqls = rawSql("postgres")
    const client = await pool.connect()
    // As the store's connections (Connection.open): no JIT for these short statements.
    await client.query("set jit = off")
    let measured: Awaited<ReturnType<typeof measure>>
    try {
      measured = await measure(
        store,
        {
          queue: (group) => client.query({ name: "bench_queue", text: sqls.queue, values: [mainWorkspace, group] }),
          search: (terms) =>
            client.query({
              name: `bench_search_${terms.length}`,
              text: sqls.search(terms.length),
              values: [mainWorkspace, ...terms]
            }),
          terms: sqls.terms
        },
        options
      )
    } finally {
      client.release()
    }
    const captured: Array<CompiledQuery> = []
    const logging = new Kysely<Database.Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
      log: (event) => {
        captured.push(event.query)
      }
    })
    const { queueSql, searchSqls } = await captureSql(logging, "postgres", captured)
    await logging.destroy()
    const plan = async (q: { readonly sql: string; readonly parameters: ReadonlyArray<unknown> }) =>
      (await pool.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${q.sql}`, [...q.parameters])).rows
        .map((r) => r["QUERY PLAN"])
        .join("\n")
    const queuePlan = await plan(queueSql)
    const explain: Array<{ name: string; sql: string; plan: string }> = [
      { name: "queue", sql: queueSql.sql, plan: queuePlan }
    ]
    for (const s of searchSqls) explain.push({ name: s.name, sql: s.query.sql, plan: await plan(s.query) })
    for (const s of searchSqls) {
      const terms = sqls.terms(s.text)
      const sql = sqls.search(terms.length)
      explain.push({ name: `raw ${s.name}`, sql, plan: await plan({ sql, parameters: [mainWorkspace, ...terms] }) })
    }
    return {
      ...measured,
      explain,
      queueUsesIndex: /tickets_group_queue/.test(queuePlan) && !/\bSort\b/.test(queuePlan)
    }
  } finally {
    await pool.end()
    await runtime.dispose()
  }
}
