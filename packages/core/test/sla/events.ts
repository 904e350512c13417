/**
 * Event builders for SLA tests: a ticket's log written as it would be stored.
 */
import { DateTime } from "effect"
import * as fc from "fast-check"
import type { Ids, Priority, SlaMetric, Status, Tag, Ticket } from "../../src/index.js"
import { TicketEvent } from "../../src/index.js"

type Category = Status.StatusCategory

export const ticketId = "tkt_69369" as Ids.TicketId
const jane = { _tag: "contact", id: "jane" as Ids.ContactId } as const
const mary = { _tag: "agent", id: "mary" as Ids.AgentId } as const

let counter = 0
const message = (
  at: DateTime.Utc,
  author: typeof jane | typeof mary,
  text: string,
  visibility: "public" | "internal"
) => ({
  id: `msg_${++counter}` as Ids.MessageId,
  visibility,
  author,
  channel: "email" as const,
  at,
  text,
  attachments: []
})

const instant = (iso: string) => DateTime.makeUnsafe(iso)

export const opened = (
  iso: string,
  options: {
    readonly priority?: Priority.Priority
    readonly by?: "contact" | "agent"
    readonly category?: Category
  } = {}
) => {
  const at = instant(iso)
  const author = options.by === "agent" ? mary : jane
  return new TicketEvent.TicketOpened({
    ticketId,
    at,
    by: author,
    workspaceId: "acme" as Ids.WorkspaceId,
    publicId: 69369 as Ids.PublicId,
    subject: "Invoice charged twice",
    requester: jane.id,
    channel: "email",
    priority: options.priority ?? "normal",
    status: (options.category ?? "new") as Ticket.Ticket["status"],
    category: options.category ?? "new",
    tags: [],
    customFields: {},
    message: message(at, author, "I was charged twice for November.", "public")
  })
}

export const agentReply = (iso: string) =>
  new TicketEvent.ReplyAdded({
    ticketId,
    at: instant(iso),
    by: mary,
    message: message(instant(iso), mary, "On it.", "public")
  })

export const requesterReply = (iso: string) =>
  new TicketEvent.ReplyAdded({
    ticketId,
    at: instant(iso),
    by: jane,
    message: message(instant(iso), jane, "Any news?", "public")
  })

export const note = (iso: string) =>
  new TicketEvent.NoteAdded({
    ticketId,
    at: instant(iso),
    by: mary,
    message: message(instant(iso), mary, "Checking.", "internal")
  })

export const status = (iso: string, from: Category, to: Category) =>
  new TicketEvent.StatusChanged({
    ticketId,
    at: instant(iso),
    by: mary,
    from: from as Ticket.Ticket["status"],
    to: to as Ticket.Ticket["status"],
    fromCategory: from,
    toCategory: to
  })

export const priority = (iso: string, from: Priority.Priority, to: Priority.Priority) =>
  new TicketEvent.PriorityChanged({ ticketId, at: instant(iso), by: mary, from, to })

export const tags = (iso: string, added: ReadonlyArray<string>, removed: ReadonlyArray<string>) =>
  new TicketEvent.TagsChanged({
    ticketId,
    at: instant(iso),
    by: mary,
    added: added as ReadonlyArray<Tag.Tag>,
    removed: removed as ReadonlyArray<Tag.Tag>
  })

export const milestone = (
  iso: string,
  kind: "warning" | "breach",
  m: {
    readonly metric: SlaMetric.Metric
    readonly instance: number
    readonly policy: string
    readonly reachedAt: DateTime.Utc
  }
) => {
  const fields = {
    ticketId,
    at: instant(iso),
    by: { _tag: "system", reason: "sla" } as const,
    metric: m.metric,
    instance: m.instance,
    policy: m.policy,
    reachedAt: m.reachedAt
  }
  return kind === "warning" ? new TicketEvent.SlaWarningReached(fields) : new TicketEvent.SlaBreached(fields)
}

const categories = ["new", "open", "pending", "on_hold", "solved", "open", "closed"] as const

/**
 * A ticket's log as commands write it: an opening by Jane, then replies, notes, status and
 * priority changes (and, with `tags`, the tag `vip` coming and going) minutes to days apart.
 * `end` is the instant of the last step; `context` carries the requester's tier.
 */
export const slaLog = (options: { readonly tags?: boolean; readonly maxSteps?: number } = {}) => {
  type Step =
    | { readonly kind: "agent" | "requester" | "note" | "vip" }
    | { readonly kind: "status"; readonly to: (typeof categories)[number] }
    | { readonly kind: "priority"; readonly to: Priority.Priority }
  const steps: Array<fc.Arbitrary<Step>> = [
    fc.constant({ kind: "agent" } as const),
    fc.constant({ kind: "requester" } as const),
    fc.constant({ kind: "note" } as const),
    fc.constantFrom(...categories).map((to) => ({ kind: "status", to }) as const),
    fc.constantFrom("low", "normal", "high", "urgent").map((to) => ({ kind: "priority", to }) as const)
  ]
  if (options.tags === true) steps.push(fc.constant({ kind: "vip" } as const))
  const step = fc.oneof(...steps)
  return fc
    .record({
      start: fc.integer({ min: 0, max: 60 * 24 * 30 }),
      steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 60 * 24 * 3 }), step), { maxLength: options.maxSteps ?? 25 }),
      tier: fc.constantFrom(undefined, "premium")
    })
    .map(({ start, steps, tier }) => {
      let t = Date.parse("2026-10-20T00:00:00Z") + start * 60_000
      const isoAt = () => new Date(t).toISOString()
      const events: Array<TicketEvent.TicketEvent> = [opened(isoAt())]
      let category: (typeof categories)[number] = "new"
      let level: "low" | "normal" | "high" | "urgent" = "normal"
      let vip = false
      for (const [gap, s] of steps) {
        t += gap * 60_000
        if (category === "closed") break
        if (s.kind === "agent") events.push(agentReply(isoAt()))
        else if (s.kind === "requester") events.push(requesterReply(isoAt()))
        else if (s.kind === "note") events.push(note(isoAt()))
        else if (s.kind === "vip") {
          events.push(vip ? tags(isoAt(), [], ["vip"]) : tags(isoAt(), ["vip"], []))
          vip = !vip
        } else if (s.kind === "status" && s.to !== category) {
          events.push(status(isoAt(), category, s.to))
          category = s.to
        } else if (s.kind === "priority" && s.to !== level) {
          events.push(priority(isoAt(), level, s.to))
          level = s.to
        }
      }
      return { events, end: t, context: tier === undefined ? {} : { tier } }
    })
}
