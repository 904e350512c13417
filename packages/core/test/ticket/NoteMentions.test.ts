import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Decider } from "../../src/testing/index.js"
import { decide } from "../../src/ticket/decide.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as C from "../../src/ticket/TicketCommand.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { MessageId, TicketId } from "../../src/values/Ids.js"

const ticketId = "tkt_1" as TicketId
const note = (text: string) =>
  new C.AddNote({ ticketId, messageId: "msg_2" as MessageId, channel: "web", body: { text, attachments: [] } })

/** The `mentions` of the one event `note(text)` gives when `actor` writes it (and `rule`, if any). */
const mentionsOf = (text: string, actor: Actor.Actor, rule?: E.RuleRef) => {
  const ctx = { ...Decider.context({ actor }), ...(rule === undefined ? {} : { rule }) }
  const events = Effect.runSync(decide(Ticket.fold([Decider.opened()]), note(text), ctx))
  expect(events.map((e) => e._tag)).toEqual(["NoteAdded"])
  const added = events[0] as E.NoteAdded
  return Object.hasOwn(added, "mentions") ? added.mentions : "absent"
}

describe("mentions on NoteAdded", () => {
  it("an agent's note records the handles it mentions", () => {
    expect(mentionsOf("@Mary can you check the refund? cc jane@example.com and @bob.", Actor.agent("ann"))).toEqual([
      "mary",
      "bob"
    ])
  })

  it("a note that mentions nobody has no mentions field, as notes recorded before mentions", () => {
    expect(mentionsOf("Checked the logs, wrote to jane@example.com.", Actor.agent("ann"))).toBe("absent")
  })

  it("a rule's note mentions; a note the system writes (a stranger's mail kept by intake) does not", () => {
    expect(
      mentionsOf("@mary: a premium customer is waiting", Actor.system("rule:vip"), { id: "vip", version: 1 })
    ).toEqual(["mary"])
    expect(
      mentionsOf("Email from x@evil.test, who is not on this ticket:\n\n@mary @bob urgent!", Actor.system("email"))
    ).toBe("absent")
  })

  it("a NoteAdded stored before mentions existed still decodes; one with mentions round-trips", () => {
    const json = Schema.fromJsonString(E.TicketEvent)
    const note = {
      _tag: "NoteAdded",
      v: 1,
      ticketId,
      at: "2026-03-09T13:00:00.000Z",
      by: { _tag: "agent", id: "ann" },
      message: {
        id: "msg_2",
        visibility: "internal",
        author: { _tag: "agent", id: "ann" },
        channel: "web",
        at: "2026-03-09T13:00:00.000Z",
        text: "@mary look",
        attachments: []
      }
    }
    const old = Schema.decodeUnknownSync(json)(JSON.stringify(note))
    expect(old._tag).toBe("NoteAdded")
    expect(Object.hasOwn(old, "mentions")).toBe(false)
    const withMentions = Schema.decodeUnknownSync(json)(JSON.stringify({ ...note, mentions: ["mary"] }))
    expect(withMentions).toMatchObject({ mentions: ["mary"] })
    expect(JSON.parse(Schema.encodeSync(json)(withMentions))).toEqual({ ...note, mentions: ["mary"] })
    // Only handles as `Mention.parse` writes them, and at most `Mention.maxMentions`.
    expect(() => Schema.decodeUnknownSync(json)(JSON.stringify({ ...note, mentions: ["Mary"] }))).toThrow()
    const many = Array.from({ length: 21 }, (_, i) => `a${i}`)
    expect(() => Schema.decodeUnknownSync(json)(JSON.stringify({ ...note, mentions: many }))).toThrow()
  })
})
