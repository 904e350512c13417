/**
 * A strict tag taxonomy, enforced where tags enter a ticket through the help desk: `open`, `tag`,
 * and the tag actions of rules (triggers after a command, and automations run by `applyRules`).
 * A tag is allowed when the policy knows it once canonicalised and alias-resolved, as
 * `TagPolicy.applyPolicy` and `TagAudit` read it. Tags a ticket already carries, or gets from a
 * merge, a split or a follow-up, are not checked again; modes `off` and `warn` accept any tag.
 */
import { Effect, Exit } from "effect"
import * as TagPolicy from "../tags/TagPolicy.js"
import type * as Ticket from "../ticket/Ticket.js"
import type { TicketCommand } from "../ticket/TicketCommand.js"
import * as Tag from "../values/Tag.js"
import type * as Triggers from "./Triggers.js"

const strict = (policy: TagPolicy.TagPolicy | undefined): policy is TagPolicy.TagPolicy =>
  policy !== undefined && policy.mode === "strict"

/**
 * The raw tags a strict policy refuses, as given and each once: those that would be added to
 * `ticket` (all of them for a ticket being opened) and that the taxonomy does not know. Empty
 * without a policy, or when the policy is not strict.
 *
 * @category combinators
 * @since 0.1.0
 */
export const refused = (
  policy: TagPolicy.TagPolicy | undefined,
  raw: ReadonlyArray<string>,
  ticket?: Ticket.Ticket
): ReadonlyArray<string> => {
  if (!strict(policy)) return []
  const out: Array<string> = []
  for (const tag of raw) {
    const stored = Tag.normalize(tag)
    // What `decide` drops or already has is not added: nothing to refuse.
    if (stored === "" || ticket?.tags.includes(stored as Tag.Tag) === true) continue
    const known = TagPolicy.resolve(policy, tag)
    if (known !== "" && TagPolicy.isKnown(policy, known as Tag.Tag)) continue
    if (!out.includes(tag)) out.push(tag)
  }
  return out
}

const notAllowed = (tags: ReadonlyArray<string>, ticket: Ticket.Ticket | undefined) =>
  new TagPolicy.TagNotAllowed({ tags, ...(ticket === undefined ? {} : { ticketId: ticket.id }) })

/**
 * Fails with `TagNotAllowed` when a strict policy refuses some of `raw` (see `refused`), before
 * anything is written.
 *
 * @category combinators
 * @since 0.1.0
 */
export const check = (
  policy: TagPolicy.TagPolicy | undefined,
  raw: ReadonlyArray<string>,
  ticket?: Ticket.Ticket
): Effect.Effect<void, TagPolicy.TagNotAllowed> => {
  const tags = refused(policy, raw, ticket)
  return tags.length === 0 ? Exit.void : Exit.fail(notAllowed(tags, ticket))
}

type Answer = ReadonlyArray<TicketCommand | Triggers.LinkRequest>

/** The answer, or `TagNotAllowed` naming every tag its `ChangeTags` would add and may not. */
const checkAnswer = (
  policy: TagPolicy.TagPolicy,
  answer: Answer,
  current: Ticket.Ticket
): Exit.Exit<Answer, TagPolicy.TagNotAllowed> => {
  let tags: Array<string> | undefined
  for (const command of answer) {
    if (command._tag !== "ChangeTags") continue
    for (const tag of refused(policy, command.add, current)) {
      tags ??= []
      if (!tags.includes(tag)) tags.push(tag)
    }
  }
  return tags === undefined ? Exit.succeed(answer) : Exit.fail(notAllowed(tags, current))
}

const guardRule = <E>(
  policy: TagPolicy.TagPolicy,
  rule: Triggers.TriggerRule<E>
): Triggers.TriggerRule<E | TagPolicy.TagNotAllowed> => ({
  ...rule,
  fire: (context) => {
    const answer = rule.fire(context)
    // Rules often answer with an `Exit`: it is checked as it is, without a trip through the runtime.
    if (Exit.isExit(answer)) {
      const exit = answer as Exit.Exit<Answer, E>
      return Exit.isSuccess(exit) ? checkAnswer(policy, exit.value, context.current) : exit
    }
    return Effect.flatMap(answer, (value) => checkAnswer(policy, value, context.current))
  }
})

/**
 * Rules whose tag actions a strict policy checks: a rule asking to add a tag the taxonomy does
 * not know fails with `TagNotAllowed`, so the trigger runner drops the rules' changes and
 * records a `RulesFailed` naming it (see `TriggerRunner`). Without a strict policy the rules are
 * returned as they are; each list is wrapped once (lists are remembered by identity).
 *
 * @category combinators
 * @since 0.1.0
 */
export const guard = (
  policy: TagPolicy.TagPolicy | undefined
): (<E>(
  rules: ReadonlyArray<Triggers.TriggerRule<E>>
) => ReadonlyArray<Triggers.TriggerRule<E | TagPolicy.TagNotAllowed>>) => {
  if (!strict(policy)) return (rules) => rules
  const wrapped = new WeakMap<object, ReadonlyArray<unknown>>()
  return <E>(rules: ReadonlyArray<Triggers.TriggerRule<E>>) => {
    const known = wrapped.get(rules) as ReadonlyArray<Triggers.TriggerRule<E | TagPolicy.TagNotAllowed>> | undefined
    if (known !== undefined) return known
    const guarded = rules.map((rule) => guardRule(policy, rule))
    wrapped.set(rules, guarded)
    return guarded
  }
}
