/**
 * The actions of a rule document (`then`): set an attribute (complexity included) or a custom field, add or remove
 * tags, assign by a strategy, add a note, notify, link, escalate. `Action` is the single list of
 * them, each a Schema whose first field names its kind. Checks that need the workspace's
 * vocabulary (priorities, statuses) are the decoder's; running actions is `RuleTriggers`'.
 *
 * @since 0.1.0
 */
import { Ids, Priority } from "@tessera/core"
import { Schema } from "effect"
import { Scalar } from "./Condition.js"

// -- actions ---------------------------------------------------------------------------------------

const like = <S extends Schema.Top>(schema: S, what: string) =>
  Schema.String.check(Schema.makeFilter((s: string) => (Schema.is(schema)(s) ? undefined : `Expected ${what}`)))

const GroupRef = like(Ids.GroupId, "a group id")
const AgentRef = like(Ids.AgentId, "an agent id")
const NonEmptyText = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/**
 * Sets a ticket attribute; `null` clears a group or assignee.
 *
 * @category models
 * @since 0.1.0
 */
export const SetAction = Schema.Struct({
  set: Schema.Literals(["priority", "status", "type", "complexity", "group", "assignee"]),
  value: Schema.NullOr(Schema.String)
})
/** @category models @since 0.1.0 */
export type SetAction = typeof SetAction.Type

/**
 * Sets a custom field; `null` clears it.
 *
 * @category models
 * @since 0.1.0
 */
export const SetFieldAction = Schema.Struct({
  setField: Schema.String.check(
    Schema.isPattern(/^[a-z][a-z0-9_]{0,63}$/, {
      message: "Expected a field key of 1 to 64 lower-case letters, digits or '_', starting with a letter"
    })
  ),
  value: Schema.NullOr(Scalar)
})
/** @category models @since 0.1.0 */
export type SetFieldAction = typeof SetFieldAction.Type

/** @category models @since 0.1.0 */
export const AddTagsAction = Schema.Struct({ addTags: Schema.NonEmptyArray(Schema.String) })
/** @category models @since 0.1.0 */
export type AddTagsAction = typeof AddTagsAction.Type

/** @category models @since 0.1.0 */
export const RemoveTagsAction = Schema.Struct({ removeTags: Schema.NonEmptyArray(Schema.String) })
/** @category models @since 0.1.0 */
export type RemoveTagsAction = typeof RemoveTagsAction.Type

/**
 * Assigns by a strategy, within a group (the ticket's own when left out).
 *
 * @category models
 * @since 0.1.0
 */
export const AssignAction = Schema.Struct({
  assign: Schema.Struct({
    strategy: Schema.Literals(["round_robin", "least_loaded", "skills"]),
    group: Schema.optionalKey(GroupRef)
  })
})
/** @category models @since 0.1.0 */
export type AssignAction = typeof AssignAction.Type

/**
 * Adds an internal note.
 *
 * @category models
 * @since 0.1.0
 */
export const NoteAction = Schema.Struct({ note: NonEmptyText(10_000) })
/** @category models @since 0.1.0 */
export type NoteAction = typeof NoteAction.Type

/**
 * Who a notification goes to: a role on the ticket, `agent:<id>`, or an email address.
 *
 * @category models
 * @since 0.1.0
 */
export const Recipient = Schema.String.check(
  Schema.makeFilter((s: string) =>
    ["requester", "assignee", "group", "followers"].includes(s) ||
    (s.startsWith("agent:") && Schema.is(Ids.AgentId)(s.slice(6))) ||
    /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)
      ? undefined
      : "Expected requester, assignee, group, followers, agent:<id> or an email address"
  )
)

/**
 * Sends a notification from a template.
 *
 * @category models
 * @since 0.1.0
 */
export const NotifyAction = Schema.Struct({
  notify: Schema.Struct({ template: NonEmptyText(200), to: Schema.NonEmptyArray(Recipient) })
})
/** @category models @since 0.1.0 */
export type NotifyAction = typeof NotifyAction.Type

/**
 * Links the ticket to another, by public number or id.
 *
 * @category models
 * @since 0.1.0
 */
export const LinkAction = Schema.Struct({
  link: Schema.Struct({
    kind: Schema.Literals(["related", "parent", "child", "duplicate_of", "problem", "incident"]),
    to: Schema.Union([Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)), like(Ids.TicketId, "a ticket id")])
  })
})
/** @category models @since 0.1.0 */
export type LinkAction = typeof LinkAction.Type

/**
 * Escalates: raises the support level with a reason, and optionally the priority, group or
 * assignee.
 *
 * @category models
 * @since 0.1.0
 */
export const EscalateAction = Schema.Struct({
  escalate: Schema.Struct({
    priority: Schema.optionalKey(Priority.Priority),
    group: Schema.optionalKey(GroupRef),
    assignee: Schema.optionalKey(AgentRef),
    reason: NonEmptyText(500)
  })
})
/** @category models @since 0.1.0 */
export type EscalateAction = typeof EscalateAction.Type

/**
 * Every action.
 *
 * @category models
 * @since 0.1.0
 */
export const Action = Schema.Union([
  SetAction,
  SetFieldAction,
  AddTagsAction,
  RemoveTagsAction,
  AssignAction,
  NoteAction,
  NotifyAction,
  LinkAction,
  EscalateAction
])
/** @category models @since 0.1.0 */
export type Action = typeof Action.Type
