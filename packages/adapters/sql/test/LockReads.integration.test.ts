/**
 * What a write reads when it locks its rows (issue 14): the rows' versions, and a snapshot only
 * when the store does not hold the one at that version. Rows come from a recording wrapper of
 * better-sqlite3, so the test sees what the database gave back, not the SQL text. A link (and an unlink) is
 * an `appendAll` of both tickets; a stale store still reads the snapshot it lacks, and the result
 * is the same either way.
 */
import { join } from "node:path"
import { DirectoryStore, Helpdesk, IdGenerator, MemoryDirectoryStore, TicketStore, Timers } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, type Layer, type Scope } from "effect"
import { Kysely, type SqliteDatabase as KyselySqliteDatabase, SqliteDialect } from "kysely"
import { describe, expect, it } from "vitest"
import type { Database } from "../src/Database.js"
import * as Migrations from "../src/Migrations.js"
import { tempDir } from "./support.js"

/** One statement and the rows it gave back. */
interface Ran {
  readonly sql: string
  readonly rows: ReadonlyArray<Record<string, unknown>>
}

/** better-sqlite3 as kysely sees it, recording every statement with its rows in `log`. */
const recording = (file: string, log: Array<Ran>): KyselySqliteDatabase => {
  const database = new SqliteDatabase(file, { timeout: 5000 })
  return {
    close: () => database.close(),
    prepare: (sql) => {
      const statement = database.prepare<Array<unknown>>(sql)
      return {
        reader: statement.reader,
        all: (parameters) => {
          const rows = statement.all(...parameters) as Array<Record<string, unknown>>
          log.push({ sql, rows })
          return rows
        },
        run: (parameters) => {
          log.push({ sql, rows: [] })
          return statement.run(...parameters)
        },
        iterate: (parameters) => statement.iterate(...parameters)
      }
    }
  }
}

interface Desk {
  readonly helpdesk: Helpdesk.Service
  /** The statements this desk's client ran since the last call, with their rows. */
  readonly ran: () => ReadonlyArray<Ran>
}

const open = (file: string): Effect.Effect<Desk, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const log: Array<Ran> = []
    const db = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Kysely<Database>({
            dialect: new SqliteDialect({ database: recording(file, log) })
          })
      ),
      (db) => Effect.promise(() => db.destroy())
    )
    yield* Migrations.migrate(db, "sqlite")
    const store = yield* SqlTicketStore.make({ db, dialect: "sqlite" })
    const helpdesk = yield* Helpdesk.make({ workspaceId: "acme" }).pipe(
      Effect.provideService(TicketStore.TicketStore, store.tickets),
      Effect.provideService(Timers.Timers, store.timers),
      Effect.provideServiceEffect(DirectoryStore.DirectoryStore, MemoryDirectoryStore.make),
      Effect.provide(IdGenerator.layerTimeOrdered as Layer.Layer<IdGenerator.IdGenerator>)
    )
    return {
      helpdesk,
      ran: () => log.splice(0, log.length)
    }
  })

const system = { _tag: "system", reason: "test" } as const

/** Rows that carry a snapshot's columns (`summary` and `messages`), as the row reads of a write give them. */
const snapshotRows = (ran: ReadonlyArray<Ran>) =>
  ran.flatMap((r) => r.rows.filter((row) => "messages" in row && "summary" in row && "sla_due_at" in row))

describe("what a write reads when it locks its rows", () => {
  it("a batch on tickets whose snapshots the store holds reads their versions, not their conversations", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const file = join(yield* tempDir, "locks.db")
          const desk = yield* open(file)
          const other = yield* open(file)
          const [first, second] = yield* Effect.forEach([1, 2], (n) =>
            desk.helpdesk.open({
              requester: { email: "jane.sharpe@example.com" },
              subject: `Printer ${n} jams`,
              text: "Paper jam on every page.",
              channel: "email"
            })
          )
          if (first === undefined || second === undefined) throw new Error("two tickets")
          desk.ran()
          yield* desk.helpdesk.link({ ticket: first.id, to: second.id, kind: "related", by: system })
          const held = snapshotRows(desk.ran())
          // Both rows were locked and read, without their snapshots.
          expect(held).toHaveLength(2)
          expect(held.map((row) => [row.summary, row.messages])).toEqual([
            [null, null],
            [null, null]
          ])

          // Another process writes the first ticket: the desk's store no longer holds its snapshot
          // at the stored version, so the write reads it (here through the help desk's load).
          yield* other.helpdesk.note({ ticket: first.id, by: system, text: "elsewhere" })
          desk.ran()
          const linked = yield* desk.helpdesk.unlink({ ticket: first.id, to: second.id, kind: "related", by: system })
          expect(linked.messages.map((m) => m.text)).toEqual(["Paper jam on every page.", "elsewhere"])
          expect(snapshotRows(desk.ran()).every((row) => row.summary === null)).toBe(true)
          expect(linked.links).toEqual([])
          const reloaded = yield* other.helpdesk.get(first.id)
          expect(reloaded.links).toEqual([])
          expect((yield* other.helpdesk.get(second.id)).links).toEqual([])
        })
      )
    ))
})
