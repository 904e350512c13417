/**
 * Searches on PostgreSQL send their terms as parameters (issue 14): the SQL text is the same for
 * every term, and it is planned with its values (unnamed), so one-off searches neither create a
 * text per term nor take the names of the statements the store runs again and again. Checked on
 * a pool of one connection, whose prepared statements are the server's own list.
 */
import type { Ids } from "@tessera/core"
import { Effect } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import { onePostgresConnection } from "./support.js"

const words = ["quasar", "nebula", "pulsar", "photon", "magnetar", "comet"]

describe("searches on PostgreSQL", () => {
  it("a term is a parameter: many distinct searches leave no statement named after a term", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { connection, store, helpdesk } = yield* onePostgresConnection
          const opened = yield* Effect.forEach(words, (word) =>
            helpdesk.open({
              requester: { email: "jane.sharpe@example.com" },
              subject: `The ${word} console`,
              text: `Our ${word} reports errors.`,
              channel: "email"
            })
          )
          const search = (term: string) =>
            Effect.map(store.tickets.query("acme" as Ids.WorkspaceId, { search: term }), (page) =>
              page.items.map((item) => item.id)
            )
          // Each word found by its own ticket, and 200 words found nowhere, each searched twice.
          for (const [i, word] of words.entries()) {
            for (let round = 0; round < 2; round++) {
              expect(yield* search(word.slice(0, 4 + (round % 2)))).toEqual([opened[i]?.id])
            }
          }
          for (let n = 0; n < 200; n++) {
            for (let round = 0; round < 2; round++) expect(yield* search(`zebra${n}`)).toEqual([])
          }
          const prepared = yield* Effect.promise(() =>
            sql<{ readonly statement: string }>`select statement from pg_prepared_statements`.execute(connection.db)
          )
          const statements = prepared.rows.map((row) => row.statement)
          expect(statements.filter((text) => /zebra|quasar|nebula/.test(text))).toEqual([])
          expect(statements.filter((text) => text.includes("tsquery"))).toEqual([])
          // The store's own statements (its appends) are named as before.
          expect(statements.some((text) => text.startsWith('insert into "events"'))).toBe(true)
          expect(statements.length).toBeLessThan(40)
        })
      )
    ))
})
