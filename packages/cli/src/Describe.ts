/**
 * Words for what rules do: a ticket event a rule would cause ("priority normal → high"), a command
 * or link a rule asks for ("set priority to high"), and a condition trace as indented lines. The
 * command line prints these; the JSON output carries the same sentences beside the data.
 *
 * @since 0.1.0
 */
import type { TicketCommand, TicketEvent, Triggers } from "@tessera/core"
import type { Interpreter, Rule } from "@tessera/rules"

const show = (value: unknown): string =>
  value === undefined || value === null ? "(none)" : typeof value === "string" ? value : JSON.stringify(value)

const tags = (added: ReadonlyArray<string>, removed: ReadonlyArray<string>): string =>
  [...added.map((t) => `+${t}`), ...removed.map((t) => `-${t}`)].join(" ")

/**
 * What an event changes, in a few words.
 *
 * @category combinators
 * @since 0.1.0
 */
export const event = (e: TicketEvent.TicketEvent): string => {
  switch (e._tag) {
    case "PriorityChanged":
      return `priority ${e.from} → ${e.to}`
    case "StatusChanged":
      return `status ${e.from} → ${e.to}`
    case "GroupChanged":
      return `group ${show(e.from)} → ${show(e.to)}`
    case "AssigneeChanged":
      return `assignee ${show(e.from)} → ${show(e.to)}`
    case "TypeChanged":
      return `type ${show(e.from)} → ${e.to}`
    case "Escalated":
      return `support level ${e.from} → ${e.to} (${e.reason})`
    case "CustomFieldChanged":
      return `custom.${e.key} ${show(e.from)} → ${show(e.to)}`
    case "TagsChanged":
      return `tags ${tags(e.added, e.removed)}`
    case "NoteAdded":
      return "internal note added"
    case "ReplyAdded":
      return "reply added"
    case "NotificationRequested":
      return `notification "${e.template}" to ${e.to.join(", ")}`
    case "FollowerAdded":
      return "follower added"
    case "FollowerRemoved":
      return "follower removed"
    default:
      return e._tag
  }
}

/**
 * The field an event changes, for counting changes by kind (`priority`, `tags`, `note`, ...).
 *
 * @category combinators
 * @since 0.1.0
 */
export const changeKind = (e: TicketEvent.TicketEvent): string => {
  switch (e._tag) {
    case "PriorityChanged":
      return "priority"
    case "StatusChanged":
      return "status"
    case "GroupChanged":
      return "group"
    case "AssigneeChanged":
      return "assignee"
    case "TypeChanged":
      return "type"
    case "Escalated":
      return "support level"
    case "CustomFieldChanged":
      return `custom.${e.key}`
    case "TagsChanged":
      return "tags"
    case "NoteAdded":
      return "internal note"
    case "NotificationRequested":
      return "notification"
    default:
      return e._tag
  }
}

/**
 * What a command (or a link request) a rule asks for would do, in a few words.
 *
 * @category combinators
 * @since 0.1.0
 */
export const command = (c: TicketCommand.TicketCommand | Triggers.LinkRequest): string => {
  switch (c._tag) {
    case "SetPriority":
      return `set priority to ${c.priority}`
    case "ChangeStatus":
      return `set status to ${c.to}`
    case "Assign":
      return [
        ...(c.group === undefined ? [] : [`set group to ${show(c.group)}`]),
        ...(c.assignee === undefined ? [] : [`set assignee to ${show(c.assignee)}`])
      ].join(", ")
    case "SetType":
      return `set type to ${c.type}`
    case "SetCustomField":
      return `set custom.${c.key} to ${show(c.value)}`
    case "ChangeTags":
      return `tags ${tags(c.add, c.remove)}`
    case "AddNote":
      return "add an internal note"
    case "Escalate":
      return `escalate (${c.reason})`
    case "Notify":
      return `notify "${c.template}" to ${c.to.join(", ")}`
    case "LinkRequest":
      return `link as ${c.kind} to ${c.to}`
    default:
      return c._tag
  }
}

/** A leaf condition in a few words. */
const leaf = (c: Rule.Leaf): string => {
  if ("field" in c)
    return `${c.field} ${c.op}${"value" in c && c.value !== undefined ? ` ${JSON.stringify(c.value)}` : ""}`
  if ("text" in c) return `${c.text} text ${c.op} ${JSON.stringify(c.value)}`
  if ("classification" in c) return `${c.classification} ${c.op} ${JSON.stringify(c.value)}`
  if ("since" in c) return `since ${c.since} ${c.op} ${c.hours} h`
  if ("businessHours" in c) return `business hours ${c.businessHours}`
  return `event ${JSON.stringify(c.event)}`
}

/** What a leaf read: JSON, with hours and other fractions rounded to two decimals. */
const read = (actual: unknown): string =>
  typeof actual === "number" && !Number.isInteger(actual)
    ? String(Math.round(actual * 100) / 100)
    : (JSON.stringify(actual) ?? "nothing")

/**
 * A condition trace as indented lines: each node held (`✓`) or failed (`✗`), leaves with the
 * value they read.
 *
 * @category combinators
 * @since 0.1.0
 */
export const trace = (t: Interpreter.ConditionTrace, indent = ""): ReadonlyArray<string> => {
  const mark = t.held ? "✓" : "✗"
  switch (t._tag) {
    case "All":
    case "Any":
      return [`${indent}${mark} ${t._tag.toLowerCase()} of:`, ...t.children.flatMap((c) => trace(c, `${indent}  `))]
    case "Not":
      return [`${indent}${mark} not:`, ...trace(t.child, `${indent}  `)]
    case "Leaf":
      return [`${indent}${mark} ${leaf(t.condition)} (read ${read(t.actual)})`]
  }
}
