/**
 * The help desk's default notifications, as core trigger rules: when a notification is asked
 * for, for whom, and from which template. Each rule reads the events of the unit of work and
 * answers with a `Notify` command per occurrence it has not yet asked for, so a unit asks once
 * per reply, solve or warning however many passes the rules take. Rendering, recipients and
 * delivery are the outbox worker's and the templates' business, not this module's.
 *
 * Recipients are named as `NotificationRequested.to` names them: `requester`, `followers`,
 * `group` (the ticket's group when delivered), `agent:<id>`, and `mention:<handle>` (a handle as
 * a note wrote it, `Mention.resolve` tells whom it names).
 */
import { TicketCommand as C, type Mention, type Ticket, type TicketEvent, type Triggers } from "@tessera/core"
import { Effect, Schema } from "effect"

/**
 * The kinds of default notification, each also the name of its template unless `Options.templates`
 * says otherwise. To the customer: `acknowledgement` (a ticket they opened), `reply` (an agent's
 * public reply), `still_on_it` (an SLA warning reached while they wait for an answer), `survey`
 * (the ticket solved). To agents: `assigned`, `customer_replied`, `sla_warning`, `mentioned`.
 *
 * @category models
 * @since 0.1.0
 */
export const Kind = Schema.Literals([
  "acknowledgement",
  "reply",
  "still_on_it",
  "survey",
  "assigned",
  "customer_replied",
  "sla_warning",
  "mentioned"
])
/** @category models @since 0.1.0 */
export type Kind = typeof Kind.Type

/**
 * Every kind, in the order their rules run.
 *
 * @category models
 * @since 0.1.0
 */
export const kinds: ReadonlyArray<Kind> = Kind.literals

/**
 * Which default notifications a help desk asks for, and from which templates. Every kind is on
 * unless `enabled` sets it to `false`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** `false` turns a kind off. */
  readonly enabled?: Partial<Record<Kind, boolean>>
  /** The template a kind asks for (default: the kind's name). */
  readonly templates?: Partial<Record<Kind, string>>
  /**
   * Acknowledge a ticket an agent opens on a customer's behalf too (default false: the customer
   * is on the phone with the agent, or the agent tells them).
   */
  readonly acknowledgeAgentOpened?: boolean
  /**
   * The version recorded with each rule's id on the events it causes (default 1): raise it when
   * the options change, so a ticket's history tells the notifications of each setup apart.
   */
  readonly version?: number
}

/**
 * The id of a kind's rule, as it appears on the events it causes (`rule.id`) and in the outbox
 * payload: `notify:acknowledgement`, ...
 *
 * @category constructors
 * @since 0.1.0
 */
export const ruleId = (kind: Kind): string => `notify:${kind}`

type Event = TicketEvent.TicketEvent
type Message = Ticket.Ticket["messages"][number]

/** The recipients the requests of one rule in this unit of work named, one list per request. */
const requestsOf = (events: ReadonlyArray<Event>, id: string): ReadonlyArray<ReadonlyArray<string>> =>
  events.flatMap((e) => (e._tag === "NotificationRequested" && e.rule?.id === id ? [e.to] : []))

const isSolvedOrClosed = (ticket: Ticket.Ticket) => ticket.category === "solved" || ticket.category === "closed"

/** The last public message of a ticket, in time order (`Ticket.messages` is kept in it). */
const lastPublic = (ticket: Ticket.Ticket): Message | undefined => {
  for (let i = ticket.messages.length - 1; i >= 0; i--) {
    const m = ticket.messages[i] as Message
    if (m.visibility === "public") return m
  }
  return undefined
}

/** The last public message the requester wrote. */
const lastFromRequester = (ticket: Ticket.Ticket): Message | undefined => {
  for (let i = ticket.messages.length - 1; i >= 0; i--) {
    const m = ticket.messages[i] as Message
    if (m.visibility === "public" && m.author._tag === "contact" && m.author.id === ticket.requester) return m
  }
  return undefined
}

/** Written by a machine (intake's verdict): nothing may answer it automatically. */
const isAutomated = (m: Message | undefined) => m?.email?.automated === true

/** What one kind asks for now: the recipients of each request still due in this unit. */
type Due = (
  context: Triggers.TriggerContext,
  requested: ReadonlyArray<ReadonlyArray<string>>
) => ReadonlyArray<ReadonlyArray<string>>

const once = (occurred: boolean, requested: ReadonlyArray<unknown>, to: ReadonlyArray<string>) =>
  occurred && requested.length === 0 && to.length > 0 ? [to] : []

/** The ticket's assignee, or its group when it has none: who answers for it. */
const responsible = (ticket: Ticket.Ticket): ReadonlyArray<string> =>
  ticket.assignee !== undefined ? [`agent:${ticket.assignee}`] : ticket.group !== undefined ? ["group"] : []

const agentReplies = (events: ReadonlyArray<Event>) =>
  events.filter((e) => e._tag === "ReplyAdded" && e.message.author._tag === "agent")
const customerReplies = (events: ReadonlyArray<Event>) =>
  events.filter((e) => e._tag === "ReplyAdded" && e.message.author._tag === "contact")

const dueOf = (options: Options): Record<Kind, Due> => ({
  // The customer opened the ticket (or an agent did, when configured), and no machine wrote it.
  acknowledgement: ({ events }, requested) => {
    const opened = events.find((e): e is TicketEvent.TicketOpened => e._tag === "TicketOpened")
    if (opened === undefined) return []
    const by = opened.by
    const byCustomer = by._tag === "contact" && by.id === opened.requester
    const byAgent = by._tag === "agent" && options.acknowledgeAgentOpened === true
    const open = opened.category !== "solved" && opened.category !== "closed"
    return once((byCustomer || byAgent) && open && !isAutomated(opened.message), requested, ["requester"])
  },
  // Each public reply an agent wrote goes to the requester and the followers; a note never does.
  reply: ({ events }, requested) =>
    agentReplies(events)
      .slice(requested.length)
      .map(() => ["requester", "followers"]),
  // A warning while the customer waits: the last public message is theirs, and a person wrote it.
  still_on_it: ({ events, current }, requested) => {
    const last = lastPublic(current)
    const waiting = last !== undefined && last.author._tag === "contact" && !isAutomated(last)
    const warned = events.some((e) => e._tag === "SlaWarningReached")
    return once(warned && waiting && !isSolvedOrClosed(current), requested, ["requester", "followers"])
  },
  // The unit solved the ticket (and left it solved); not for a requester who is a machine.
  survey: ({ events, current }, requested) => {
    const solved = events.some(
      (e) => e._tag === "StatusChanged" && e.toCategory === "solved" && e.fromCategory !== "solved"
    )
    return once(solved && current.category === "solved" && !isAutomated(lastFromRequester(current)), requested, [
      "requester"
    ])
  },
  // A new assignee (not one who took the ticket themselves), or the group of an unassigned ticket.
  assigned: ({ events, before, current }, requested) => {
    const asked = new Set(requested.flat())
    if (current.assignee !== undefined) {
      if (current.assignee === before?.assignee) return []
      const target = `agent:${current.assignee}`
      const by = [...events]
        .reverse()
        .find(
          (e) =>
            (e._tag === "AssigneeChanged" && e.to === current.assignee) ||
            (e._tag === "TicketOpened" && e.assignee === current.assignee)
        )?.by
      const self = by?._tag === "agent" && by.id === current.assignee
      return self || asked.has(target) ? [] : [[target]]
    }
    if (current.group === undefined || current.group === before?.group || asked.has("group")) return []
    return [["group"]]
  },
  // Each reply from the customer's side, to the assignee.
  customer_replied: ({ events, current }, requested) =>
    current.assignee === undefined
      ? []
      : customerReplies(events)
          .slice(requested.length)
          .map(() => [`agent:${current.assignee}`]),
  // A warning, to whoever answers for the ticket.
  sla_warning: ({ events, current }, requested) =>
    once(
      events.some((e) => e._tag === "SlaWarningReached"),
      requested,
      responsible(current)
    ),
  // Each note that mentions someone, to everyone it mentions.
  mentioned: ({ events }, requested) =>
    events
      .flatMap((e) => (e._tag === "NoteAdded" && e.mentions !== undefined && e.mentions.length > 0 ? [e.mentions] : []))
      .slice(requested.length)
      .map((handles) => handles.map((h: Mention.Handle) => `mention:${h}`))
})

/**
 * The default notifications as trigger rules, one per kind that is on, in the order of `kinds`.
 * Put them after the help desk's own rules in `Triggers.rules`, so they see what those rules did
 * first (they see it anyway on the next pass). A rule asks once per occurrence: once per unit of
 * work for the acknowledgement, `still_on_it`, the survey and `sla_warning`; once per reply, per
 * note that mentions someone, and per new assignee or group.
 *
 * @example
 * const triggers = { rules: [...myRules, ...NotifyTriggers.rules({ enabled: { survey: false } })] }
 * const layer = MemoryHelpdesk.layer({ workspaceId: "acme" }, { triggers })
 *
 * @category constructors
 * @since 0.1.0
 */
export const rules = (options: Options = {}): ReadonlyArray<Triggers.TriggerRule> => {
  const due = dueOf(options)
  const version = options.version ?? 1
  return kinds
    .filter((kind) => options.enabled?.[kind] !== false)
    .map((kind) => {
      const id = ruleId(kind)
      const template = options.templates?.[kind] ?? kind
      return {
        rule: { id, version },
        // Every answer depends on the unit's events (and on the ticket they leave).
        reads: ["events"],
        fire: (context) =>
          Effect.succeed(
            due[kind](context, requestsOf(context.events, id)).map(
              (to) => new C.Notify({ ticketId: context.current.id, template, to })
            )
          )
      }
    })
}
