/**
 * Facts for the states of one unit of work, as the trigger runner goes through it. The trigger
 * events and the texts of a unit only grow with its events, so they are updated with each new
 * event rather than recomputed from all of them, and the facts of one state are built once however
 * many rules ask about it. Tiers, a classification and the last reply times are worked out only
 * when some rule reads them. What a condition makes of the facts is `Compile`'s job.
 */
import type { Ticket, TicketEvent, Triggers } from "@tessera/core"
import * as Facts from "../Facts.js"
import type * as Rule from "../Rule.js"

/** The trigger events one event of a unit of work adds (`RuleTriggers.triggerEvents`). */
export const triggerEventsOf = (
  e: TicketEvent.TicketEvent,
  ticket: Ticket.Ticket
): ReadonlyArray<Rule.TriggerEvent> => {
  switch (e._tag) {
    case "TicketOpened":
      return ["created"]
    case "ReplyAdded": {
      const author = e.message.author
      if (author._tag === "agent") return ["updated", "agent_replied"]
      return author._tag === "contact" && author.id === ticket.requester
        ? ["updated", "requester_replied"]
        : ["updated"]
    }
    case "NoteAdded":
      return ["updated", "note_added"]
    case "StatusChanged":
      return ["updated", "status_changed"]
    case "SlaWarningReached":
      return ["updated", "sla_warning"]
    case "SlaBreached":
      return ["updated", "sla_breach"]
    case "SatisfactionRated":
      return ["updated", "satisfaction_rated"]
    default:
      return ["updated"]
  }
}

/** The text an event adds to the unit's messages, if any. */
export const textOf = (e: TicketEvent.TicketEvent): string | undefined =>
  e._tag === "TicketOpened" || e._tag === "ReplyAdded" || e._tag === "NoteAdded" ? e.message.text : undefined

/** The handles the notes of `events` mention, each once, after those already in `into`. */
export const mentionsOf = (events: ReadonlyArray<TicketEvent.TicketEvent>, into: ReadonlyArray<string> = []) => {
  const all = new Set(into)
  for (const e of events) if (e._tag === "NoteAdded") for (const h of e.mentions ?? []) all.add(h)
  return all.size === into.length ? into : [...all]
}

/** Which of the costlier facts some rule of a set reads. */
export interface Needs {
  readonly tiers: boolean
  readonly classification: boolean
  readonly replies: boolean
}

/** What the rules of a set read among the facts that cost something to gather. */
export const needsOf = (rules: Rule.RuleSet): Needs => {
  let tiers = false
  let classification = false
  let replies = false
  const visit = (c: Rule.Condition): void => {
    if ("all" in c) c.all.forEach(visit)
    else if ("any" in c) c.any.forEach(visit)
    else if ("not" in c) visit(c.not)
    else if ("field" in c) tiers ||= c.field === "requester.tier" || c.field === "organization.tier"
    else if ("classification" in c) classification = true
    else if ("since" in c) replies ||= c.since === "lastRequesterReply" || c.since === "lastAgentReply"
  }
  for (const rule of rules) visit(rule.if)
  return { tiers, classification, replies }
}

/** The sources of facts outside the ticket (`RuleTriggers.Options`, less assignment). */
export interface Sources {
  readonly tiers?: (ticket: Ticket.Ticket) => { readonly requester?: string; readonly organization?: string }
  readonly classify?: (text: string) => Facts.Classification
  readonly isOpen?: (at: number) => boolean
}

/** What one unit of work has gathered so far. */
interface Unit {
  readonly before: Ticket.State
  readonly now: Triggers.TriggerContext["now"]
  /** Events of the unit folded into what follows. */
  seen: number
  found: Set<Rule.TriggerEvent>
  events: ReadonlyArray<Rule.TriggerEvent>
  texts: ReadonlyArray<string>
  mentions: ReadonlyArray<string>
  classified: { readonly texts: ReadonlyArray<string>; readonly value: Facts.Classification } | undefined
  replies:
    | { readonly messages: Ticket.Ticket["messages"]; readonly value: ReturnType<typeof Facts.lastReplies> }
    | undefined
  last: { readonly current: Ticket.Ticket; readonly length: number; readonly facts: Facts.Facts } | undefined
}

const fresh = (context: Triggers.TriggerContext): Unit => ({
  before: context.before,
  now: context.now,
  seen: 0,
  found: new Set(),
  events: [],
  texts: [],
  mentions: [],
  classified: undefined,
  replies: undefined,
  last: undefined
})

/**
 * A function from a trigger context to its facts (as `RuleTriggers.factsOf` gives them, less what
 * no rule reads), remembering per unit of work (its `events` array) what it gathered.
 */
export const tracker = (sources: Sources, needs: Needs): ((context: Triggers.TriggerContext) => Facts.Facts) => {
  const units = new WeakMap<ReadonlyArray<TicketEvent.TicketEvent>, Unit>()
  return (context) => {
    const all = context.events
    let unit = units.get(all)
    if (unit === undefined || unit.before !== context.before || unit.now !== context.now || all.length < unit.seen) {
      unit = fresh(context)
      units.set(all, unit)
    }
    const current = context.current
    if (unit.last !== undefined && unit.last.current === current && unit.last.length === all.length)
      return unit.last.facts
    if (unit.seen < all.length) {
      let grew = false
      const added: Array<string> = []
      for (let i = unit.seen; i < all.length; i++) {
        const e = all[i] as TicketEvent.TicketEvent
        for (const t of triggerEventsOf(e, current)) {
          if (unit.found.has(t)) continue
          unit.found.add(t)
          grew = true
        }
        const text = textOf(e)
        if (text !== undefined) added.push(text)
      }
      if (grew) unit.events = [...unit.found]
      // A new list only when a message came, so facts of states in between share one.
      if (added.length > 0) unit.texts = [...unit.texts, ...added]
      unit.mentions = mentionsOf(all.slice(unit.seen), unit.mentions)
      unit.seen = all.length
    }
    const tiers = needs.tiers ? (sources.tiers?.(current) ?? {}) : {}
    let classification: Facts.Classification | undefined
    if (needs.classification && sources.classify !== undefined) {
      if (unit.classified?.texts !== unit.texts)
        unit.classified = { texts: unit.texts, value: sources.classify(unit.texts.join("\n")) }
      classification = unit.classified.value
    }
    let replies: ReturnType<typeof Facts.lastReplies> = {}
    if (needs.replies) {
      if (unit.replies?.messages !== current.messages)
        unit.replies = { messages: current.messages, value: Facts.lastReplies(current) }
      replies = unit.replies.value
    }
    const facts: Facts.Facts = {
      ...replies,
      ticket: current,
      ...(context.before === undefined ? {} : { previous: context.before }),
      events: unit.events,
      messages: unit.texts,
      ...(unit.mentions.length === 0 ? {} : { mentions: unit.mentions }),
      now: context.now.epochMilliseconds,
      ...(tiers.requester === undefined ? {} : { requesterTier: tiers.requester }),
      ...(tiers.organization === undefined ? {} : { organizationTier: tiers.organization }),
      ...(sources.isOpen === undefined ? {} : { isOpen: sources.isOpen }),
      ...(classification === undefined ? {} : { classification })
    }
    unit.last = { current, length: all.length, facts }
    return facts
  }
}
