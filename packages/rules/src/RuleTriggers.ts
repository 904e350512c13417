/**
 * Trigger rules in the `Helpdesk`: a rule set is compiled once into core's `Triggers` hook. For
 * each rule the hook gathers the facts (the ticket before and now, what the unit of work did,
 * the texts it added, tiers, classification, business hours; once per state of the ticket), asks
 * the rule's compiled condition, and turns its actions into core commands; the `Helpdesk` decides
 * them on the ticket as it stands, so every event a rule causes carries its id and version. Each
 * rule says what it reads (`Reads`), so the `Helpdesk` asks a rule that fired again only after a
 * change it could notice. `explain` answers "which rules matched, which conditions held or failed
 * with the actual values, and what would they do".
 *
 * Actions run here: set (priority, status, type, complexity, group, assignee), set a custom field, add and
 * remove tags, add an internal note, notify (a `NotificationRequested` event, and an outbox
 * message in the same append), link (made right after the unit of work is written, with the
 * checks of `Helpdesk.link`), escalate (raise the support level, and optionally the priority,
 * group or assignee), and assign by strategy when `Options.assign` says whom to.
 */
import {
  TicketCommand as C,
  Complexity,
  CustomField,
  type Helpdesk,
  Ids,
  Priority,
  Status,
  type StoreError,
  type Ticket,
  type TicketEvent,
  TicketType,
  type Triggers
} from "@tessera/core"
import { Effect, Exit, Result, Schema } from "effect"
import * as Assignment from "./Assignment.js"
import * as AssignmentState from "./AssignmentState.js"
import * as Compile from "./Compile.js"
import * as Facts from "./Facts.js"
import * as Interpreter from "./Interpreter.js"
import * as UnitFacts from "./internal/unitFacts.js"
import * as Reads from "./Reads.js"
import * as Rule from "./Rule.js"

/**
 * What the facts need from outside the ticket, all optional.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /**
   * The requester's and the organization's customer tiers, for `requester.tier` /
   * `organization.tier`. Within a unit of work a rule that has fired is asked again only when the
   * requester or the organization changes, so the tiers must depend on those alone.
   */
  readonly tiers?: (ticket: Ticket.Ticket) => { readonly requester?: string; readonly organization?: string }
  /** A verdict on the texts the unit of work added (the `Classifier`'s `classify`, say). */
  readonly classify?: (text: string) => Facts.Classification
  /** Whether the workspace is open at an instant (a `BusinessCalendar`'s `isOpen`). */
  readonly isOpen?: (at: number) => boolean
  /**
   * Whom an `assign` action gives the ticket to (an `Assignment.rank` over the roster, say):
   * `assigner(...).assign`, answering at once, or `sharedAssigner(...).assign`, answering with an
   * Effect (the state is elsewhere; a failure of it is the rule's failure: `RulesFailed`).
   * `explain` shows no assign command for an answer that is an Effect.
   */
  readonly assign?: (
    strategy: Rule.AssignAction["assign"]["strategy"],
    group: string | undefined,
    ticket: Ticket.Ticket
  ) => string | undefined | Effect.Effect<string | undefined, StoreError.StoreError>
}

/**
 * The trigger events a unit of work's events amount to.
 *
 * @category combinators
 * @since 0.1.0
 */
export const triggerEvents = (
  events: ReadonlyArray<TicketEvent.TicketEvent>,
  ticket: Ticket.Ticket
): ReadonlyArray<Rule.TriggerEvent> => {
  const found = new Set<Rule.TriggerEvent>()
  for (const e of events) for (const t of UnitFacts.triggerEventsOf(e, ticket)) found.add(t)
  return Array.from(found)
}

const textsOf = (events: ReadonlyArray<TicketEvent.TicketEvent>): ReadonlyArray<string> =>
  events.flatMap((e) => {
    const text = UnitFacts.textOf(e)
    return text === undefined ? [] : [text]
  })

/**
 * The facts a rule is evaluated on, in a trigger's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const factsOf = (context: Triggers.TriggerContext, options: Options = {}): Facts.Facts => {
  const ticket = context.current
  const messages = textsOf(context.events)
  const mentions = UnitFacts.mentionsOf(context.events)
  const tiers = options.tiers?.(ticket) ?? {}
  return Facts.make({
    ticket,
    previous: context.before,
    events: triggerEvents(context.events, ticket),
    messages,
    mentions: mentions.length === 0 ? undefined : mentions,
    now: context.now.epochMilliseconds,
    requesterTier: tiers.requester,
    organizationTier: tiers.organization,
    isOpen: options.isOpen,
    classification: options.classify === undefined ? undefined : options.classify(messages.join("\n"))
  })
}

const isPriority = Schema.is(Priority.Priority)
const isStatus = Schema.is(Status.StatusId)
const isType = Schema.is(TicketType.TicketType)
const isComplexity = Schema.is(Complexity.Complexity)
const isGroup = Schema.is(Ids.GroupId)
const isAgent = Schema.is(Ids.AgentId)
const isFieldKey = Schema.is(CustomField.FieldKey)

/**
 * The core commands (and links) an action asks for on a ticket; none for a value that cannot be
 * (a priority that is not one, say).
 *
 * @category combinators
 * @since 0.1.0
 */
export const commandsFor = (
  rule: Rule.Rule,
  action: Rule.Action,
  ticket: Ticket.Ticket,
  /** The ticket's version when the unit of work began (0 for a new ticket). */
  unit: number,
  options: Options = {}
): ReadonlyArray<C.TicketCommand | Triggers.LinkRequest> => {
  const ticketId = ticket.id
  if ("set" in action) {
    const value = action.value
    switch (action.set) {
      case "priority":
        return isPriority(value) ? [new C.SetPriority({ ticketId, priority: value })] : []
      case "status":
        return isStatus(value) ? [new C.ChangeStatus({ ticketId, to: value })] : []
      case "type":
        return isType(value) ? [new C.SetType({ ticketId, type: value })] : []
      case "complexity":
        return isComplexity(value) ? [new C.SetComplexity({ ticketId, complexity: value })] : []
      case "group":
        return value === null || isGroup(value) ? [new C.Assign({ ticketId, group: value })] : []
      case "assignee":
        return value === null || isAgent(value) ? [new C.Assign({ ticketId, assignee: value })] : []
    }
  }
  if ("setField" in action) {
    return isFieldKey(action.setField)
      ? [new C.SetCustomField({ ticketId, key: action.setField, value: action.value })]
      : []
  }
  if ("addTags" in action) return [new C.ChangeTags({ ticketId, add: action.addTags, remove: [] })]
  if ("removeTags" in action) return [new C.ChangeTags({ ticketId, add: [], remove: action.removeTags })]
  if ("note" in action) {
    // One note per rule and unit of work: its id says which (the unit starts at version `unit`),
    // so a later pass, or a retry, does not add it again.
    const messageId = `note.${ticketId}.${rule.id}.${rule.version}.${unit}`.slice(0, 128)
    if (ticket.messages.some((m) => m.id === messageId)) return []
    return [
      new C.AddNote({
        ticketId,
        messageId: messageId as Ids.MessageId,
        channel: "web",
        body: { text: action.note, attachments: [] }
      })
    ]
  }
  if ("escalate" in action) {
    const { priority, group, assignee, reason } = action.escalate
    return [
      ...(ticket.supportLevel < 3 ? [new C.Escalate({ ticketId, reason })] : []),
      ...(priority === undefined ? [] : [new C.SetPriority({ ticketId, priority })]),
      ...(group !== undefined && isGroup(group) ? [new C.Assign({ ticketId, group })] : []),
      ...(assignee !== undefined && isAgent(assignee) ? [new C.Assign({ ticketId, assignee })] : [])
    ]
  }
  if ("link" in action) return [{ _tag: "LinkRequest", kind: action.link.kind, to: action.link.to }]
  if ("notify" in action) return [new C.Notify({ ticketId, template: action.notify.template, to: action.notify.to })]
  if ("assign" in action) {
    const agent = options.assign?.(action.assign.strategy, action.assign.group, ticket)
    return agent !== undefined && isAgent(agent)
      ? [
          new C.Assign({
            ticketId,
            assignee: agent,
            ...(action.assign.group !== undefined && isGroup(action.assign.group) ? { group: action.assign.group } : {})
          })
        ]
      : []
  }
  return []
}

const answerKey = (strategy: string, group: string | undefined) => `${strategy}\u0000${group ?? ""}`

/** Actions whose commands `commandsFor` builds from the ticket's id alone. */
const dependsOnIdOnly = (action: Rule.Action): boolean =>
  "set" in action ||
  "setField" in action ||
  "addTags" in action ||
  "removeTags" in action ||
  "notify" in action ||
  "link" in action

/**
 * Compiles trigger rules (those of `kind: "trigger"`, enabled) into the `Helpdesk`'s hook, in
 * the order given. Each rule is compiled on its own (`Compile.compileEach`) and says what it
 * reads (`Reads.ofRule`), so the `Helpdesk` asks it again only after a change to one of those;
 * the facts of a state of the ticket are gathered once, however many rules ask about it.
 *
 * The rules are checked first (`Rule.checkRuleSet`): a set from `Rule.decodeRuleSet` is taken as
 * it is, rules built in code or parsed from JSON are decoded. A set that does not decode, or a
 * `Result` passed on without looking at it, throws `ConfigError.InvalidConfig` listing every
 * problem, so a help desk never starts with rules it cannot run.
 *
 * @example
 * ```ts
 * const decoded = Rule.decodeRuleSet(JSON.parse(text))
 * if (Result.isFailure(decoded)) throw decoded.failure // InvalidConfig: every problem, with its path
 * const helpdesk = await createHelpdesk({ triggers: RuleTriggers.make(decoded.success) })
 * ```
 *
 * @throws `ConfigError.InvalidConfig` when `rules` is not a rule set that decodes.
 * @category constructors
 * @since 0.1.0
 */
export const make = (rules: Rule.RuleSet, options: Options = {}): Triggers.Triggers<Helpdesk.HelpdeskError> => {
  const checked = Rule.checkRuleSet(rules)
  // A constructor of the hook, not an Effect: refusing here stops the application at startup,
  // with the same InvalidConfig `decodeRuleSet` gives, instead of `rules.filter is not a function`.
  if (Result.isFailure(checked)) throw checked.failure
  return fromChecked(checked.success, options)
}

const fromChecked = (rules: Rule.RuleSet, options: Options): Triggers.Triggers<Helpdesk.HelpdeskError> => {
  const triggers = rules.filter((r) => r.kind === "trigger" && r.enabled !== false)
  const tests = Compile.compileEach(triggers)
  const factsOfUnit = UnitFacts.tracker(options, UnitFacts.needsOf(triggers))
  return {
    rules: triggers.map((rule, i) => {
      const test = tests[i] as (facts: Facts.Facts) => boolean
      const reads = Reads.ofRule(rule, options)
      const commands = (context: Triggers.TriggerContext, given: Options = options) =>
        rule.then.flatMap((action) => commandsFor(rule, action, context.current, context.before?.version ?? 0, given))
      const assigns = rule.then.filter((a): a is Rule.AssignAction => "assign" in a)
      const assign = options.assign
      // Commands that depend on the ticket's id alone are built once per ticket, not on every pass.
      let built: { readonly ticketId: string; readonly commands: ReturnType<typeof commands> } | undefined
      const fixed = rule.then.every(dependsOnIdOnly)
      return {
        rule: { id: rule.id, version: rule.version },
        ...(reads === undefined ? {} : { reads }),
        fire: (context: Triggers.TriggerContext) => {
          // Answered at once, as an `Exit` (a throw from an option is a defect): the `Helpdesk`
          // reads an `Exit` without a trip through the runtime, ten thousand times a pass.
          try {
            if (!test(factsOfUnit(context))) return Exit.succeed([])
            if (assigns.length > 0 && assign !== undefined) {
              // Whom each assign action gives the ticket to, asked once per action; a shared
              // assigner answers with an Effect, which the Helpdesk runs.
              const answers = assigns.map((a) => assign(a.assign.strategy, a.assign.group, context.current))
              const withAnswers = (agents: ReadonlyArray<string | undefined>): Options => {
                const byAction = new Map(
                  assigns.map((a, i) => [answerKey(a.assign.strategy, a.assign.group), agents[i]])
                )
                return { ...options, assign: (strategy, group) => byAction.get(answerKey(strategy, group)) }
              }
              return answers.some(Effect.isEffect)
                ? Effect.map(Effect.all(answers.map((a) => (Effect.isEffect(a) ? a : Effect.succeed(a)))), (agents) =>
                    commands(context, withAnswers(agents))
                  )
                : Exit.succeed(commands(context, withAnswers(answers as ReadonlyArray<string | undefined>)))
            }
            if (!fixed) return Exit.succeed(commands(context))
            if (built?.ticketId !== context.current.id)
              built = { ticketId: context.current.id, commands: commands(context) }
            return Exit.succeed(built.commands)
          } catch (error) {
            return Exit.die(error)
          }
        }
      }
    })
  }
}

/**
 * Why each rule did or did not match, and what it would do.
 *
 * @category models
 * @since 0.1.0
 */
export interface RuleExplanation {
  readonly rule: { readonly id: string; readonly version: number; readonly name?: string }
  /** The rule runs on these events, and the unit of work has them (or the rule runs on any). */
  readonly onEvents: boolean
  readonly matched: boolean
  readonly conditions: Interpreter.ConditionTrace
  /** The commands and links its actions ask for (empty when it did not match). */
  readonly commands: ReadonlyArray<C.TicketCommand | Triggers.LinkRequest>
}

/**
 * Explains every trigger rule on a context (the ticket before and after, the unit's events):
 * which matched, which conditions held or failed with the values they read, and the commands
 * each would run.
 *
 * @category combinators
 * @since 0.1.0
 */
export const explain = (
  rules: Rule.RuleSet,
  context: Triggers.TriggerContext,
  options: Options = {}
): ReadonlyArray<RuleExplanation> => {
  const facts = factsOf(context, options)
  return rules
    .filter((r) => r.kind === "trigger" && r.enabled !== false)
    .map((rule) => {
      const onEvents = rule.on === undefined || rule.on.some((e) => facts.events.includes(e))
      const conditions = Interpreter.explain(rule.if, facts)
      const matched = onEvents && conditions.held
      return {
        rule: { id: rule.id, version: rule.version, ...(rule.name === undefined ? {} : { name: rule.name }) },
        onEvents,
        matched,
        conditions,
        commands: matched
          ? rule.then.flatMap((a) => commandsFor(rule, a, context.current, context.before?.version ?? 0, options))
          : []
      }
    })
}

/** The request a ticket's assignment makes, and the key that remembers its answer. */
const requestOf = (
  strategy: Assignment.Strategy,
  group: string | undefined,
  ticket: Ticket.Ticket,
  skillMap: Assignment.SkillMap
): { readonly key: string; readonly request: Assignment.Request } => {
  const needs = Assignment.skillsFor(ticket, skillMap)
  const target = group ?? ticket.group
  return {
    key: `${ticket.id}\u0000${strategy}\u0000${group ?? ""}`,
    request: {
      channel: ticket.channel,
      priority: ticket.priority,
      skills: needs.skills,
      preferredSkills: needs.preferredSkills,
      ...(target !== undefined && isGroup(target) ? { group: target } : {})
    }
  }
}

/**
 * One assignment on a state: the agent the request was given before, else the one
 * `Assignment.rank` chooses on the roster as read, counted into it (load, cursor) by a
 * compare-and-set; when another assignment wrote first, it reads and ranks again.
 */
const assignOn = (
  state: AssignmentState.AssignmentState,
  skillMap: Assignment.SkillMap,
  strategy: Assignment.Strategy,
  group: string | undefined,
  ticket: Ticket.Ticket
): Effect.Effect<string | undefined, StoreError.StoreError> => {
  const { key, request } = requestOf(strategy, group, ticket, skillMap)
  const attempt: Effect.Effect<string | undefined, StoreError.StoreError> = Effect.flatMap(
    state.read(key),
    (snapshot) => {
      if (snapshot.given !== undefined) return Effect.succeed(snapshot.given.agent)
      const chosen = Assignment.rank(strategy, request, snapshot.roster).chosen
      const next = chosen === undefined ? snapshot.roster : Assignment.assign(snapshot.roster, request, chosen)
      return Effect.flatMap(state.commit(snapshot.version, key, chosen, next), (written) =>
        written ? Effect.succeed(chosen) : attempt
      )
    }
  )
  return attempt
}

/**
 * An `Options.assign` backed by `Assignment.rank` over a roster this process keeps
 * (`AssignmentState.memory`): each assignment a rule makes is counted in (load, round-robin
 * cursor), so the next one sees it. A ticket asked about again (a later pass, a retried command,
 * `explain`) gets the agent it was given, counted once; the last 10,000 tickets are remembered.
 * The roster is per process: refresh it with `set` when agents come and go or when loads are
 * read again from the store. For several app nodes, see `sharedAssigner`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const assigner = (
  initial: Assignment.Roster,
  skillMap: Assignment.SkillMap = []
): {
  /** The `Options.assign` to give `make`. */
  readonly assign: (
    strategy: Assignment.Strategy,
    group: string | undefined,
    ticket: Ticket.Ticket
  ) => string | undefined
  /** The roster as it stands, with the assignments made since it was set. */
  readonly roster: () => Assignment.Roster
  /** Replaces the roster (agents came or went, loads were read again). */
  readonly set: (roster: Assignment.Roster) => void
} => {
  const state = AssignmentState.memory(initial)
  // The in-memory state answers synchronously, and never fails.
  return {
    assign: (strategy, group, ticket) => Effect.runSync(assignOn(state, skillMap, strategy, group, ticket)),
    roster: () => Effect.runSync(state.read("")).roster,
    set: (roster) => Effect.runSync(state.set(roster))
  }
}

/**
 * An `Options.assign` over an assignment state shared by several app nodes (such as
 * `@tessera/redis`'s `RedisAssignmentState`): every node ranks on the same roster and counts its
 * assignments into it by compare-and-set, so round-robin goes round once across all of them,
 * and a ticket asked about again on any node gets the agent it was given.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sharedAssigner = (
  state: AssignmentState.AssignmentState,
  skillMap: Assignment.SkillMap = []
): {
  /** The `Options.assign` to give `make`. */
  readonly assign: (
    strategy: Assignment.Strategy,
    group: string | undefined,
    ticket: Ticket.Ticket
  ) => Effect.Effect<string | undefined, StoreError.StoreError>
  /** The roster as it stands, with the assignments made since it was set. */
  readonly roster: Effect.Effect<Assignment.Roster, StoreError.StoreError>
  /** Replaces the roster (agents came or went, loads were read again). */
  readonly set: (roster: Assignment.Roster) => Effect.Effect<void, StoreError.StoreError>
} => ({
  assign: (strategy, group, ticket) => assignOn(state, skillMap, strategy, group, ticket),
  roster: Effect.map(state.read(""), (snapshot) => snapshot.roster),
  set: state.set
})
