/**
 * The trigger runner: the passes of `Triggers` over one unit of work, pure apart from the rules'
 * own effects (the `Helpdesk` does the reading and writing). Each pass asks every rule once; after
 * a change, only the rules that fired and read what it touched (`TriggerRule.reads`) are asked
 * again, so a pass costs the rules plus their changes. A failure of the rules (a loop, a failed
 * action, too many events) is not the command's: their changes give way to a `RulesFailed` event.
 */
import { Cause, Effect, Exit } from "effect"
import { type DecideContext, decide } from "../ticket/decide.js"
import * as Ticket from "../ticket/Ticket.js"
import type { TicketCommand } from "../ticket/TicketCommand.js"
import { type RuleRef, RulesFailed, type RulesFailedReason, type TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { TicketId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import type * as Triggers from "./Triggers.js"

/**
 * A link a rule asked for, to be made once its unit of work is written.
 *
 * @category models
 * @since 0.1.0
 */
export interface PendingLink {
  readonly rule: RuleRef
  readonly kind: Triggers.LinkRequest["kind"]
  readonly to: string | number
}

/**
 * One unit of work to run rules on: the ticket before the command (`undefined` for a new one),
 * the command's events, the context they were decided in, and the passes allowed.
 *
 * @category models
 * @since 0.1.0
 */
export interface Unit {
  readonly ticketId: TicketId
  readonly before: Ticket.State
  readonly events: ReadonlyArray<TicketEvent>
  readonly context: DecideContext
  readonly maxPasses: number
}

/**
 * What the rules made of a unit of work: its events (the command's, then the rules'), the links
 * they asked for, and `failed` when they failed: `events` are then the command's followed by that
 * `RulesFailed`, and there are no links.
 *
 * @category models
 * @since 0.1.0
 */
export interface Outcome {
  readonly events: ReadonlyArray<TicketEvent>
  readonly links: ReadonlyArray<PendingLink>
  readonly failed: RulesFailed | undefined
}

type Answer = ReadonlyArray<TicketCommand | Triggers.LinkRequest>

/** At most this many rules are named on a `RulesFailed` event. */
const namedRules = 100
const detailLength = 500

const ticketFields = Object.keys(Ticket.Ticket.fields) as ReadonlyArray<keyof Ticket.Ticket>

/**
 * Adds to `into` what a change from `prev` to `next` (by `events`) touched, in the terms of
 * `Triggers.Read`; `seen` holds the event types the unit already has.
 */
const touched = (
  prev: Ticket.Ticket,
  next: Ticket.Ticket,
  events: ReadonlyArray<TicketEvent>,
  seen: Set<string>,
  into: Set<string>
): void => {
  // `evolve` copies only what changes, so a field that kept its value is the same reference.
  for (const field of ticketFields) if (prev[field] !== next[field]) into.add(field)
  if (prev.tags !== next.tags) {
    if (events.every((e) => e._tag === "TagsChanged")) {
      for (const e of events)
        if (e._tag === "TagsChanged") for (const t of [...e.added, ...e.removed]) into.add(`tag:${t}`)
    } else {
      const before = new Set<string>(prev.tags)
      const after = new Set<string>(next.tags)
      for (const t of before) if (!after.has(t)) into.add(`tag:${t}`)
      for (const t of after) if (!before.has(t)) into.add(`tag:${t}`)
    }
  }
  if (prev.customFields !== next.customFields) {
    const a: Readonly<Record<string, unknown>> = prev.customFields
    const b: Readonly<Record<string, unknown>> = next.customFields
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (Object.hasOwn(a, key) !== Object.hasOwn(b, key) || a[key] !== b[key]) into.add(`customField:${key}`)
  }
  for (const e of events) {
    if (!seen.has(e._tag)) {
      seen.add(e._tag)
      into.add(`event:${e._tag}`)
    }
  }
  if (events.length > 0) into.add("events")
}

/** What went wrong in a rule's `fire`, in a few words for the admin. */
const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string") {
    const message = "message" in error && typeof error.message === "string" ? error.message : ""
    return message === "" ? error._tag : `${error._tag}: ${message}`
  }
  return error instanceof Error ? error.message : String(error)
}

/** `decide`, as an `Exit` when it answers with one; a throw (an event that cannot be built) is a defect. */
const decideOn = (
  ticket: Ticket.Ticket,
  command: TicketCommand,
  ctx: DecideContext
): Exit.Exit<ReadonlyArray<TicketEvent>, unknown> | Effect.Effect<Exit.Exit<ReadonlyArray<TicketEvent>, unknown>> => {
  try {
    const decision = decide(ticket, command, ctx)
    return Exit.isExit(decision) ? (decision as Exit.Exit<ReadonlyArray<TicketEvent>, unknown>) : Effect.exit(decision)
  } catch (error) {
    return Exit.die(error)
  }
}

const clip = (text: string): string => (text.length <= detailLength ? text : `${text.slice(0, detailLength - 1)}…`)

/**
 * Runs `rules` on a unit of work, pass after pass until a pass changes nothing (see `Triggers`).
 * Never fails on the rules' account: a loop past `maxPasses`, a `fire` that fails or dies, or
 * events past `Limits.eventsPerAppend` give the command's events and a `RulesFailed`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = <E>(rules: ReadonlyArray<Triggers.TriggerRule<E>>, unit: Unit): Effect.Effect<Outcome> =>
  Effect.gen(function* () {
    const { ticketId, before, context: ctx, maxPasses } = unit
    const all: Array<TicketEvent> = [...unit.events]
    const links: Array<PendingLink> = []
    const start = Ticket.fold(unit.events, before)
    if (start === undefined || rules.length === 0) return { events: all, links, failed: undefined }
    let current: Ticket.Ticket = start
    const seen = new Set<string>(unit.events.map((e) => e._tag))
    const linked = new Set<string>()

    // A rule fires once per episode of its condition: after firing it waits until it no longer
    // matches (it asks for nothing). Waiting rules are indexed by what they read, so a change
    // re-checks only those it may concern.
    const waiting = new Uint8Array(rules.length)
    const waitingOn = new Map<string, Set<number>>()
    const waitingOnAnything = new Set<number>()
    const enter = (i: number) => {
      if (waiting[i] === 1) return
      waiting[i] = 1
      const reads = rules[i]?.reads
      if (reads === undefined) waitingOnAnything.add(i)
      else
        for (const key of reads) {
          const set = waitingOn.get(key)
          if (set === undefined) waitingOn.set(key, new Set([i]))
          else set.add(i)
        }
    }
    const leave = (i: number) => {
      if (waiting[i] === 0) return
      waiting[i] = 0
      const reads = rules[i]?.reads
      if (reads === undefined) waitingOnAnything.delete(i)
      else for (const key of reads) waitingOn.get(key)?.delete(i)
    }

    const failure = (reason: RulesFailedReason, named: ReadonlyArray<RuleRef>, passes: number, detail: string) => {
      const event = new RulesFailed({
        ticketId,
        at: ctx.now,
        by: Actor.system("rules"),
        reason,
        rules: named.slice(0, namedRules),
        passes,
        detail: clip(detail)
      })
      return { events: [...unit.events, event], links: [], failed: event } satisfies Outcome
    }

    /**
     * The rule's answer, or the cause of its failure (a throw included). A rule and `decide`
     * often answer with an `Exit` (`Effect.succeed`, say): it is read as it is, which saves a
     * trip through the runtime per rule and per command.
     */
    const ask = (i: number, pass: number): Exit.Exit<Answer, E> | Effect.Effect<Exit.Exit<Answer, E>> => {
      let answer: Effect.Effect<Answer, E>
      try {
        answer = (rules[i] as Triggers.TriggerRule<E>).fire({ before, current, events: all, now: ctx.now, pass })
      } catch (error) {
        return Exit.die(error)
      }
      return Exit.isExit(answer) ? (answer as Exit.Exit<Answer, E>) : Effect.exit(answer)
    }
    /** An interruption is not the rules' failure: it is passed on. */
    const interrupted = <A, X>(exit: Exit.Exit<A, X>) => Exit.isFailure(exit) && Cause.hasInterrupts(exit.cause)

    for (let pass = 1; ; pass++) {
      const fired: Array<RuleRef> = []
      for (let i = 0; i < rules.length; i++) {
        const trigger = rules[i] as Triggers.TriggerRule<E>
        const asked = ask(i, pass)
        const answer = Exit.isExit(asked) ? asked : yield* asked
        if (interrupted(answer)) return yield* Effect.interrupt
        if (Exit.isFailure(answer))
          return failure("action_failed", [trigger.rule], pass, `${trigger.rule.id}: ${describeCause(answer.cause)}`)
        const wanted = answer.value
        if (wanted.length === 0) {
          leave(i)
          continue
        }
        if (waiting[i] === 1) continue
        const commands: Array<TicketCommand> = []
        for (const w of wanted) {
          if (w._tag !== "LinkRequest") {
            commands.push(w)
            continue
          }
          const key = `${i}\u0000${w.kind}\u0000${typeof w.to}:${w.to}`
          if (linked.has(key)) continue
          linked.add(key)
          links.push({ rule: trigger.rule, kind: w.kind, to: w.to })
        }
        const ruleCtx: DecideContext = { ...ctx, actor: Actor.system(`rule:${trigger.rule.id}`), rule: trigger.rule }
        const changes = new Set<string>()
        let changed = false
        for (const command of commands) {
          const deciding = decideOn(current, command, ruleCtx)
          const exit = Exit.isExit(deciding) ? deciding : yield* deciding
          if (Exit.isFailure(exit)) {
            if (interrupted(exit)) return yield* Effect.interrupt
            // A command the ticket refuses is skipped; one that breaks `decide` is the rule's failure.
            if (!Cause.hasDies(exit.cause)) continue
            return failure("action_failed", [trigger.rule], pass, `${trigger.rule.id}: ${describeCause(exit.cause)}`)
          }
          const events = exit.value
          if (events.length === 0) continue
          // Room is kept for the `RulesFailed` that would replace the rules' events.
          if (all.length + events.length + 1 > Limits.eventsPerAppend)
            return failure(
              "limit",
              [trigger.rule],
              pass,
              `${trigger.rule.id}: the rules' events would make this unit of work ${all.length + events.length} events, more than the ${Limits.eventsPerAppend} one append may write`
            )
          const next = Ticket.fold(events, current) as Ticket.Ticket
          touched(current, next, events, seen, changes)
          current = next
          for (const e of events) all.push(e)
          changed = true
        }
        // A match that changed nothing is not a firing: the rule may act later in the unit.
        if (!changed) continue
        enter(i)
        fired.push(trigger.rule)
        // The change may end the episode of a rule that fired (its own, say): it may fire again.
        const recheck = new Set<number>(waitingOnAnything)
        for (const key of changes) for (const j of waitingOn.get(key) ?? []) recheck.add(j)
        for (const j of [...recheck].sort((a, b) => a - b)) {
          const rechecked = ask(j, pass)
          const still = Exit.isExit(rechecked) ? rechecked : yield* rechecked
          if (interrupted(still)) return yield* Effect.interrupt
          if (Exit.isFailure(still)) {
            const rule = (rules[j] as Triggers.TriggerRule<E>).rule
            return failure("action_failed", [rule], pass, `${rule.id}: ${describeCause(still.cause)}`)
          }
          if (still.value.length === 0) leave(j)
        }
      }
      if (fired.length === 0) return { events: all, links, failed: undefined }
      if (pass >= maxPasses)
        return failure(
          "loop",
          fired,
          pass,
          `The rules still changed the ticket on pass ${pass}, the last allowed` +
            (fired.length > namedRules ? ` (${fired.length} rules fired on it; the first ${namedRules} are named)` : "")
        )
    }
  })
