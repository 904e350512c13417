/**
 * Render contexts, one per audience: the values a template's placeholders are filled from. A
 * customer context is built from public data only (the ticket's public view, public replies,
 * the custom fields not declared internal), so internal notes and internal fields are simply not in it,
 * whatever a template asks; an agent context holds everything. Which template and which
 * recipient are `EmailPrepare`'s business.
 */
import { CustomField, Ticket, type TicketEvent } from "@tessera/core"
import type { Recipient, Rendered } from "./Notification.js"
import type * as Recipients from "./Recipients.js"
import * as Template from "./Template.js"

/**
 * What a context is built from: the ticket as of the notification, the events that caused it,
 * the kind, the recipient, the directory snapshot, and values computed elsewhere (`sla.expected`
 * from `ExpectedResponse`, `sla.due`, `survey.url`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Input {
  readonly ticket: Ticket.Ticket
  readonly events: ReadonlyArray<TicketEvent.TicketEvent>
  readonly kind: Template.Kind
  readonly recipient: Recipient
  readonly snapshot: Recipients.Snapshot
  readonly fields: Template.FieldPolicy
  readonly helpdeskName: string
  readonly extras?: { readonly "sla.expected"?: string; readonly "sla.due"?: string; readonly "survey.url"?: string }
}

const last = <A>(items: ReadonlyArray<A>, keep: (a: A) => boolean): A | undefined => {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as A
    if (keep(item)) return item
  }
  return undefined
}

const nameOf = (input: Input, author: { readonly _tag: string; readonly id?: string }): string => {
  if (author._tag === "agent") return input.snapshot.agents.find((a) => a.id === author.id)?.name ?? input.helpdeskName
  if (author._tag === "contact") {
    const c = input.snapshot.contacts.find((x) => x.id === author.id)
    return c === undefined ? "" : c.name === "" ? (c.emails[0] ?? "") : c.name
  }
  return input.helpdeskName
}

/** What both audiences see: public data only. */
const publicValues = (input: Input, ticket: Ticket.Ticket, verified: boolean): Map<string, string> => {
  const values = new Map<string, string>()
  const set = (path: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) values.set(path, String(value))
  }
  const requester = input.snapshot.contacts.find((c) => c.id === ticket.requester)
  set("ticket.number", ticket.publicId)
  set("ticket.subject", ticket.subject)
  set("ticket.status", ticket.status)
  set("ticket.priority", ticket.priority)
  set("requester.name", requester === undefined ? undefined : nameOf(input, { _tag: "contact", id: requester.id }))
  set("recipient.name", input.recipient.name ?? input.recipient.address)
  set("helpdesk.name", input.helpdeskName)
  // Declared and not internal: the help desk's own rule for what a customer sees (`CustomField`).
  const fields: Readonly<Record<string, string | number | boolean>> = ticket.customFields
  for (const { key } of input.fields) {
    if (Object.hasOwn(fields, key) && !CustomField.isInternal(input.fields, key))
      set(`ticket.fields.${key}`, fields[key])
  }

  // The first message is the customer's own: never echoed to an address the help desk does not trust.
  const first = ticket.messages[0]
  if (first !== undefined && first.visibility === "public") {
    if (verified) set("message.text", first.text)
    set("message.author", nameOf(input, first.author))
  }
  const replied = last(
    input.events,
    (e): e is TicketEvent.ReplyAdded => e._tag === "ReplyAdded" && e.message.visibility === "public"
  )
  const reply =
    replied?._tag === "ReplyAdded"
      ? replied.message
      : last(ticket.messages, (m) => m.visibility === "public" && m.author._tag === "agent")
  if (reply !== undefined && reply.visibility === "public") {
    set("reply.text", reply.text)
    set("reply.author", nameOf(input, reply.author))
  }
  for (const e of input.events) {
    if (e._tag === "StatusChanged") {
      set("status.from", e.from)
      set("status.to", e.to)
    } else if (e._tag === "PriorityChanged") {
      set("priority.from", e.from)
      set("priority.to", e.to)
    } else if (e._tag === "ProblemSolvedAnnounced") {
      set("problem.number", e.problemPublicId)
    }
  }
  set("sla.expected", input.extras?.["sla.expected"])
  set("survey.url", input.extras?.["survey.url"])
  return values
}

/**
 * The context of a customer: built from `Ticket.publicView` of the ticket, public replies and
 * the custom fields not declared internal. The opening message is left out for an unverified recipient.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customerContext = (input: Input): Template.Context =>
  publicValues(input, Ticket.publicView(input.ticket), input.recipient.verified)

/**
 * The context of an agent: the customer's values (the opening message always) and the internal
 * ones: the note that caused it, assignee, group, tags, every custom field, SLA details.
 *
 * @category constructors
 * @since 0.1.0
 */
export const agentContext = (input: Input): Template.Context => {
  const ticket = input.ticket
  const values = publicValues(input, ticket, true)
  const set = (path: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) values.set(path, String(value))
  }
  const agentName = (id: string | undefined) =>
    id === undefined ? undefined : (input.snapshot.agents.find((a) => a.id === id)?.name ?? id)
  const groupName = (id: string | undefined) =>
    id === undefined ? undefined : (input.snapshot.groups.find((g) => g.id === id)?.name ?? id)
  set("ticket.assignee", agentName(ticket.assignee))
  set("ticket.group", groupName(ticket.group))
  set("ticket.tags", ticket.tags.join(", "))
  for (const [key, value] of Object.entries(ticket.customFields)) set(`ticket.fields.${key}`, value)
  // A ticket given to a group alone is assigned to that group; one without a group says so.
  set("assignee.name", agentName(ticket.assignee) ?? groupName(ticket.group))
  set("group.name", groupName(ticket.group) ?? "-")
  const noted = last(input.events, (e) => e._tag === "NoteAdded")
  const note = noted?._tag === "NoteAdded" ? noted.message : last(ticket.messages, (m) => m.visibility === "internal")
  if (note !== undefined) {
    set("note.text", note.text)
    set("note.author", nameOf(input, note.author))
  }
  const warned = last(input.events, (e) => e._tag === "SlaWarningReached" || e._tag === "SlaBreached")
  if (warned?._tag === "SlaWarningReached" || warned?._tag === "SlaBreached") set("sla.metric", warned.metric)
  set("sla.due", input.extras?.["sla.due"])
  return values
}

/**
 * The context for the recipient's audience: an agent's for agents, a customer's for everyone
 * else.
 *
 * @category constructors
 * @since 0.1.0
 */
export const context = (input: Input): Template.Context =>
  input.recipient.audience === "agent" ? agentContext(input) : customerContext(input)

/**
 * Renders a template for the input's recipient, in the context of their audience.
 *
 * @category combinators
 * @since 0.1.0
 */
export const render = (template: Template.Template, input: Input): Rendered => Template.render(template, context(input))
