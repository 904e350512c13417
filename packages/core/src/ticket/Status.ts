/**
 * Statuses and the workflow between them. Every status belongs to one of six categories
 * (`new | open | pending | on_hold | solved | closed`) which carry the semantics (SLA pauses,
 * reopening, finality); a workspace may declare its own statuses inside those categories and
 * the transitions allowed between them. The defaults behave like the best-known help desks.
 */
import { Duration, Schema } from "effect"
import type { GroupId } from "../values/Ids.js"

/**
 * The six status categories. `closed` is final.
 *
 * @category models
 * @since 0.1.0
 */
export const StatusCategory = Schema.Literals(["new", "open", "pending", "on_hold", "solved", "closed"])
/** @category models @since 0.1.0 */
export type StatusCategory = typeof StatusCategory.Type

/**
 * A status id. The defaults have the same names as their categories; custom ones are declared
 * in the workflow (`awaiting_vendor` in `on_hold`).
 *
 * @category models
 * @since 0.1.0
 */
export const StatusId = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_]{0,63}$/, {
    message: "Expected a status of 1 to 64 lower-case letters, digits or '_', starting with a letter"
  })
).pipe(Schema.brand("StatusId"))
/** @category models @since 0.1.0 */
export type StatusId = typeof StatusId.Type

/**
 * A status as declared by a workspace.
 *
 * @category models
 * @since 0.1.0
 */
export const StatusDefinition = Schema.Struct({
  id: StatusId,
  category: StatusCategory,
  label: Schema.String
})
/** @category models @since 0.1.0 */
export type StatusDefinition = typeof StatusDefinition.Type

/**
 * What a requester's message does to a solved ticket: reopen it always, or only when it was
 * solved less than `days` ago (older ones get a follow-up ticket instead, as a closed one does).
 *
 * @category models
 * @since 0.1.0
 */
export const ReopenPolicy = Schema.Union([
  Schema.TaggedStruct("AlwaysReopen", {}),
  Schema.TaggedStruct("ReopenWithin", { days: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)) })
])
/** @category models @since 0.1.0 */
export type ReopenPolicy = typeof ReopenPolicy.Type

/**
 * A workspace's workflow: statuses, allowed transitions, and the time-driven defaults.
 * `transitions` maps a status to the statuses it may move to; a status absent from the map
 * follows the default rule (anything but `new`, and `closed` only from `solved`).
 *
 * @category models
 * @since 0.1.0
 */
export const Workflow = Schema.Struct({
  statuses: Schema.Array(StatusDefinition),
  transitions: Schema.optionalKey(Schema.Record(Schema.String, Schema.Array(StatusId))),
  /** Solved tickets close this long after they were solved. */
  closeSolvedAfterHours: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)),
  /** What a requester's reply does to a solved ticket, by default and per group. */
  reopen: Schema.Struct({
    default: ReopenPolicy,
    byGroup: Schema.Record(Schema.String, ReopenPolicy)
  })
})
/** @category models @since 0.1.0 */
export type Workflow = typeof Workflow.Type

const builtIn = (id: StatusCategory, label: string): StatusDefinition => ({ id: id as StatusId, category: id, label })

/**
 * The default workflow: one status per category, solved tickets close after 4 days, a
 * requester's reply always reopens a solved ticket.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultWorkflow: Workflow = {
  statuses: [
    builtIn("new", "New"),
    builtIn("open", "Open"),
    builtIn("pending", "Pending"),
    builtIn("on_hold", "On hold"),
    builtIn("solved", "Solved"),
    builtIn("closed", "Closed")
  ],
  closeSolvedAfterHours: 96,
  reopen: { default: { _tag: "AlwaysReopen" }, byGroup: {} }
}

/**
 * A status's definition in a workflow, if it is declared there.
 *
 * @category combinators
 * @since 0.1.0
 */
export const find = (workflow: Workflow, status: string): StatusDefinition | undefined =>
  workflow.statuses.find((s) => s.id === status)

/**
 * The status a category falls back to when the system moves a ticket (the first declared
 * status of that category, or the category's own name).
 *
 * @category combinators
 * @since 0.1.0
 */
export const defaultFor = (workflow: Workflow, category: StatusCategory): StatusId =>
  workflow.statuses.find((s) => s.category === category)?.id ?? (category as StatusId)

/**
 * The category of a status; unknown statuses are reported as `undefined`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const categoryOf = (workflow: Workflow, status: string): StatusCategory | undefined =>
  find(workflow, status)?.category

/**
 * Whether a workflow allows moving from one status to another. Moving to the same status is
 * not a transition. Closed is final, nothing returns to new, and by default only solved
 * tickets close (help desks close them on a timer, after the customer had a chance to answer).
 *
 * @category predicates
 * @since 0.1.0
 */
export const canMove = (workflow: Workflow, from: StatusId, to: StatusId): boolean => {
  const source = find(workflow, from)
  const target = find(workflow, to)
  if (source === undefined || target === undefined || from === to) return false
  if (source.category === "closed" || target.category === "new") return false
  // Own keys only: a status or group named `constructor` must not read Object.prototype.
  const declared =
    workflow.transitions !== undefined && Object.hasOwn(workflow.transitions, from)
      ? workflow.transitions[from]
      : undefined
  if (declared !== undefined) return declared.includes(to)
  return target.category !== "closed" || source.category === "solved"
}

/**
 * The reopen policy that applies to a ticket of the given group.
 *
 * @category combinators
 * @since 0.1.0
 */
export const reopenPolicyFor = (workflow: Workflow, group: GroupId | undefined): ReopenPolicy =>
  (group !== undefined && Object.hasOwn(workflow.reopen.byGroup, group) ? workflow.reopen.byGroup[group] : undefined) ??
  workflow.reopen.default

/**
 * How long a solved ticket stays solved before the time-driven close.
 *
 * @category combinators
 * @since 0.1.0
 */
export const closeSolvedAfter = (workflow: Workflow): Duration.Duration =>
  Duration.hours(workflow.closeSolvedAfterHours)

/**
 * Status categories in which a ticket is considered unresolved (agents' queues).
 *
 * @category models
 * @since 0.1.0
 */
export const unresolvedCategories: ReadonlyArray<StatusCategory> = ["new", "open", "pending", "on_hold"]

/**
 * Problems that make a workflow unusable: duplicate status ids, a category without any
 * status, transitions naming undeclared statuses. Empty when the workflow is sound.
 *
 * @category combinators
 * @since 0.1.0
 */
export const problems = (workflow: Workflow): ReadonlyArray<string> => {
  const out: Array<string> = []
  const ids = workflow.statuses.map((s) => s.id)
  for (const [i, id] of ids.entries()) if (ids.indexOf(id) !== i) out.push(`status "${id}" is declared twice`)
  for (const category of StatusCategory.literals) {
    if (!workflow.statuses.some((s) => s.category === category)) out.push(`no status in category "${category}"`)
  }
  for (const [from, targets] of Object.entries(workflow.transitions ?? {})) {
    for (const id of [from, ...targets]) {
      if (!ids.includes(id as StatusId)) out.push(`transition names undeclared status "${id}"`)
    }
  }
  return out
}
