/**
 * Statements the store sends, counted on each help desk's own recording client (`desks.ts`, issue 14).
 * Two help desks on one SQLite file, as two processes would be: when the other one wrote a ticket
 * last, a command costs no more statements than it does with no cache at all (before, the stale
 * state cost a write transaction rolled back, a version read, a reload and the write again). And
 * duplicate suggestions read their candidates in one statement, not one each.
 */
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { type Desk, open as openDesk } from "./desks.js"
import { tempDir } from "./support.js"

/** A help desk on its own client of `file`, with a state cache of `stateCacheSize` tickets. */
const open = (file: string, stateCacheSize: number) => openDesk(file, { stateCacheSize })

/** The SQL of the statements `desk`'s client ran since the last call. */
const statements = (desk: Desk): ReadonlyArray<string> => desk.ran().map((ran) => ran.sql)

describe("statements the SQL store sends", () => {
  it("a ticket another process wrote last costs a command no more statements than with no state cache", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const file = join(yield* tempDir, "shared.db")
          const first = yield* open(file, 1000)
          const cached = yield* open(file, 1000)
          const uncached = yield* open(file, 0)
          const ticket = yield* first.helpdesk.open({
            requester: { email: "jane.sharpe@example.com" },
            subject: "Over-charged for my subscription",
            text: "Hello, I was charged twice this month.",
            channel: "email"
          })
          const note = (desk: Desk, text: string) =>
            desk.helpdesk.note({ ticket: ticket.id, by: desk.helpdesk.system.actor("test"), text })

          // Each desk reads the ticket once, so `cached` remembers it; then `first` writes it.
          yield* note(cached, "cached desk, first note")
          yield* note(uncached, "uncached desk, first note")
          yield* note(first, "the other process writes")
          statements(cached)
          statements(uncached)

          yield* note(cached, "after the other process, with a stale cache")
          const stale = statements(cached)
          yield* note(first, "the other process writes again")
          statements(uncached)
          yield* note(uncached, "after the other process, with no cache")
          const none = statements(uncached)
          // And when nobody else wrote in between, the remembered state is confirmed by one read.
          yield* note(cached, "nobody wrote in between")
          const current = statements(cached)

          console.log(
            `statements per note: stale cache ${stale.length}, no cache ${none.length}, current cache ${current.length}`
          )
          expect(stale.length).toBeLessThanOrEqual(none.length)
          expect(stale.filter((s) => /^\s*rollback/i.test(s))).toEqual([])
          expect(current.length).toBeLessThanOrEqual(none.length)
          const history = yield* first.helpdesk.asSystem("test").history(ticket.id)
          expect(history.filter((e) => e._tag === "NoteAdded")).toHaveLength(7)
        })
      )
    ))

  it("duplicate suggestions read their candidates in one statement", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const file = join(yield* tempDir, "duplicates.db")
          const writer = yield* open(file, 1000)
          const opened = yield* Effect.forEach([1, 2, 3, 4, 5, 6], (n) =>
            writer.helpdesk.open({
              requester: { email: "jane.sharpe@example.com" },
              subject: `VPN disconnects every ${n} minutes`,
              text: "The VPN client drops the connection.",
              channel: "email"
            })
          )
          const reader = yield* open(file, 0)
          statements(reader)
          const suggestions = yield* reader.helpdesk.asSystem("test").suggestDuplicates({ ticket: opened[5]?.id ?? "" })
          const loads = statements(reader).filter((s) => /group_concat/i.test(s))
          console.log(`duplicate suggestions over ${suggestions.length} candidates: ${loads.length} loads`)
          expect(suggestions.length).toBeGreaterThanOrEqual(3)
          // The ticket itself, then every candidate together.
          expect(loads).toHaveLength(2)
        })
      )
    ))
  it("a command's statements are compiled once per shape, not on every command", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const file = join(yield* tempDir, "compiled.db")
          const desk = yield* open(file, 1000)
          const tickets = yield* Effect.forEach([1, 2, 3], (n) =>
            desk.helpdesk.open({
              requester: { email: "jane.sharpe@example.com" },
              subject: `Laptop ${n} will not boot`,
              text: "Black screen after the logo.",
              channel: "email"
            })
          )
          const by = desk.helpdesk.system.actor("test")
          const commands = (round: number) =>
            Effect.forEach(tickets, (ticket, i) =>
              Effect.andThen(
                desk.helpdesk.note({ ticket: ticket.id, by, text: `note ${round}.${i}` }),
                desk.helpdesk.setPriority({ ticket: ticket.id, by, priority: round % 2 === 0 ? "high" : "low" })
              )
            )
          // Warm-up: every shape these commands use is compiled here.
          yield* commands(0)
          yield* commands(1)
          statements(desk)
          desk.compilations()
          for (let round = 2; round < 8; round++) yield* commands(round)
          const ran = statements(desk)
          const compiled = desk.compilations()
          console.log(`${ran.length} statements over 36 commands after warm-up, ${compiled} compiled`)
          expect(ran.length).toBeGreaterThanOrEqual(36 * 4)
          expect(compiled).toBe(0)
          const history = yield* desk.helpdesk.asSystem("test").history(tickets[0]?.id ?? "")
          expect(history.filter((e) => e._tag === "NoteAdded").map((e) => e.message.text)).toContain("note 7.0")
        })
      )
    ))

  it("a first page asked again is compiled once and still answers what the tickets hold now", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const file = join(yield* tempDir, "queue.db")
          const desk = yield* open(file, 1000)
          const opened = (n: number) =>
            desk.helpdesk.open({
              requester: { email: "jane.sharpe@example.com" },
              subject: `Invoice ${n} is wrong`,
              text: "Charged twice.",
              channel: "email"
            })
          yield* Effect.forEach([1, 2], opened)
          const queue = { sort: "created", direction: "desc", limit: 10 } as const
          const first = yield* desk.helpdesk.asSystem("test").list(queue)
          desk.compilations()
          yield* opened(3)
          desk.compilations()
          const again = yield* desk.helpdesk.asSystem("test").list(queue)
          const compiledForQueue = desk.compilations()
          const searched = yield* desk.helpdesk.asSystem("test").list({ ...queue, search: "invoice" })
          const compiledForSearch = desk.compilations()
          const searchedAgain = yield* desk.helpdesk.asSystem("test").list({ ...queue, search: "invoice" })
          const compiledForSearchAgain = desk.compilations()
          console.log(
            `first pages after warm-up: queue again ${compiledForQueue} compiled, a new search ${compiledForSearch}, the search again ${compiledForSearchAgain}`
          )
          // The repeated queue compiles nothing; a new search compiles its page (and the count of
          // its term, which is not cached), the same search asked again only that count.
          expect(compiledForQueue).toBe(0)
          expect(compiledForSearch).toBeGreaterThan(compiledForSearchAgain)
          expect(first.items.map((t) => t.subject)).toEqual(["Invoice 2 is wrong", "Invoice 1 is wrong"])
          expect(again.items.map((t) => t.subject)).toEqual([
            "Invoice 3 is wrong",
            "Invoice 2 is wrong",
            "Invoice 1 is wrong"
          ])
          expect(searched.items.map((t) => t.subject)).toEqual(again.items.map((t) => t.subject))
          expect(searchedAgain.items).toEqual(searched.items)
        })
      )
    ))
})
