/**
 * #12: a merge that would leave its target past a per-ticket limit, and a split of more messages
 * than `Limits.messagesPerSplit`, are refused with `LimitExceeded` by the pure decisions, whatever
 * reaches them (the `Helpdesk`'s inputs bound the split before).
 */
import { DateTime, Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import * as Relations from "../../src/links/Relations.js"
import type { DecideContext } from "../../src/ticket/decide.js"
import type { StatusId } from "../../src/ticket/Status.js"
import * as Status from "../../src/ticket/Status.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as E from "../../src/ticket/TicketEvent.js"
import type { Actor } from "../../src/values/Actor.js"
import type { AgentId, ContactId, MessageId, PublicId, TicketId, WorkspaceId } from "../../src/values/Ids.js"
import * as Limits from "../../src/values/Limits.js"
import type { Message } from "../../src/values/Message.js"
import type { Tag } from "../../src/values/Tag.js"

const mary = { _tag: "agent", id: "mary" as AgentId } as Actor
const ctx: DecideContext = {
  now: DateTime.makeUnsafe(10_000_000_000),
  actor: mary,
  workflow: Status.defaultWorkflow,
  customFields: []
}

/** A ticket with `messages` messages and `tags` tags, folded from two events. */
const ticket = (n: number, messages: number, tags: ReadonlyArray<string>): Ticket.Ticket => {
  const id = `tkt_${n}` as TicketId
  const message = (i: number): Message => ({
    id: `msg_${n}_${i}` as MessageId,
    visibility: "public",
    author: mary,
    channel: "email",
    at: DateTime.makeUnsafe(i),
    text: `message ${i}`,
    attachments: []
  })
  const all = Array.from({ length: messages }, (_, i) => message(i))
  return Ticket.fold([
    new E.TicketOpened({
      ticketId: id,
      at: DateTime.makeUnsafe(0),
      by: mary,
      workspaceId: "acme" as WorkspaceId,
      publicId: n as PublicId,
      subject: `Ticket ${n}`,
      requester: "jane" as ContactId,
      channel: "email",
      priority: "normal",
      status: "open" as StatusId,
      category: "open",
      tags: tags as ReadonlyArray<Tag>,
      customFields: {},
      message: all[0] as Message
    }),
    new E.SplitReceived({ ticketId: id, at: DateTime.makeUnsafe(0), by: mary, from: id, messages: all.slice(1) })
  ]) as Ticket.Ticket
}

const graphOf = (...tickets: ReadonlyArray<Ticket.Ticket>): Relations.Graph => new Map(tickets.map((t) => [t.id, t]))
const tagsOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const failure = <A, E>(effect: Effect.Effect<A, E>) => {
  const exit = Effect.runSyncExit(effect)
  return Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
}

describe("limits of merges and splits", () => {
  it("a merge may bring a target to 1,000 tags, and is refused one beyond", () => {
    const [target, source] = [ticket(1, 1, tagsOf("a", 500)), ticket(2, 1, tagsOf("b", 500))]
    const merged = Effect.runSync(Relations.merge(graphOf(target, source), target.id, [source.id], ctx))
    const events = merged.find((c) => c.ticketId === target.id)?.events ?? []
    expect(Ticket.fold(events, target)?.tags.length).toBe(Limits.tagsPerTicket)
    const bigger = ticket(3, 1, tagsOf("c", 501))
    expect(failure(Relations.merge(graphOf(target, bigger), target.id, [bigger.id], ctx))).toMatchObject({
      _tag: "Some",
      value: { _tag: "LimitExceeded", limit: "tagsPerTicket", actual: 1_001, operation: "merge" }
    })
  })

  it("a merge whose sources together take the target past 100,000 messages is refused", () => {
    const target = ticket(1, 60_000, [])
    const [a, b] = [ticket(2, 20_000, []), ticket(3, 20_001, [])]
    expect(failure(Relations.merge(graphOf(target, a, b), target.id, [a.id, b.id], ctx))).toMatchObject({
      _tag: "Some",
      value: { _tag: "LimitExceeded", limit: "messagesPerTicket", max: 100_000, actual: 100_001 }
    })
    const fits = ticket(4, 20_000, [])
    const merged = Effect.runSync(Relations.merge(graphOf(target, a, fits), target.id, [a.id, fits.id], ctx))
    const events = merged.find((c) => c.ticketId === target.id)?.events ?? []
    expect(Ticket.fold(events, target)?.messages.length).toBe(Limits.messagesPerTicket)
  })

  it("a split moves up to 10,000 messages, and is refused 10,001 whoever asks", () => {
    const source = ticket(1, 20_050, [])
    const request = (n: number): Relations.SplitRequest => ({
      ticketId: source.id,
      messageIds: source.messages.slice(0, n).map((m) => m.id),
      newTicketId: "tkt_new" as TicketId,
      newPublicId: 99 as PublicId,
      subject: "Split"
    })
    const split = Effect.runSync(Relations.split(graphOf(source), request(Limits.messagesPerSplit), ctx))
    const opened = split.find((c) => c.ticketId === "tkt_new")?.events ?? []
    expect(Ticket.fold(opened)?.messages.length).toBe(Limits.messagesPerSplit)
    expect(failure(Relations.split(graphOf(source), request(Limits.messagesPerSplit + 1), ctx))).toMatchObject({
      _tag: "Some",
      value: { _tag: "LimitExceeded", limit: "messagesPerSplit", max: 10_000, actual: 10_001, operation: "split" }
    })
  })
})
