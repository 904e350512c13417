import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Layer } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { StoreUnavailable } from "../../src/ports/StoreError.js"
import { type AppendRequest, TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { TicketId } from "../../src/values/Ids.js"
import type { Tag } from "../../src/values/Tag.js"

const mary = { _tag: "agent", id: "mary" } as const
const jane = { _tag: "contact", id: "jane" } as const

/** Whether a batch opens a follow-up ticket. */
const opensFollowUp = (batch: ReadonlyArray<AppendRequest>) =>
  batch.some((r) => r.events.some((e) => e._tag === "TicketOpened" && e.followUpOf !== undefined))

/**
 * A help desk over a memory store seen through `wrap`, with Jane's ticket closed (at version 3:
 * opened, solved, closed); `appends` and `batches` record every append and appendAll the help
 * desk asks of the store from then on.
 */
const withClosedTicket = (wrap: (inner: TicketStore["Service"]) => Partial<TicketStore["Service"]> = () => ({})) =>
  Effect.gen(function* () {
    const memory = yield* MemoryTicketStore.makeStore()
    const inner = memory.tickets
    const appends: Array<ReadonlyArray<E.TicketEvent>> = []
    const batches: Array<ReadonlyArray<AppendRequest>> = []
    const wrapped = { ...inner, ...wrap(inner) }
    const store = TicketStore.of({
      ...wrapped,
      append: (ticketId, expectedVersion, events, effects) => {
        appends.push(events)
        return wrapped.append(ticketId, expectedVersion, events, effects)
      },
      appendAll: (batch) => {
        batches.push(batch)
        return wrapped.appendAll(batch)
      }
    })
    const desk = yield* Helpdesk.make({ workspaceId: "acme" }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, store),
          Layer.succeed(Timers, memory.timers),
          MemoryDirectoryStore.layer,
          IdGenerator.layerSequential
        )
      )
    )
    yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    yield* desk.saveContact({ id: "jane", name: "Jane Sharpe" })
    const ticket = yield* desk.open({ requester: { id: "jane" }, subject: "VPN drops", text: "Again.", channel: "web" })
    yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
    yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "closed" })
    appends.length = 0
    batches.length = 0
    return { desk, ticket, inner, appends, batches }
  })

describe("a reply to a closed ticket", () => {
  it.effect("writes the follow-up and the closed ticket's link to it in one batch, and nothing else", () =>
    Effect.gen(function* () {
      const { desk, ticket, appends, batches } = yield* withClosedTicket()
      const followUp = yield* desk.reply({ ticket: ticket.id, by: jane, text: "It is back." })
      expect(appends).toEqual([])
      expect(batches.length).toBe(1)
      const [batch] = batches
      expect(batch?.map((r) => [r.ticketId, r.expectedVersion, r.events.map((e) => e._tag)])).toEqual([
        [ticket.id, 3, ["LinkAdded"]],
        [followUp.id, 0, ["TicketOpened"]]
      ])
      expect(followUp.links).toEqual([{ kind: "follow_up_of", ticketId: ticket.id }])
      expect((yield* desk.asSystem("test").get(ticket.id)).links).toEqual([
        { kind: "followed_up_by", ticketId: followUp.id }
      ])
      expect(followUp.publicId).toBe(ticket.publicId + 1)
    })
  )

  it.effect(
    "when the store fails the batch, neither the follow-up nor the link is written; the next reply writes both",
    () =>
      Effect.gen(function* () {
        let failures = 0
        const { desk, ticket, inner } = yield* withClosedTicket((store) => ({
          appendAll: (batch) =>
            opensFollowUp(batch) && failures++ === 0
              ? Effect.fail(new StoreUnavailable({ operation: "appendAll", reason: "connection reset" }))
              : store.appendAll(batch)
        }))
        const error = yield* Effect.flip(desk.reply({ ticket: ticket.id, by: jane, text: "It is back." }))
        expect(error).toMatchObject({ _tag: "StoreUnavailable" })
        expect(failures).toBe(1)
        // #13: the follow-up was written first and the link after, so a failure between them left a
        // follow-up its closed ticket did not know.
        expect((yield* desk.asSystem("test").get(ticket.id)).links).toEqual([])
        expect((yield* inner.read(ticket.id)).version).toBe(3)
        expect((yield* desk.asSystem("test").list({})).items.map((t) => t.id)).toEqual([ticket.id])

        const followUp = yield* desk.reply({ ticket: ticket.id, by: jane, text: "It is back." })
        expect((yield* desk.asSystem("test").get(ticket.id)).links).toEqual([
          { kind: "followed_up_by", ticketId: followUp.id }
        ])
        expect((yield* desk.asSystem("test").list({})).items.map((t) => t.id).sort()).toEqual(
          [ticket.id, followUp.id].sort()
        )
      })
  )

  it.effect("a write to the closed ticket in between decides both again: one follow-up, linked once, same number", () =>
    Effect.gen(function* () {
      let rivals = 0
      const { desk, ticket, inner, batches } = yield* withClosedTicket((store) => ({
        appendAll: (batch) =>
          Effect.gen(function* () {
            if (opensFollowUp(batch) && rivals++ === 0) {
              // Another process tags the closed ticket just before this batch lands.
              const closedId = batch[0]?.ticketId as TicketId
              const { version } = yield* store.read(closedId)
              const at = yield* DateTime.now
              yield* Effect.orDie(
                store.append(closedId, version, [
                  new E.TagsChanged({
                    ticketId: closedId,
                    at,
                    by: Actor.system("rival"),
                    added: ["rival" as Tag],
                    removed: []
                  })
                ])
              )
            }
            return yield* store.appendAll(batch)
          })
      }))
      const followUp = yield* desk.reply({ ticket: ticket.id, by: jane, text: "It is back." })
      expect(batches.length).toBe(2)
      expect(batches.map((b) => b[0]?.expectedVersion)).toEqual([3, 4])
      const closed = yield* desk.asSystem("test").get(ticket.id)
      expect(closed.links).toEqual([{ kind: "followed_up_by", ticketId: followUp.id }])
      expect(closed.tags).toContain("rival")
      expect((yield* inner.read(ticket.id)).events.filter((e) => e._tag === "LinkAdded").length).toBe(1)
      expect((yield* desk.asSystem("test").list({})).items.length).toBe(2)
      // The number drawn for the follow-up is kept across the retry: no gap in the sequence.
      expect(followUp.publicId).toBe(ticket.publicId + 1)
      expect(followUp.tags).toEqual(closed.tags)
    })
  )
})
