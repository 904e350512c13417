/**
 * What a write reads when it locks its rows (issue 14): the rows' versions, and a snapshot only
 * when the store does not hold the one at that version. Rows come from the recording client of
 * `desks.ts`, so the test sees what the database gave back, not the SQL text. A link (and an unlink) is
 * an `appendAll` of both tickets; a stale store still reads the snapshot it lacks, and the result
 * is the same either way.
 */
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { open, type Ran } from "./desks.js"
import { tempDir } from "./support.js"

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
          yield* desk.helpdesk.link({
            ticket: first.id,
            to: second.id,
            kind: "related",
            by: desk.helpdesk.system.actor("test")
          })
          const held = snapshotRows(desk.ran())
          // Both rows were locked and read, without their snapshots.
          expect(held).toHaveLength(2)
          expect(held.map((row) => [row.summary, row.messages])).toEqual([
            [null, null],
            [null, null]
          ])

          // Another process writes the first ticket: the desk's store no longer holds its snapshot
          // at the stored version, so the write reads it (here through the help desk's load).
          yield* other.helpdesk.note({ ticket: first.id, by: other.helpdesk.system.actor("test"), text: "elsewhere" })
          desk.ran()
          const linked = yield* desk.helpdesk.unlink({
            ticket: first.id,
            to: second.id,
            kind: "related",
            by: desk.helpdesk.system.actor("test")
          })
          expect(linked.messages.map((m) => m.text)).toEqual(["Paper jam on every page.", "elsewhere"])
          expect(snapshotRows(desk.ran()).every((row) => row.summary === null)).toBe(true)
          expect(linked.links).toEqual([])
          const reloaded = yield* other.helpdesk.asSystem("test").get(first.id)
          expect(reloaded.links).toEqual([])
          expect((yield* other.helpdesk.asSystem("test").get(second.id)).links).toEqual([])
        })
      )
    ))
})
