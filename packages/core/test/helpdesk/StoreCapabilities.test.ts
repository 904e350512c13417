/**
 * The `Helpdesk` branches on what its store declares (`StoreCapabilities`), never on the
 * adapter's type: on a store without search, a search is refused with `Unsupported` while
 * duplicate suggestions still find the requester's tickets; on a store with small batches,
 * links and merges read at most `maxBatch - 1` tickets and refuse larger graphs as too deep.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import type * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"

const mary = { _tag: "agent", id: "mary" } as const

const withHelpdesk = <A, E>(
  capabilities: NonNullable<MemoryTicketStore.Options["capabilities"]>,
  body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", capabilities })))

const opens = (helpdesk: Helpdesk.Service, subject: string, channel: "email" | "chat" = "email") =>
  helpdesk.open({ requester: { email: "jane@example.com" }, subject, text: `${subject}: details.`, channel })

describe("a store without search", () => {
  it.effect(
    "refuses a search with Unsupported naming list (the store's query as the step), and answers the same list without it",
    () =>
      withHelpdesk({ search: "none" }, (helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* opens(helpdesk, "VPN drops")
          const refused = yield* Effect.flip(helpdesk.asSystem("test").list({ search: "vpn" }))
          expect(refused).toMatchObject({
            _tag: "Unsupported",
            capability: "search",
            operation: "list",
            step: "query",
            requested: "prefix",
            supported: "none"
          })
          expect((refused as { retryable: boolean }).retryable).toBe(false)
          expect((yield* helpdesk.asSystem("test").list({})).items.map((t) => t.id)).toEqual([ticket.id])
        })
      )
  )

  it.effect("still suggests the requester's earlier ticket as a duplicate: no word query is sent", () =>
    withHelpdesk({ search: "none" }, (helpdesk) =>
      Effect.gen(function* () {
        const email = yield* opens(helpdesk, "VPN disconnects every 10 minutes")
        yield* TestClock.adjust("1 hour")
        const chat = yield* opens(helpdesk, "my vpn keeps disconnecting", "chat")
        const suggestions = yield* helpdesk.asSystem("test").suggestDuplicates({ ticket: chat.id })
        expect(suggestions.map((s) => s.ticketId)).toEqual([email.id])
      })
    )
  )
})

describe("a store whose batches hold 4 streams", () => {
  it.effect("a merge reads at most 3 tickets: 3 go through, a 4th is refused as too deep and nothing changes", () =>
    withHelpdesk({ maxBatch: 4 }, (helpdesk) =>
      Effect.gen(function* () {
        const [a, b, c, d] = yield* Effect.forEach(["A", "B", "C", "D"], (s) => opens(helpdesk, s))
        if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error("four tickets")
        const refused = yield* Effect.flip(helpdesk.merge({ target: a.id, sources: [b.id, c.id, d.id], by: mary }))
        expect(refused).toMatchObject({ _tag: "InvalidLink", reason: "too_deep" })
        expect((yield* helpdesk.asSystem("test").get(b.id)).status).toBe(b.status)
        const merged = yield* helpdesk.merge({ target: a.id, sources: [b.id, c.id], by: mary })
        expect(merged.messages).toHaveLength(3)
      })
    )
  )
})
