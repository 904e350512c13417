/**
 * A typed builder for rule documents: rules written in code produce the same JSON as rules
 * stored in a database, and go through the same `decodeRule` and `Compile`. The types offer
 * only the operators a field accepts (no `lt` on tags, no `changed` on a tier) and the values it
 * holds (priorities, categories, channels, types). The builder checks nothing at run time:
 * decode its output when the inputs are not literals.
 *
 * @example
 * ```ts
 * const rule = Builder.trigger("billing-premium", 1)
 *   .on("created")
 *   .when(Builder.all(Builder.field("tags").includes("billing"), Builder.field("requester.tier").is("premium")))
 *   .do(Builder.set("group", "billing-seniors"), Builder.set("priority", "high"))
 * ```
 *
 * @since 0.1.0
 */
import type { Channel, Priority, Status, TicketType } from "@tessera/core"
import type * as Rule from "./Rule.js"

type NonEmpty<A> = readonly [A, ...Array<A>]

/**
 * The values a field holds, for the builder's types.
 *
 * @category models
 * @since 0.1.0
 */
export type ValueOf<F extends Rule.FieldName> = F extends "priority"
  ? Priority.Priority
  : F extends "category"
    ? Status.StatusCategory
    : F extends "channel"
      ? Channel.Channel
      : F extends "type"
        ? TicketType.TicketType
        : F extends "supportLevel"
          ? number
          : F extends Rule.CustomFieldName
            ? Rule.Scalar
            : string

/** @category models @since 0.1.0 */
export interface EqualityOps<V> {
  /** The field equals the value. */
  readonly is: (value: V) => Rule.FieldCondition
  /** The field differs from the value (or is absent). */
  readonly isNot: (value: V) => Rule.FieldCondition
  /** The field equals one of the values. */
  readonly in: (values: NonEmpty<V>) => Rule.FieldCondition
  /** The field equals none of the values (or is absent). */
  readonly notIn: (values: NonEmpty<V>) => Rule.FieldCondition
  /** The field has a value. */
  readonly present: () => Rule.FieldCondition
  /** The field has no value. */
  readonly absent: () => Rule.FieldCondition
}

/** @category models @since 0.1.0 */
export interface OrderOps<V> {
  /** Less than the value. */
  readonly lt: (value: V) => Rule.FieldCondition
  /** Less than or equal to the value. */
  readonly lte: (value: V) => Rule.FieldCondition
  /** Greater than the value. */
  readonly gt: (value: V) => Rule.FieldCondition
  /** Greater than or equal to the value. */
  readonly gte: (value: V) => Rule.FieldCondition
}

/** @category models @since 0.1.0 */
export interface ChangeOps<V> {
  /** Changed by the command (on creation: present). */
  readonly changed: () => Rule.FieldCondition
  /** Changed by the command to the value. */
  readonly changedTo: (value: V) => Rule.FieldCondition
  /** Changed by the command from the value. */
  readonly changedFrom: (value: V) => Rule.FieldCondition
}

/**
 * Tag operators; a list means any of them.
 *
 * @category models
 * @since 0.1.0
 */
export interface TagOps {
  /** The ticket has one of the tags. */
  readonly includes: (tags: string | NonEmpty<string>) => Rule.FieldCondition
  /** The ticket has none of the tags. */
  readonly excludes: (tags: string | NonEmpty<string>) => Rule.FieldCondition
  /** The ticket has at least one tag. */
  readonly present: () => Rule.FieldCondition
  /** The ticket has no tag. */
  readonly absent: () => Rule.FieldCondition
  /** The command added or removed a tag. */
  readonly changed: () => Rule.FieldCondition
  /** One of the tags was added by the command. */
  readonly changedTo: (tags: string | NonEmpty<string>) => Rule.FieldCondition
  /** One of the tags was removed by the command. */
  readonly changedFrom: (tags: string | NonEmpty<string>) => Rule.FieldCondition
}

/**
 * The operators of a field.
 *
 * @category models
 * @since 0.1.0
 */
export type FieldOps<F extends Rule.FieldName> = F extends "tags"
  ? TagOps
  : F extends "requester.tier" | "organization.tier"
    ? EqualityOps<string>
    : F extends "priority" | "supportLevel"
      ? EqualityOps<ValueOf<F>> & OrderOps<ValueOf<F>> & ChangeOps<ValueOf<F>>
      : F extends Rule.CustomFieldName
        ? EqualityOps<Rule.Scalar> & OrderOps<number> & ChangeOps<Rule.Scalar>
        : EqualityOps<ValueOf<F>> & ChangeOps<ValueOf<F>>

/**
 * Starts a condition on a field.
 *
 * @category constructors
 * @since 0.1.0
 */
export const field = <F extends Rule.FieldName>(name: F): FieldOps<F> => {
  const make =
    (op: Rule.FieldOp) =>
    (value?: Rule.Scalar | ReadonlyArray<Rule.Scalar>): Rule.FieldCondition =>
      value === undefined ? { field: name, op } : { field: name, op, value }
  const ops = {
    is: make("is"),
    isNot: make("isNot"),
    in: make("in"),
    notIn: make("notIn"),
    present: () => make("present")(),
    absent: () => make("absent")(),
    lt: make("lt"),
    lte: make("lte"),
    gt: make("gt"),
    gte: make("gte"),
    includes: make("includes"),
    excludes: make("excludes"),
    changed: () => make("changed")(),
    changedTo: make("changedTo"),
    changedFrom: make("changedFrom")
  }
  return ops as unknown as FieldOps<F>
}

/**
 * A custom field, by key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const custom = (key: string): FieldOps<Rule.CustomFieldName> => field(`custom.${key}`)

/** @category models @since 0.1.0 */
export interface TextOps {
  /** Every word appears (case and accents ignored). */
  readonly containsWords: (words: string | NonEmpty<string>) => Rule.TextCondition
  /** At least one word appears. */
  readonly containsAny: (words: string | NonEmpty<string>) => Rule.TextCondition
  /** The safe pattern (see `Pattern`) matches. */
  readonly matches: (pattern: string, options?: { readonly ignoreCase?: boolean }) => Rule.TextCondition
}

/**
 * Starts a condition on the added messages, the subject, or both.
 *
 * @category constructors
 * @since 0.1.0
 */
export const text = (source: Rule.TextCondition["text"]): TextOps => ({
  containsWords: (value) => ({ text: source, op: "containsWords", value }),
  containsAny: (value) => ({ text: source, op: "containsAny", value }),
  matches: (value, options) =>
    options?.ignoreCase === undefined
      ? { text: source, op: "matches", value }
      : { text: source, op: "matches", value, ignoreCase: options.ignoreCase }
})

/**
 * Starts a condition on the hours elapsed since a moment of the ticket.
 *
 * @category constructors
 * @since 0.1.0
 */
export const since = (
  moment: Rule.SinceCondition["since"]
): {
  /** At least this many hours have passed since the moment. */
  readonly atLeast: (hours: number) => Rule.SinceCondition
  /** Fewer than this many hours have passed since the moment. */
  readonly lessThan: (hours: number) => Rule.SinceCondition
} => ({
  atLeast: (hours) => ({ since: moment, op: "atLeast", hours }),
  lessThan: (hours) => ({ since: moment, op: "lessThan", hours })
})

/**
 * Within (`open`) or outside (`closed`) business hours.
 *
 * @category constructors
 * @since 0.1.0
 */
export const businessHours = (state: "open" | "closed"): Rule.BusinessHoursCondition => ({ businessHours: state })

type ClassValue<K extends Rule.ClassificationCondition["classification"]> = K extends "sentiment"
  ? Rule.Sentiment
  : Rule.Urgency

/**
 * Starts a condition on a classifier's verdict.
 *
 * @category constructors
 * @since 0.1.0
 */
export const classification = <K extends Rule.ClassificationCondition["classification"]>(
  kind: K
): {
  /** The classification is the value. */
  readonly is: (value: ClassValue<K>) => Rule.ClassificationCondition
  /** The classification is one of the values. */
  readonly in: (values: NonEmpty<ClassValue<K>>) => Rule.ClassificationCondition
} => ({
  is: (value) => ({ classification: kind, op: "is", value }),
  in: (value) => ({ classification: kind, op: "in", value })
})

/**
 * The command produced one of these events.
 *
 * @category constructors
 * @since 0.1.0
 */
export const event = (...events: NonEmpty<Rule.TriggerEvent>): Rule.EventCondition =>
  events.length === 1 ? { event: events[0] } : { event: events }

/**
 * Every condition holds (true when none).
 *
 * @category combinators
 * @since 0.1.0
 */
export const all = (...conditions: ReadonlyArray<Rule.Condition>): Rule.Condition => ({ all: conditions })

/**
 * At least one condition holds (false when none).
 *
 * @category combinators
 * @since 0.1.0
 */
export const any = (...conditions: ReadonlyArray<Rule.Condition>): Rule.Condition => ({ any: conditions })

/**
 * The condition does not hold.
 *
 * @category combinators
 * @since 0.1.0
 */
export const not = (condition: Rule.Condition): Rule.Condition => ({ not: condition })

// -- actions ---------------------------------------------------------------------------------------

type SetValue<F extends Rule.SetAction["set"]> = F extends "priority"
  ? Priority.Priority
  : F extends "type"
    ? TicketType.TicketType
    : F extends "status"
      ? string
      : string | null

/**
 * Sets a ticket attribute (`null` clears a group or assignee).
 *
 * @category constructors
 * @since 0.1.0
 */
export const set = <F extends Rule.SetAction["set"]>(attribute: F, value: SetValue<F>): Rule.SetAction => ({
  set: attribute,
  value
})

/**
 * Sets a custom field (`null` clears it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setField = (key: string, value: Rule.Scalar | null): Rule.SetFieldAction => ({ setField: key, value })

/** @category constructors @since 0.1.0 */
export const addTags = (...tags: NonEmpty<string>): Rule.AddTagsAction => ({ addTags: tags })

/** @category constructors @since 0.1.0 */
export const removeTags = (...tags: NonEmpty<string>): Rule.RemoveTagsAction => ({ removeTags: tags })

/**
 * Assigns by a strategy, within a group (the ticket's own when left out).
 *
 * @category constructors
 * @since 0.1.0
 */
export const assign = (strategy: Rule.AssignAction["assign"]["strategy"], group?: string): Rule.AssignAction => ({
  assign: group === undefined ? { strategy } : { strategy, group }
})

/** @category constructors @since 0.1.0 */
export const note = (text: string): Rule.NoteAction => ({ note: text })

/**
 * Notifies recipients from a template: `requester`, `assignee`, `group`, `followers`,
 * `agent:<id>` or an email address.
 *
 * @category constructors
 * @since 0.1.0
 */
export const notify = (
  template: string,
  to: NonEmpty<"requester" | "assignee" | "group" | "followers" | (string & {})>
): Rule.NotifyAction => ({ notify: { template, to } })

/** @category constructors @since 0.1.0 */
export const link = (kind: Rule.LinkAction["link"]["kind"], to: number | string): Rule.LinkAction => ({
  link: { kind, to }
})

/**
 * Escalates with a reason, optionally raising the priority and reassigning.
 *
 * @category constructors
 * @since 0.1.0
 */
export const escalate = (escalation: Rule.EscalateAction["escalate"]): Rule.EscalateAction => ({
  escalate: escalation
})

// -- rules -----------------------------------------------------------------------------------------

interface Draft {
  readonly id: string
  readonly version: number
  readonly kind: "trigger" | "automation"
  readonly name?: string
  readonly enabled?: boolean
  readonly on?: ReadonlyArray<Rule.TriggerEvent>
}

/**
 * A rule with its condition, waiting for its actions.
 *
 * @category models
 * @since 0.1.0
 */
export interface Conditioned {
  /** Finishes the rule with its actions (named `do`, not `then`, so that it is not a thenable). */
  readonly do: (...actions: NonEmpty<Rule.Action>) => Rule.Rule
}

/**
 * A rule being described.
 *
 * @category models
 * @since 0.1.0
 */
export interface RuleBuilder<K extends "trigger" | "automation"> {
  /** Gives the rule a name for people (its id stays the key). */
  readonly named: (name: string) => RuleBuilder<K>
  /** Marks the rule disabled: kept in the set, never run. */
  readonly disabled: () => RuleBuilder<K>
  /** The rule's condition; `do` then gives its actions. */
  readonly when: (condition: Rule.Condition) => Conditioned
  /** The events that start a trigger (any, when never called). */
  readonly on: K extends "trigger" ? (...events: NonEmpty<Rule.TriggerEvent>) => RuleBuilder<K> : never
}

const builder = <K extends "trigger" | "automation">(draft: Draft): RuleBuilder<K> =>
  ({
    named: (name: string) => builder<K>({ ...draft, name }),
    disabled: () => builder<K>({ ...draft, enabled: false }),
    on: (...events: NonEmpty<Rule.TriggerEvent>) => builder<K>({ ...draft, on: [...(draft.on ?? []), ...events] }),
    when: (condition: Rule.Condition): Conditioned => ({
      do: (...actions) => ({ ...draft, if: condition, then: actions })
    })
  }) as unknown as RuleBuilder<K>

/**
 * Starts a trigger: a rule started by events.
 *
 * @category constructors
 * @since 0.1.0
 */
export const trigger = (id: string, version: number): RuleBuilder<"trigger"> =>
  builder({ id, version, kind: "trigger" })

/**
 * Starts an automation: a rule run on a schedule.
 *
 * @category constructors
 * @since 0.1.0
 */
export const automation = (id: string, version: number): RuleBuilder<"automation"> =>
  builder({ id, version, kind: "automation" })
