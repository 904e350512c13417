/**
 * What a rule's answer depends on, in the terms of core's `Triggers.Read`: the ticket fields its
 * conditions read, the tags they test, the kinds of events they ask about, and what decides
 * whether its actions ask for anything. The trigger runner asks a rule that has fired again only
 * after a change to one of these, which keeps a pass linear in the rules and their changes.
 * Evaluating conditions is `Compile`'s job; this module only reads the documents.
 *
 * @since 0.1.0
 */
import { Tag, type TicketEvent, type Triggers } from "@tessera/core"
import type * as Rule from "./Rule.js"

/** Every event type, checked complete by the compiler. */
const eventTypes: Record<TicketEvent.TicketEvent["_tag"], true> = {
  TicketOpened: true,
  ReplyAdded: true,
  NoteAdded: true,
  StatusChanged: true,
  AssigneeChanged: true,
  GroupChanged: true,
  PriorityChanged: true,
  TypeChanged: true,
  Escalated: true,
  CustomFieldChanged: true,
  TagsChanged: true,
  FollowerAdded: true,
  FollowerRemoved: true,
  LinkAdded: true,
  LinkRemoved: true,
  MergedIn: true,
  MergedInto: true,
  MergeUndone: true,
  Unmerged: true,
  MessagesSplitOff: true,
  SplitReceived: true,
  NotificationRequested: true,
  SlaWarningReached: true,
  SlaBreached: true,
  RulesFailed: true,
  NotificationDelivered: true,
  NotificationFailed: true,
  ComplexityChanged: true,
  SatisfactionRated: true,
  ProblemSolvedAnnounced: true
}

const updates: ReadonlyArray<Triggers.Read> = Object.keys(eventTypes)
  .filter((t) => t !== "TicketOpened")
  .map((t) => `event:${t}` as Triggers.Read)

/** What a trigger event depends on (`RuleTriggers.triggerEvents` says how events map to them). */
const ofEvent = (event: Rule.TriggerEvent): ReadonlyArray<Triggers.Read> => {
  switch (event) {
    case "created":
      return ["event:TicketOpened"]
    // Who wrote each reply decides these, not only whether there is one.
    case "requester_replied":
    case "agent_replied":
      return ["events"]
    case "note_added":
      return ["event:NoteAdded"]
    case "status_changed":
      return ["event:StatusChanged"]
    case "sla_warning":
      return ["event:SlaWarningReached"]
    case "sla_breach":
      return ["event:SlaBreached"]
    case "satisfaction_rated":
      return ["event:SatisfactionRated"]
    case "updated":
      return updates
  }
}

const tagOps: ReadonlyArray<Rule.FieldOp> = ["includes", "excludes", "changedTo", "changedFrom"]

const ofField = (c: Rule.FieldCondition): ReadonlyArray<Triggers.Read> => {
  const field = c.field
  if (field === "tags") {
    if (!tagOps.includes(c.op)) return ["tags"]
    const values = c.value === undefined ? [] : Array.isArray(c.value) ? c.value : [c.value]
    return values.map((v) => `tag:${Tag.normalize(String(v))}` as Triggers.Read)
  }
  // Tiers come from `Options.tiers`, asked about the requester and the organization.
  if (field === "requester.tier" || field === "organization.tier") return ["requester", "organization"]
  if (field.startsWith("custom.")) return [`customField:${field.slice("custom.".length)}`]
  if (field === "satisfaction") return ["ratings"]
  return [field as Triggers.Read]
}

const sinceReads: Record<Rule.SinceCondition["since"], ReadonlyArray<Triggers.Read>> = {
  created: ["createdAt"],
  updated: ["updatedAt"],
  statusChanged: ["statusChangedAt"],
  lastRequesterReply: ["messages"],
  lastAgentReply: ["messages"]
}

/**
 * What a condition reads: the texts of a unit of work and a classification come from its
 * messages; `now`, business hours and the ticket before the command are fixed for a unit.
 *
 * @category combinators
 * @since 0.1.0
 */
export const ofCondition = (c: Rule.Condition): ReadonlyArray<Triggers.Read> => {
  const out = new Set<Triggers.Read>()
  const visit = (node: Rule.Condition): void => {
    if ("all" in node) node.all.forEach(visit)
    else if ("any" in node) node.any.forEach(visit)
    else if ("not" in node) visit(node.not)
    else if ("field" in node) for (const r of ofField(node)) out.add(r)
    else if ("text" in node) {
      if (node.text !== "subject") out.add("messages")
      if (node.text !== "message") out.add("subject")
    } else if ("since" in node) for (const r of sinceReads[node.since]) out.add(r)
    else if ("classification" in node) out.add("messages")
    else if ("event" in node)
      for (const e of typeof node.event === "string" ? [node.event] : node.event) for (const r of ofEvent(e)) out.add(r)
  }
  visit(c)
  return [...out]
}

/** Actions that ask for a command whatever the ticket: with one, only the condition decides. */
const alwaysAsks = (a: Rule.Action): boolean => "addTags" in a || "removeTags" in a || "notify" in a || "link" in a

/**
 * What a trigger rule's answer depends on: its `on`, its condition, and what may leave its
 * actions with nothing to ask (a note already on the ticket, the top support level). Undefined
 * when that may be anything: an `assign` action asks `options.assign`, which may read the whole
 * ticket.
 *
 * @category combinators
 * @since 0.1.0
 */
export const ofRule = (
  rule: Rule.Rule,
  options: { readonly assign?: unknown } = {}
): ReadonlyArray<Triggers.Read> | undefined => {
  const out = new Set<Triggers.Read>(ofCondition(rule.if))
  if (rule.on !== undefined) for (const e of rule.on) for (const r of ofEvent(e)) out.add(r)
  if (!rule.then.some(alwaysAsks)) {
    for (const a of rule.then) {
      if ("note" in a) out.add("messages")
      else if ("escalate" in a) out.add("supportLevel")
      else if ("assign" in a && options.assign !== undefined) return undefined
    }
  }
  return [...out]
}
