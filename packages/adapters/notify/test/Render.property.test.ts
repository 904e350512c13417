/**
 * The first "Done when": for random tickets (internal notes and internal custom fields
 * holding marker strings), events and templates (any mix of placeholders, internal ones
 * included, never checked), no customer-audience rendering contains a marker; agents get them.
 */
import { fc, test } from "@fast-check/vitest"
import type { Ticket, TicketEvent } from "@tessera/core"
import { describe, expect, it } from "vitest"
import * as Render from "../src/Render.js"
import * as Template from "../src/Template.js"
import { agent, at, customer, message, snapshot, ticket } from "./support/fixtures.js"

const fields: Template.FieldPolicy = [
  { key: "plan", label: "Plan", type: "text" },
  { key: "cost_center", label: "Cost center", type: "text", internal: true },
  { key: "risk", label: "Risk", type: "text", internal: true }
]

/** Every placeholder any kind offers, the internal ones included, and some no kind offers. */
const allPaths = [
  ...new Set(Template.builtInKinds.flatMap((k) => Template.fieldsOf(k, fields).map((f) => f.path))),
  "ticket.fields.constructor",
  "note",
  "ticket.messages",
  "ticket.description"
]

const marker = fc.uuid().map((u) => `INTERNAL-${u}`)
const publicText = fc.string({ maxLength: 40 }).filter((s) => !s.includes("INTERNAL-"))
const jane = { _tag: "contact", id: "con_jane" } as const
const mary = { _tag: "agent", id: "agt_mary" } as const

const scenario = fc
  .record({
    notes: fc.array(fc.tuple(marker, publicText), { minLength: 1, maxLength: 4 }),
    replies: fc.array(publicText, { maxLength: 3 }),
    costCenter: marker,
    risk: marker,
    plan: publicText,
    causeNote: fc.option(marker, { nil: undefined }),
    causeReply: fc.option(publicText, { nil: undefined }),
    openedWithNote: fc.boolean(),
    verified: fc.boolean(),
    kind: fc.constantFrom(...Template.builtInKinds),
    parts: fc.array(
      fc.oneof(
        fc.constantFrom(...allPaths).map((p) => `{{${p}}}`),
        publicText
      ),
      {
        minLength: 1,
        maxLength: 12
      }
    )
  })
  .map((s) => {
    let n = 0
    const id = () => `msg_${++n}`
    const first = s.openedWithNote
      ? message(id(), "internal", mary, `${s.notes[0]?.[0]} opened as a note`)
      : message(id(), "public", jane, "My printer is on fire")
    const messages = [
      first,
      ...s.notes.map(([m, t]) => message(id(), "internal", mary, `${t} ${m} ${t}`)),
      ...s.replies.map((t) => message(id(), "public", mary, t))
    ]
    const t: Ticket.Ticket = ticket({
      messages,
      customFields: { plan: s.plan, cost_center: s.costCenter, risk: s.risk } as never
    })
    const envelope = { v: 1, ticketId: t.id, at: at("2026-12-04T17:30:00Z"), by: mary }
    const events = [
      ...(s.causeNote === undefined
        ? []
        : [{ ...envelope, _tag: "NoteAdded", message: message(id(), "internal", mary, s.causeNote) }]),
      ...(s.causeReply === undefined
        ? []
        : [{ ...envelope, _tag: "ReplyAdded", message: message(id(), "public", mary, s.causeReply) }]),
      {
        ...envelope,
        _tag: "SlaWarningReached",
        metric: "first_reply",
        instance: 1,
        policy: "p",
        reachedAt: envelope.at
      }
    ] as unknown as ReadonlyArray<TicketEvent.TicketEvent>
    const markers = [
      ...s.notes.map(([m]) => m),
      s.costCenter,
      s.risk,
      ...(s.causeNote === undefined ? [] : [s.causeNote])
    ]
    const source = s.parts.join(" ")
    const template: Template.Template = {
      kind: s.kind.name,
      language: "en",
      subject: source,
      text: source,
      html: source
    }
    return { ...s, ticket: t, events, markers, template }
  })

const input = (
  s: { ticket: Ticket.Ticket; events: ReadonlyArray<TicketEvent.TicketEvent>; kind: Template.Kind },
  r = customer()
) => ({
  ticket: s.ticket,
  events: s.events,
  kind: s.kind,
  recipient: r,
  snapshot,
  fields,
  helpdeskName: "Acme Support",
  extras: { "sla.expected": "within 4 business hours, by Monday 13:00", "sla.due": "Monday 13:00" }
})

describe("customer renderings never carry internal data", () => {
  let askedForInternal = 0
  let agentsSawIt = 0

  test.prop([scenario], { numRuns: 400 })(
    "no customer-audience notification contains an internal note's text or an internal field's value",
    (s) => {
      const rendered = Render.render(s.template, input(s, customer({ verified: s.verified })))
      const all = `${rendered.subject}\n${rendered.text}\n${rendered.html}`
      for (const m of s.markers) expect(all).not.toContain(m)
      const asked = s.parts.some((p) => /note\.|cost_center|risk|ticket\.messages/.test(p))
      if (asked) askedForInternal++
      // The same template for an agent does show what it asks for: the markers are reachable.
      const forAgent = Render.render(s.template, input(s, agent()))
      if (s.markers.some((m) => forAgent.text.includes(m))) agentsSawIt++
    }
  )

  it("the property exercised templates asking for internal data, and agents saw it", () => {
    console.log(
      `templates asking for internal data: ${askedForInternal}; agent renderings with a marker: ${agentsSawIt}`
    )
    expect(askedForInternal).toBeGreaterThan(50)
    expect(agentsSawIt).toBeGreaterThan(50)
  })
})

describe("agent and customer contexts", () => {
  const t = ticket({
    customFields: { plan: "Gold", cost_center: "CC-SECRET" } as never,
    messages: [
      message("m1", "public", jane, "My printer is on fire"),
      message("m2", "internal", mary, "@tom the toner is recalled"),
      message("m3", "public", mary, "We are sending a technician.")
    ]
  })
  const kind = Template.builtInKinds.find((k) => k.name === "mentioned") as Template.Kind
  const base = { ticket: t, events: [], kind, snapshot, fields, helpdeskName: "Acme Support" }

  it("an agent gets the note, the internal fields, assignee and group", () => {
    const c = Render.agentContext({ ...base, recipient: agent() })
    expect(c.get("note.text")).toBe("@tom the toner is recalled")
    expect(c.get("note.author")).toBe("Mary Major")
    expect(c.get("ticket.fields.cost_center")).toBe("CC-SECRET")
    expect(c.get("ticket.assignee")).toBe("Mary Major")
    expect(c.get("ticket.group")).toBe("Level 1")
    expect(c.get("message.text")).toBe("My printer is on fire")
  })

  it("a customer gets the public reply and public fields, and the opening message only when verified", () => {
    const verified = Render.customerContext({ ...base, recipient: customer() })
    expect(verified.get("reply.text")).toBe("We are sending a technician.")
    expect(verified.get("ticket.fields.plan")).toBe("Gold")
    expect(verified.get("message.text")).toBe("My printer is on fire")
    for (const path of ["note.text", "ticket.fields.cost_center", "ticket.assignee", "ticket.group"]) {
      expect(verified.has(path)).toBe(false)
    }
    const unverified = Render.customerContext({ ...base, recipient: customer({ verified: false }) })
    expect(unverified.has("message.text")).toBe(false)
    expect(unverified.get("ticket.subject")).toBe("Printer on fire")
  })
})
