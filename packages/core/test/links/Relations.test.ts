import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../src/helpdesk/HelpdeskInput.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import type * as Ticket from "../../src/ticket/Ticket.js"
import type { PublicId } from "../../src/values/Ids.js"

const mary = { _tag: "agent", id: "mary" } as const
const number = (n: number) => n as PublicId

const withHelpdesk = <A, E>(
  body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>,
  config: Partial<typeof HelpdeskInput.Config.Encoded> = {}
) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveGroup({ id: "network", name: "Network" })
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test", groups: ["network"] })
    return yield* body(helpdesk)
  }).pipe(
    Effect.provide(
      MemoryHelpdesk.layer({ workspaceId: "acme", ...config }, { ids: "sequential", firstPublicId: 69369 })
    )
  )

const opens = (helpdesk: Helpdesk.Service, subject: string, fields: Partial<HelpdeskInput.OpenInput> = {}) =>
  helpdesk.open({
    requester: { email: "jane@example.com", name: "Jane Sharpe" },
    subject,
    text: `${subject}: details inside.`,
    channel: "email",
    ...fields
  })

/** Every link on every ticket has its inverse on the other ticket. */
const symmetric = (tickets: ReadonlyArray<Ticket.Ticket>) => {
  const byId = new Map(tickets.map((t) => [t.id, t]))
  const inverse: Record<string, string> = {
    parent: "child",
    child: "parent",
    related: "related",
    duplicate_of: "duplicated_by",
    duplicated_by: "duplicate_of",
    problem: "incident",
    incident: "problem",
    split_from: "split_into",
    split_into: "split_from",
    follow_up_of: "followed_up_by",
    followed_up_by: "follow_up_of"
  }
  for (const t of tickets) {
    for (const l of t.links) {
      const other = byId.get(l.ticketId)
      expect(other?.links, `${t.id} ${l.kind} ${l.ticketId}`).toContainEqual({ kind: inverse[l.kind], ticketId: t.id })
    }
  }
}

describe("links", () => {
  it.effect("a link is recorded on both tickets; the same link again changes nothing; unlink removes both sides", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const a = yield* opens(helpdesk, "Roll out VPN to Lyon")
        const b = yield* opens(helpdesk, "Order VPN licences")
        const linked = yield* helpdesk.link({ ticket: b.publicId, to: a.publicId, kind: "parent", by: mary })
        expect(linked.links).toEqual([{ kind: "parent", ticketId: a.id }])
        expect((yield* helpdesk.asSystem("test").get(a.id)).links).toEqual([{ kind: "child", ticketId: b.id }])
        const again = yield* helpdesk.link({ ticket: b.id, to: a.id, kind: "parent", by: mary })
        expect(again.version).toBe(linked.version)
        yield* helpdesk.unlink({ ticket: a.id, to: b.id, kind: "child", by: mary })
        expect((yield* helpdesk.asSystem("test").get(a.id)).links).toEqual([])
        expect((yield* helpdesk.asSystem("test").get(b.id)).links).toEqual([])
      })
    )
  )

  it.effect("self-links, a second parent, another link between the same pair and parent/child cycles are refused", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const [a, b, c, d] = [
          yield* opens(helpdesk, "A"),
          yield* opens(helpdesk, "B"),
          yield* opens(helpdesk, "C"),
          yield* opens(helpdesk, "D")
        ]
        const refused = (input: HelpdeskInput.LinkInput) => Effect.flip(helpdesk.link(input))
        expect(yield* refused({ ticket: a.id, to: a.id, kind: "related", by: mary })).toMatchObject({
          _tag: "InvalidLink",
          ticketId: a.id,
          otherId: a.id,
          reason: "self"
        })
        yield* helpdesk.link({ ticket: b.id, to: a.id, kind: "parent", by: mary }) // a > b
        yield* helpdesk.link({ ticket: c.id, to: b.id, kind: "parent", by: mary }) // a > b > c
        expect(yield* refused({ ticket: a.id, to: c.id, kind: "parent", by: mary })).toMatchObject({
          _tag: "InvalidLink",
          reason: "cycle"
        })
        expect(yield* refused({ ticket: c.id, to: a.id, kind: "child", by: mary })).toMatchObject({ reason: "cycle" })
        expect(yield* refused({ ticket: c.id, to: d.id, kind: "parent", by: mary })).toMatchObject({
          reason: "one_parent"
        })
        expect(yield* refused({ ticket: a.id, to: b.id, kind: "related", by: mary })).toMatchObject({
          reason: "already_linked"
        })
        const contact = { _tag: "contact", id: a.requester } as const
        expect(yield* refused({ ticket: a.id, to: d.id, kind: "related", by: contact })).toMatchObject({
          _tag: "NotPermitted"
        })
        symmetric([
          yield* helpdesk.asSystem("test").get(a.id),
          yield* helpdesk.asSystem("test").get(b.id),
          yield* helpdesk.asSystem("test").get(c.id),
          yield* helpdesk.asSystem("test").get(d.id)
        ])
      })
    )
  )

  it.effect(
    "duplicates and problems keep their rules: one original, no duplicate cycle, a problem is not an incident",
    () =>
      withHelpdesk((helpdesk) =>
        Effect.gen(function* () {
          const [a, b, c] = [yield* opens(helpdesk, "A"), yield* opens(helpdesk, "B"), yield* opens(helpdesk, "C")]
          const dup = yield* helpdesk.link({ ticket: b.id, to: a.id, kind: "duplicate_of", by: mary })
          // The same link seen from the other side is the same link: nothing changes.
          yield* helpdesk.link({ ticket: a.id, to: b.id, kind: "duplicated_by", by: mary })
          expect((yield* helpdesk.asSystem("test").get(b.id)).version).toBe(dup.version)
          expect(
            yield* Effect.flip(helpdesk.link({ ticket: b.id, to: c.id, kind: "duplicate_of", by: mary }))
          ).toMatchObject({
            reason: "one_duplicate"
          })
          yield* helpdesk.link({ ticket: c.id, to: b.id, kind: "duplicate_of", by: mary })
          expect(
            yield* Effect.flip(helpdesk.link({ ticket: a.id, to: c.id, kind: "duplicate_of", by: mary }))
          ).toMatchObject({
            reason: "cycle"
          })
          const [p, i, j] = [yield* opens(helpdesk, "P"), yield* opens(helpdesk, "I"), yield* opens(helpdesk, "J")]
          yield* helpdesk.link({ ticket: p.id, to: i.id, kind: "incident", by: mary })
          expect(
            yield* Effect.flip(helpdesk.link({ ticket: p.id, to: j.id, kind: "problem", by: mary }))
          ).toMatchObject({
            reason: "problem_and_incident"
          })
          expect(
            yield* Effect.flip(helpdesk.link({ ticket: i.id, to: j.id, kind: "problem", by: mary }))
          ).toMatchObject({
            reason: "one_problem"
          })
        })
      )
  )

  it.effect("solving a problem solves its open incidents; solveIncidents: false leaves them", () =>
    Effect.gen(function* () {
      for (const solveIncidents of [true, false]) {
        yield* withHelpdesk(
          (helpdesk) =>
            Effect.gen(function* () {
              const problem = yield* opens(helpdesk, "VPN gateway down")
              const incidents = [yield* opens(helpdesk, "No VPN"), yield* opens(helpdesk, "VPN broken")]
              for (const incident of incidents) {
                yield* helpdesk.link({ ticket: incident.id, to: problem.id, kind: "problem", by: mary })
              }
              yield* helpdesk.changeStatus({ ticket: problem.id, status: "solved", by: mary })
              for (const incident of incidents) {
                expect((yield* helpdesk.asSystem("test").get(incident.id)).category).toBe(
                  solveIncidents ? "solved" : "new"
                )
              }
            }),
          { solveIncidents }
        )
      }
    })
  )
})

describe("merge", () => {
  it.effect(
    "the target gains every message in time order with its origin, tags, followers, links and the higher priority",
    () =>
      withHelpdesk((helpdesk) =>
        Effect.gen(function* () {
          const email = yield* opens(helpdesk, "VPN disconnects every 10 minutes", { tags: ["vpn"] })
          yield* TestClock.adjust("1 hour")
          const chat = yield* helpdesk.open({
            requester: { email: "bob@example.com" },
            subject: "my vpn keeps disconnecting",
            text: "Hi, VPN keeps dropping",
            channel: "chat",
            priority: "high",
            tags: ["remote-work"]
          })
          yield* TestClock.adjust("1 hour")
          yield* helpdesk.reply({ ticket: email.id, text: "Looking into it.", by: mary })
          yield* TestClock.adjust("1 hour")
          yield* helpdesk.reply({
            ticket: chat.id,
            text: "Still dropping.",
            by: { _tag: "contact", id: chat.requester }
          })
          const related = yield* opens(helpdesk, "Lyon office network")
          yield* helpdesk.link({ ticket: chat.id, to: related.id, kind: "related", by: mary })

          const merged = yield* helpdesk.merge({ target: email.publicId, sources: [chat.publicId], by: mary })
          expect(merged.messages.map((m) => m.text)).toEqual([
            "VPN disconnects every 10 minutes: details inside.",
            "Hi, VPN keeps dropping",
            "Looking into it.",
            "Still dropping."
          ])
          expect(merged.messages[1]?.origin).toEqual({ ticketId: chat.id, publicId: chat.publicId })
          expect(merged.messages[1]?.channel).toBe("chat")
          expect(merged.messages[0]?.origin).toBeUndefined()
          expect(merged.tags).toEqual(["vpn", "remote-work"])
          expect(merged.priority).toBe("high")
          expect(merged.followers).toContainEqual({ _tag: "contact", id: chat.requester })
          expect(merged.links).toEqual([{ kind: "related", ticketId: related.id }])

          const source = yield* helpdesk.asSystem("test").get(chat.id)
          expect(source).toMatchObject({ category: "closed", mergedInto: email.id, links: [] })
          expect(source.messages).toHaveLength(2) // still readable
          expect((yield* helpdesk.asSystem("test").get(related.id)).links).toEqual([
            { kind: "related", ticketId: email.id }
          ])
          expect((yield* helpdesk.asSystem("test").get(chat.publicId)).id).toBe(email.id) // the number leads to the target
          const history = yield* helpdesk.asSystem("test").history(chat.id)
          expect(history.at(-1)?._tag).toBe("MergedInto")
        })
      )
  )

  it.effect("a later message to a merged ticket lands on the target, from the requester or an agent", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const email = yield* opens(helpdesk, "VPN")
        const chat = yield* opens(helpdesk, "VPN again", { channel: "chat" })
        yield* helpdesk.merge({ target: email.id, sources: [chat.id], by: mary })
        const byJane = yield* helpdesk.reply({
          ticket: chat.publicId,
          text: "Any news?",
          by: { _tag: "contact", id: chat.requester }
        })
        expect(byJane.id).toBe(email.id)
        const byMary = yield* helpdesk.reply({ ticket: chat.id, text: "Working on it.", by: mary })
        expect(byMary.id).toBe(email.id)
        expect(byMary.messages.map((m) => m.text).slice(-2)).toEqual(["Any news?", "Working on it."])
        expect((yield* helpdesk.asSystem("test").get(chat.id)).messages).toHaveLength(1)
        // Every command by the merged ticket's number goes to the target; by its id, to itself.
        const tagged = yield* helpdesk.tag({ ticket: chat.publicId, add: ["vpn"], by: mary })
        expect(tagged).toMatchObject({ id: email.id, tags: ["vpn"] })
        expect(yield* Effect.flip(helpdesk.tag({ ticket: chat.id, add: ["vpn"], by: mary }))).toMatchObject({
          _tag: "TicketClosed"
        })
        expect((yield* helpdesk.asSystem("test").history(chat.publicId)).at(-1)?._tag).toBe("TagsChanged")
      })
    )
  )

  it.effect(
    "merging into itself, into a closed or merged ticket, or a closed source is refused and writes nothing",
    () =>
      withHelpdesk((helpdesk) =>
        Effect.gen(function* () {
          const [a, b, c] = [yield* opens(helpdesk, "A"), yield* opens(helpdesk, "B"), yield* opens(helpdesk, "C")]
          const refused = (input: HelpdeskInput.MergeInput) => Effect.flip(helpdesk.merge(input))
          expect(yield* refused({ target: a.id, sources: [a.id], by: mary })).toMatchObject({
            reason: "into_itself",
            targetId: a.id,
            sourceId: a.id
          })
          expect(yield* refused({ target: a.id, sources: [b.id, b.id], by: mary })).toMatchObject({
            reason: "source_twice"
          })
          yield* helpdesk.merge({ target: a.id, sources: [b.id], by: mary })
          expect(yield* refused({ target: b.id, sources: [c.id], by: mary })).toMatchObject({ reason: "target_closed" })
          // By number too: a merge names exactly the tickets it is given, it does not follow a merge.
          expect(yield* refused({ target: b.publicId, sources: [c.id], by: mary })).toMatchObject({
            reason: "target_closed"
          })
          expect(yield* refused({ target: b.id, sources: [a.id], by: mary })).toMatchObject({ reason: "cycle" })
          expect(yield* refused({ target: c.id, sources: [b.id], by: mary })).toMatchObject({ reason: "source_closed" })
          expect((yield* helpdesk.asSystem("test").get(c.id)).version).toBe(1)
        })
      )
  )

  it.effect("undo restores the source and takes back what it brought; what came since stays on the target", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const email = yield* opens(helpdesk, "VPN", { tags: ["vpn"] })
        yield* TestClock.adjust("1 minute")
        const chat = yield* opens(helpdesk, "VPN chat", { channel: "chat", priority: "urgent", tags: ["chat"] })
        const before = yield* helpdesk.asSystem("test").get(email.id)
        yield* helpdesk.merge({ target: email.id, sources: [chat.id], by: mary })
        yield* TestClock.adjust("1 minute")
        yield* helpdesk.reply({ ticket: chat.publicId, text: "Since the merge", by: mary })
        const source = yield* helpdesk.undoMerge({ target: email.id, source: chat.publicId, by: mary })
        expect(source).toMatchObject({ category: "new", status: "new" })
        expect(source.mergedInto).toBeUndefined()
        const target = yield* helpdesk.asSystem("test").get(email.id)
        expect(target.messages.map((m) => m.text)).toEqual([...before.messages.map((m) => m.text), "Since the merge"])
        expect(target.tags).toEqual(["vpn"])
        expect(target.priority).toBe("normal")
        expect(target.mergedFrom).toBeUndefined()
        expect((yield* helpdesk.asSystem("test").get(chat.publicId)).id).toBe(chat.id)
        expect(yield* Effect.flip(helpdesk.undoMerge({ target: email.id, source: chat.id, by: mary }))).toMatchObject({
          _tag: "UndoMergeRefused",
          targetId: email.id,
          sourceId: chat.id,
          reason: "not_merged"
        })
      })
    )
  )
})

describe("split", () => {
  it.effect("chosen messages move to a new ticket linked both ways, keeping their authors and times", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, "VPN and printer")
        yield* TestClock.adjust("1 minute")
        const jane = { _tag: "contact", id: ticket.requester } as const
        yield* helpdesk.reply({ ticket: ticket.id, text: "Also, the printer jams.", by: jane })
        yield* TestClock.adjust("1 minute")
        const after = yield* helpdesk.reply({ ticket: ticket.id, text: "Printer model HP 4250.", by: jane })
        const moved = after.messages.slice(1).map((m) => m.id)
        const split = yield* helpdesk.split({ ticket: ticket.id, messages: moved, subject: "Printer jams", by: mary })
        expect(split).toMatchObject({ subject: "Printer jams", requester: ticket.requester, publicId: 69370 })
        expect(split.messages.map((m) => [m.id, m.text, m.author])).toEqual(
          after.messages.slice(1).map((m) => [m.id, m.text, m.author])
        )
        expect(split.messages[0]?.origin).toEqual({ ticketId: ticket.id, publicId: ticket.publicId })
        expect(split.description).toBe("Also, the printer jams.")
        const original = yield* helpdesk.asSystem("test").get(ticket.id)
        expect(original.messages.map((m) => m.text)).toEqual(["VPN and printer: details inside."])
        symmetric([original, split])
        expect(original.links).toEqual([{ kind: "split_into", ticketId: split.id }])
        expect(
          yield* Effect.flip(
            helpdesk.split({ ticket: ticket.id, messages: [original.messages[0]?.id as string], by: mary })
          )
        ).toMatchObject({
          _tag: "SplitRefused",
          reason: "every_message"
        })
        expect(
          yield* Effect.flip(helpdesk.split({ ticket: ticket.id, messages: ["msg_nope"], by: mary }))
        ).toMatchObject({
          reason: "unknown_message"
        })
        expect(number(split.publicId)).toBe(69370)
      })
    )
  )

  // #12: a split whose earliest moved message was a note showed that note as the description.
  it.effect(
    "a split whose earliest moved message is a note opens with the earliest public one: its description is public text",
    () =>
      withHelpdesk((helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* opens(helpdesk, "VPN and printer")
          const jane = { _tag: "contact", id: ticket.requester } as const
          yield* TestClock.adjust("1 minute")
          yield* helpdesk.note({ ticket: ticket.id, text: "Internal: printer is on the old firmware.", by: mary })
          yield* TestClock.adjust("1 minute")
          yield* helpdesk.reply({ ticket: ticket.id, text: "Also, the printer jams.", by: jane })
          const moved = (yield* helpdesk.asSystem("test").get(ticket.id)).messages.slice(1).map((m) => m.id)
          const split = yield* helpdesk.split({ ticket: ticket.id, messages: moved, subject: "Printer jams", by: mary })
          expect(split.description).toBe("Also, the printer jams.")
          // The note keeps its place in time, before the reply.
          expect(split.messages.map((m) => [m.visibility, m.text])).toEqual([
            ["internal", "Internal: printer is on the old firmware."],
            ["public", "Also, the printer jams."]
          ])
          expect(
            (yield* helpdesk.asSystem("test").list({ search: "printer" })).items.find((t) => t.id === split.id)
              ?.description
          ).toBe("Also, the printer jams.")
        })
      )
  )

  it.effect("a split of notes only has an empty description", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, "VPN and printer")
        yield* TestClock.adjust("1 minute")
        const after = yield* helpdesk.note({ ticket: ticket.id, text: "Internal: check the firmware.", by: mary })
        const note = after.messages.at(-1)?.id as string
        const split = yield* helpdesk.split({ ticket: ticket.id, messages: [note], subject: "Firmware", by: mary })
        expect(split.description).toBe("")
        expect(split.messages.map((m) => m.text)).toEqual(["Internal: check the firmware."])
        const row = (yield* helpdesk.asSystem("test").list({})).items.find((t) => t.id === split.id)
        expect(row?.description).toBe("")
      })
    )
  )
})

describe("duplicate suggestions", () => {
  it.effect("the same contact writing by chat after email finds the email ticket, which merge then consolidates", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const email = yield* opens(helpdesk, "VPN disconnects every 10 minutes", {
          text: "Since this morning my VPN disconnects every ten minutes from home."
        })
        yield* opens(helpdesk, "Invoice 4471 is wrong", { text: "The invoice total does not match the order." })
        yield* TestClock.adjust("2 hours")
        const chat = yield* opens(helpdesk, "my vpn keeps disconnecting", {
          channel: "chat",
          text: "Hello, the VPN keeps disconnecting at home, every few minutes."
        })
        const suggestions = yield* helpdesk.asSystem("test").suggestDuplicates({ ticket: chat.publicId })
        expect(suggestions.map((s) => s.ticketId)).toEqual([email.id])
        expect(suggestions[0]?.reasons.map((r) => r.kind)).toEqual(
          expect.arrayContaining(["same_requester", "similar_subject", "other_channel"])
        )
        const merged = yield* helpdesk.merge({ target: email.id, sources: [chat.id], by: mary })
        expect(merged.messages.map((m) => m.channel)).toEqual(["email", "chat"])
        expect(yield* helpdesk.asSystem("test").suggestDuplicates({ ticket: email.id })).toEqual([])
      })
    )
  )
})
