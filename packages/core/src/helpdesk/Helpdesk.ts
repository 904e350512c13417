/**
 * `Helpdesk`: the service applications call. Each operation decodes its input, checks the
 * references it names against the directory, loads the ticket's stream, reads `now` once from
 * the `Clock`, decides, and appends with the expected version. Commands on one ticket take turns
 * within an instance (`TicketLocks`); when a writer elsewhere got there first it decides again
 * on fresh state (bounded), so no update is lost; a caller that passes `expectedVersion` gets the
 * conflict instead. Each instance remembers the tickets it last
 * loaded or wrote (`stateCacheSize`), so a command usually decides without reading the store;
 * only a successful append is taken from a remembered state, anything else is decided again on
 * fresh state. Rules, SLAs and notifications plug in later.
 */
import { Clock, Context, DateTime, Duration, Effect, Layer, Option } from "effect"
import type { Agent, Contact, Group, Organization } from "../directory/Directory.js"
import { Email, normalizeEmail } from "../directory/Directory.js"
import { AgentUnavailable, type EmailTaken, NotInDirectory } from "../directory/DirectoryError.js"
import * as Duplicates from "../links/Duplicates.js"
import { InvalidLink, type LinkError } from "../links/LinkError.js"
import * as Relations from "../links/Relations.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import type { OutboxMessage } from "../ports/Outbox.js"
import * as StoreCapabilities from "../ports/StoreCapabilities.js"
import type { InvalidCursor, PublicIdTaken, StoreError } from "../ports/StoreError.js"
import { VersionConflict } from "../ports/StoreError.js"
import { type AppendEffects, type AppendRequest, TicketStore } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import { type TicketPage, TicketQuery } from "../query/TicketQuery.js"
import * as Sla from "../sla/Sla.js"
import type * as SlaPolicy from "../sla/SlaPolicy.js"
import type * as TagPolicy from "../tags/TagPolicy.js"
import type { TagNotAllowed } from "../tags/TagPolicy.js"
import { closeDueAt, type DecideContext, decide } from "../ticket/decide.js"
import * as Status from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import { type TicketError, TicketNotFound } from "../ticket/TicketError.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { InvalidConfig } from "../values/ConfigError.js"
import type { FieldDefinition } from "../values/CustomField.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  TicketRef
} from "../values/Ids.js"
import { TicketRef as TicketRefSchema } from "../values/Ids.js"
import type * as Limits from "../values/Limits.js"
import * as Link from "../values/Link.js"
import * as Effects from "./AppendEffects.js"
import * as Config from "./Config.js"
import * as Conversation from "./Conversation.js"
import * as In from "./HelpdeskInput.js"
import { decode, type InvalidInput } from "./Input.js"
import { nameOperations } from "./nameOperations.js"
import * as Taxonomy from "./Taxonomy.js"
import * as TicketLocks from "./TicketLocks.js"
import * as TriggerRunner from "./TriggerRunner.js"
import type * as Triggers from "./Triggers.js"

/**
 * Every way a `Helpdesk` operation can fail.
 *
 * @category errors
 * @since 0.1.0
 */
export type HelpdeskError =
  | TicketError
  | LinkError
  | InvalidInput
  | NotInDirectory
  | AgentUnavailable
  | EmailTaken
  | VersionConflict
  | PublicIdTaken
  | InvalidCursor
  | TagNotAllowed
  | StoreError

type Op<A> = Effect.Effect<A, HelpdeskError>

/**
 * The operations of a help desk on one workspace.
 *
 * @category models
 * @since 0.1.0
 */
export interface Service {
  readonly config: {
    readonly workspaceId: In.Config["workspaceId"]
    readonly workflow: Status.Workflow
    readonly customFields: ReadonlyArray<FieldDefinition>
  }
  /** Opens a ticket from any channel; opened by a contact, it returns the public view. */
  readonly open: (input: In.OpenInput) => Op<Ticket.Ticket>
  /**
   * Adds a public reply. A requester writing on a closed ticket (or on one solved longer ago
   * than the group's reopen window) gets a follow-up ticket: that ticket is returned. A contact
   * gets the public view back (`Ticket.publicView`), as from every command.
   */
  readonly reply: (input: In.MessageInput) => Op<Ticket.Ticket>
  /** Adds an internal note (agents only). */
  readonly note: (input: In.MessageInput) => Op<Ticket.Ticket>
  readonly changeStatus: (input: In.StatusInput) => Op<Ticket.Ticket>
  readonly assign: (input: In.AssignInput) => Op<Ticket.Ticket>
  readonly setPriority: (input: In.PriorityInput) => Op<Ticket.Ticket>
  readonly setType: (input: In.TypeInput) => Op<Ticket.Ticket>
  readonly escalate: (input: In.EscalateInput) => Op<Ticket.Ticket>
  readonly setCustomField: (input: In.CustomFieldInput) => Op<Ticket.Ticket>
  readonly tag: (input: In.TagsInput) => Op<Ticket.Ticket>
  readonly addFollower: (input: In.FollowerInput) => Op<Ticket.Ticket>
  readonly removeFollower: (input: In.FollowerInput) => Op<Ticket.Ticket>
  /**
   * Links a ticket to another (`to` is the ticket's `kind`), recorded on both in one append;
   * returns the ticket. The same link again changes nothing; see `Relations.link` for what is
   * refused (self-links, a second parent, parent/child and duplicate cycles, ...).
   */
  readonly link: (input: In.LinkInput) => Op<Ticket.Ticket>
  /** Removes a link from both tickets; returns the ticket. A link that is not there changes nothing. */
  readonly unlink: (input: In.LinkInput) => Op<Ticket.Ticket>
  /**
   * Merges sources into a target, every ticket involved changed in one append (see
   * `Relations.merge`); returns the target. A source's public number then leads to the target,
   * and a later message to a source lands on the target.
   */
  readonly merge: (input: In.MergeInput) => Op<Ticket.Ticket>
  /** Undoes a merge (see `Relations.undoMerge`); returns the source, restored. */
  readonly undoMerge: (input: In.UndoMergeInput) => Op<Ticket.Ticket>
  /** Moves chosen messages into a new ticket, linked both ways; returns the new ticket. */
  readonly split: (input: In.SplitInput) => Op<Ticket.Ticket>
  /**
   * Open tickets that are likely the same issue as this one, ranked, with a score and reasons
   * (`Duplicates.suggest`). Candidates come from the store: the requester's and the
   * organization's open tickets within the window, and open tickets sharing the subject's words.
   */
  readonly suggestDuplicates: (input: In.DuplicatesInput) => Op<ReadonlyArray<Duplicates.Suggestion>>
  /**
   * The current state of a ticket, by public number or internal id. The number of a ticket
   * merged into another leads to that other ticket (as it does for every command but `link`,
   * `unlink`, `merge`, `undoMerge` and `split`); its id still reads the merged ticket.
   */
  readonly get: (ticket: typeof TicketRefSchema.Encoded) => Op<Ticket.Ticket>
  /** The conversation of a ticket, page by page (see `Conversation.page`): how to read a long one. */
  readonly messages: (
    ticket: typeof TicketRefSchema.Encoded,
    page?: typeof Conversation.PageRequest.Encoded
  ) => Op<Conversation.Page>
  /** The event log of a ticket: its complete history. */
  readonly history: (ticket: typeof TicketRefSchema.Encoded) => Op<ReadonlyArray<TicketEvent>>
  /** A page of tickets (see `TicketQuery`). */
  readonly list: (query: typeof TicketQuery.Encoded) => Op<TicketPage>
  /** Fires the timers that are due (closing solved tickets, recording SLA warnings and breaches); returns how many did something. */
  readonly runDueTimers: (limit?: number) => Op<number>
  /**
   * Checks a ticket's SLAs now: records the warnings and breaches that are due and sets the timer
   * for the next one; returns how many it recorded. For after a policy or calendar change (the
   * tickets `Sla.whatIf` lists): commands and timers recompute by themselves. 0 without SLAs.
   */
  readonly recomputeSla: (ticket: typeof TicketRefSchema.Encoded) => Op<number>
  /**
   * Runs rules on a ticket as it stands, outside any command: automations on a schedule. Each
   * rule is asked what it wants, pass after pass as triggers are (see `Triggers`), its events
   * naming it; the help desk's triggers then follow, all in one append. Returns the ticket. When
   * these rules fail, only a `RulesFailed` naming them is written; when the triggers after them
   * fail, the rules' changes stay and the triggers' give way to a `RulesFailed`.
   */
  readonly applyRules: (
    ticket: typeof TicketRefSchema.Encoded,
    rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>
  ) => Op<Ticket.Ticket>
  readonly saveContact: (input: In.ContactInput) => Op<Contact>
  readonly saveOrganization: (input: In.OrganizationInput) => Op<Organization>
  readonly saveAgent: (input: In.AgentInput) => Op<Agent>
  readonly saveGroup: (input: In.GroupInput) => Op<Group>
  readonly getContact: (id: string) => Op<Contact>
  readonly findContactByEmail: (email: string) => Op<Option.Option<Contact>>
}

/**
 * The help desk service.
 *
 * @category services
 * @since 0.1.0
 */
export class Helpdesk extends Context.Service<Helpdesk, Service>()("@tessera/core/Helpdesk") {}

/** A ticket's folded state at a version, as this instance last knew it. */
interface Known {
  readonly state: Ticket.Ticket
  readonly version: number
}

/** How one attempt of a command ended, when it got past deciding. */
type Attempt =
  | { readonly _tag: "Appended"; readonly ticket: Ticket.Ticket }
  | { readonly _tag: "Unchanged"; readonly ticket: Ticket.Ticket }
  | {
      readonly _tag: "AppendFailed"
      readonly error: VersionConflict | PublicIdTaken | Limits.LimitExceeded | StoreError
    }

/** A command refused on its merits (not a store failure nor a race): nothing to retry. */
const isRefusal = (error: HelpdeskError): boolean =>
  error._tag !== "StoreUnavailable" && error._tag !== "CorruptEvent" && error._tag !== "VersionConflict"

const isConflict = (error: unknown): error is VersionConflict =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "VersionConflict"

export type { SlaOptions } from "./AppendEffects.js"

/**
 * What a help desk is built with besides its JSON configuration.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly sla?: Effects.SlaOptions
  /** Trigger rules run after each command, in the same unit of work (see `Triggers`). */
  readonly triggers?: Triggers.Triggers<HelpdeskError>
  /**
   * The workspace's tag policy (`TagPolicy.make`). With a strict taxonomy, `open`, `tag` and the
   * tag actions of rules refuse tags it does not know with `TagNotAllowed` (see `Taxonomy`).
   */
  readonly tagPolicy?: TagPolicy.TagPolicy
}

/**
 * Builds a help desk over the ports in context. The configuration and the SLA options are
 * checked first (see `Config.check`): a bad workflow, or a policy naming a calendar not given,
 * fails here with `InvalidConfig`, every problem listed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  config: typeof In.Config.Encoded,
  options: Options = {}
): Effect.Effect<Service, InvalidConfig, TicketStore | DirectoryStore | IdGenerator | Timer.Timers> =>
  Effect.gen(function* () {
    const { config: decoded, workflow } = yield* Config.check(config, options)
    const ws = decoded.workspaceId
    const customFields = decoded.customFields ?? []
    const maxAttempts = decoded.maxAttempts ?? 50
    const stateCacheSize = decoded.stateCacheSize ?? 1000
    const solveIncidents = decoded.solveIncidents ?? true
    const actorCheckMillis = decoded.actorCheckMillis ?? 1000
    const store = yield* TicketStore
    const directory = yield* DirectoryStore
    const ids = yield* IdGenerator
    const timers = yield* Timer.Timers

    const context = (actor: Actor.Actor): Effect.Effect<DecideContext> =>
      Effect.map(DateTime.now, (now) => ({ now, actor, workflow, customFields }))

    // -- directory checks --------------------------------------------------------------------

    const mustExist = <A>(
      kind: NotInDirectory["kind"],
      id: string,
      found: Effect.Effect<Option.Option<A>, StoreError>
    ) =>
      Effect.flatMap(found, (o) =>
        Option.isSome(o) ? Effect.succeed(o.value) : Effect.fail(new NotInDirectory({ kind, id }))
      )

    const agent = (id: AgentId) => mustExist("agent", id, directory.getAgent(ws, id))
    const group = (id: GroupId) => mustExist("group", id, directory.getGroup(ws, id))
    const contact = (id: ContactId) => mustExist("contact", id, directory.getContact(ws, id))

    /**
     * Actors found in the directory lately (`actorCheckMillis`), by `_tag:id`, with when that
     * stops counting: a command by the same actor then needs no directory read. Only successes
     * are kept; saving an agent or a contact here forgets it at once.
     */
    const actorsSeen = new Map<string, number>()

    const lookUpActor = (actor: Actor.Actor): Op<void> => {
      switch (actor._tag) {
        case "system":
          return Effect.void
        case "contact":
          return Effect.asVoid(contact(actor.id))
        case "agent":
          return Effect.flatMap(agent(actor.id), (a) =>
            a.active ? Effect.void : Effect.fail(new AgentUnavailable({ agentId: a.id, reason: "inactive" }))
          )
      }
    }

    const checkActor = (actor: Actor.Actor): Op<void> => {
      if (actor._tag === "system") return Effect.void
      if (actorCheckMillis === 0) return lookUpActor(actor)
      const key = `${actor._tag}:${actor.id}`
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const until = actorsSeen.get(key)
        if (until !== undefined && now < until) return Effect.void
        return Effect.tap(lookUpActor(actor), () =>
          Effect.sync(() => {
            actorsSeen.delete(key)
            actorsSeen.set(key, now + actorCheckMillis)
            if (actorsSeen.size > 10_000) actorsSeen.delete(actorsSeen.keys().next().value as string)
          })
        )
      })
    }

    /** An assignee must be an active agent and a member of the ticket's group, if it has one. */
    const checkAssignee = (id: AgentId, inGroup: GroupId | undefined): Op<void> =>
      Effect.flatMap(agent(id), (a) =>
        !a.active
          ? Effect.fail(new AgentUnavailable({ agentId: id, reason: "inactive" }))
          : inGroup !== undefined && !a.groups.includes(inGroup)
            ? Effect.fail(new AgentUnavailable({ agentId: id, reason: "not_in_group", groupId: inGroup }))
            : Effect.void
      )

    // -- state cache -------------------------------------------------------------------------

    /**
     * What this instance last knew of each ticket, least recently used first (a `Map` keeps
     * insertion order). Only ever a hint: see `execute`.
     */
    const known = new Map<TicketId, Known>()

    const recall = (ticketId: TicketId): Known | undefined => {
      const entry = known.get(ticketId)
      if (entry !== undefined) {
        known.delete(ticketId)
        known.set(ticketId, entry)
      }
      return entry
    }

    /** Versions only grow, so an older snapshot (from a slower fiber) never replaces a newer one. */
    const remember = (ticketId: TicketId, entry: Known): void => {
      if (stateCacheSize === 0) return
      const current = known.get(ticketId)
      known.delete(ticketId)
      known.set(ticketId, current !== undefined && current.version > entry.version ? current : entry)
      if (known.size > stateCacheSize) {
        const oldest = known.keys().next()
        if (oldest.done !== true) known.delete(oldest.value)
      }
    }

    const forget = (ticketId: TicketId): void => {
      known.delete(ticketId)
    }

    /** Single-ticket commands (`execute`, `applyRules`) take their ticket's lock: see `TicketLocks`. */
    const locks = TicketLocks.make()

    // -- streams -----------------------------------------------------------------------------

    /** The ticket that holds a public number (or the id given): exactly that ticket. */
    const holder = (ref: TicketRef): Op<TicketId> =>
      typeof ref === "number"
        ? Effect.flatMap(store.resolve(ws, ref as PublicId), (o) =>
            Option.isSome(o) ? Effect.succeed(o.value) : Effect.fail(new TicketNotFound({ ticketId: ref }))
          )
        : Effect.succeed(ref)

    /**
     * The ticket a reference leads to: an id names its ticket; a public number of a ticket merged
     * into another leads to that other ticket (to the end of a chain of merges), and `via` is then
     * the merged ticket the number belongs to.
     */
    const follow = (ref: TicketRef): Op<{ readonly id: TicketId; readonly via?: Ticket.Ticket }> =>
      typeof ref === "number"
        ? Effect.gen(function* () {
            const held = yield* holder(ref)
            const first = recall(held) ?? (yield* load(held, ref))
            let current = first
            for (let hops = 0; current.state.mergedInto !== undefined && hops < Relations.maxDepth; hops++) {
              const next = current.state.mergedInto
              current = recall(next) ?? (yield* load(next))
            }
            return current === first ? { id: held } : { id: current.state.id, via: first.state }
          })
        : Effect.succeed({ id: ref })

    const resolve = (ref: TicketRef): Op<TicketId> => Effect.map(follow(ref), ({ id }) => id)

    /** A stream's state, if it is a ticket of this workspace: another's looks exactly like a missing one. */
    const inWorkspace = (state: Ticket.State, ref: TicketRef): Op<Ticket.Ticket> =>
      state === undefined || state.workspaceId !== ws
        ? Effect.fail(new TicketNotFound({ ticketId: ref }))
        : Effect.succeed(state)

    /** Reads the ticket fresh from the store, and remembers it. */
    const load = (ticketId: TicketId, ref: TicketRef = ticketId): Op<Known> =>
      Effect.gen(function* () {
        const loaded = yield* store.load(ticketId)
        const state = yield* Effect.tapError(inWorkspace(loaded.state, ref), () => Effect.sync(() => forget(ticketId)))
        const entry = { state, version: loaded.version }
        remember(ticketId, entry)
        return entry
      })

    const resolveRef = (raw: typeof TicketRefSchema.Encoded) =>
      Effect.flatMap(decode(TicketRefSchema, "ticket")(raw), (ref) => Effect.map(resolve(ref), (id) => ({ id, ref })))

    // -- what appends write besides events ---------------------------------------------------

    const sla = options.sla
    const { effectsFor, slaPlan } = Effects.make({ ws, workflow, store, directory, sla })

    // -- triggers ----------------------------------------------------------------------------

    const triggers = options.triggers
    const maxPasses = triggers?.maxPasses ?? 10
    const guardRules = Taxonomy.guard(options.tagPolicy)

    /**
     * `events` followed by what `rules` decide on the ticket they leave (see `TriggerRunner`): a
     * failure of the rules drops their changes and records `RulesFailed` after `events`.
     */
    const runRules = (
      rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>,
      ticketId: TicketId,
      before: Ticket.State,
      events: ReadonlyArray<TicketEvent>,
      ctx: DecideContext
    ): Effect.Effect<TriggerRunner.Outcome> =>
      TriggerRunner.run(guardRules(rules), { ticketId, before, events, context: ctx, maxPasses })

    /** The command's events followed by those of the help desk's trigger rules. */
    const runTriggers = (
      ticketId: TicketId,
      before: Ticket.State,
      events: ReadonlyArray<TicketEvent>,
      ctx: DecideContext
    ): Effect.Effect<TriggerRunner.Outcome> =>
      triggers === undefined || triggers.rules.length === 0 || events.length === 0
        ? Effect.succeed({ events, links: [], failed: undefined })
        : runRules(triggers.rules, ticketId, before, events, ctx)

    /**
     * Makes the links rules asked for, once their unit of work is written: each as `link` would,
     * by the rule (its events naming it); one that is refused is not made.
     */
    const makeLinks = (ticketId: TicketId, links: ReadonlyArray<TriggerRunner.PendingLink>): Op<void> =>
      Effect.forEach(
        links,
        (l) =>
          Effect.flatMap(
            Effect.result(
              Effect.flatMap(holder(typeof l.to === "number" ? (l.to as PublicId) : (l.to as TicketId)), (to) =>
                executeMany(
                  Actor.system(`rule:${l.rule.id}`),
                  [
                    { id: ticketId, ref: ticketId, whole: false },
                    { id: to, ref: to, whole: false }
                  ],
                  (graph, ctx) => Relations.link(graph, ticketId, l.kind, to, { ...ctx, rule: l.rule })
                )
              )
            ),
            (made) => (made._tag === "Failure" && !isRefusal(made.failure) ? Effect.fail(made.failure) : Effect.void)
          ),
        { discard: true }
      )

    /**
     * Runs rules on a ticket as it stands (automations on a schedule): what they decide is one
     * unit of work, which the help desk's triggers then follow; decided again on a concurrent
     * write (bounded). When these rules fail, only their `RulesFailed` is written (the help desk's
     * triggers do not run); when the triggers that follow fail, the rules' changes are kept and
     * the triggers' dropped, as for a command.
     */
    const applyRules = (
      raw: typeof TicketRefSchema.Encoded,
      rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>
    ): Op<Ticket.Ticket> =>
      Effect.flatMap(resolveRef(raw), ({ id, ref }) => locks.withLock(id, applyRulesOn(id, ref, rules)))

    const applyRulesOn = (
      id: TicketId,
      ref: TicketRef,
      rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>
    ): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        for (let tries = 1; ; tries++) {
          const { state, version } = yield* load(id, ref)
          const ctx = yield* context(Actor.system("automation"))
          const decided = yield* runRules(rules, id, state, [], ctx)
          if (decided.events.length === 0 && decided.links.length === 0) return state
          const triggered = decided.failed === undefined ? yield* runTriggers(id, state, decided.events, ctx) : decided
          const events = triggered.events
          const links = triggered.failed === undefined ? [...decided.links, ...triggered.links] : decided.links
          if (events.length === 0) {
            yield* makeLinks(id, links)
            return (yield* load(id, ref)).state
          }
          const appended = yield* Effect.result(yield* appendDecided(state, version, id, events))
          if (appended._tag === "Success") {
            if (links.length === 0) return appended.success
            yield* makeLinks(id, links)
            return (yield* load(id, ref)).state
          }
          if (!isConflict(appended.failure) || tries >= maxAttempts) return yield* Effect.fail(appended.failure)
        }
      })

    /**
     * Appends decided events with their effects; the new state on success. The cache follows:
     * the new state on success, nothing on failure (the stream is no longer known).
     */
    const appendDecided = (
      state: Ticket.State,
      version: number,
      ticketId: TicketId,
      events: ReadonlyArray<TicketEvent>
    ) => {
      const next = Ticket.fold(events, state) as Ticket.Ticket
      // What the append writes besides its events is worked out first: a failure there (the
      // directory unreachable, say) fails the command, it is not the append's.
      return Effect.map(effectsFor(next, ticketId, events), (effects) => {
        return store.append(ticketId, version, events, effects).pipe(
          Effect.tapError(() => Effect.sync(() => forget(ticketId))),
          Effect.map((appended) => {
            remember(ticketId, { state: next, version: appended })
            return next
          })
        )
      })
    }

    /**
     * One attempt on a known state: check it, decide, append. Failures before the append fail
     * the effect; the append's outcome is returned, so a caller can tell the two apart.
     */
    const attempt = (
      ticketId: TicketId,
      ref: TicketRef,
      { state: knownState, version }: Known,
      actor: Actor.Actor,
      expectedVersion: number | undefined,
      build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>
    ): Op<Attempt> =>
      Effect.gen(function* () {
        const state = yield* inWorkspace(knownState, ref)
        if (expectedVersion !== undefined && expectedVersion !== version) {
          return yield* new VersionConflict({ ticketId, expected: expectedVersion, actual: version })
        }
        const command = yield* build(state)
        const ctx = yield* context(actor)
        const { events, links } = yield* runTriggers(ticketId, state, yield* decide(state, command, ctx), ctx)
        if (events.length === 0) return { _tag: "Unchanged", ticket: state } as const
        const appended = yield* Effect.result(yield* appendDecided(state, version, ticketId, events))
        if (appended._tag === "Failure") return { _tag: "AppendFailed", error: appended.failure } as const
        if (links.length === 0) return { _tag: "Appended", ticket: appended.success } as const
        yield* makeLinks(ticketId, links)
        return { _tag: "Appended", ticket: (yield* load(ticketId, ref)).state } as const
      })

    /**
     * Decide, append; on a concurrent write, again on fresh state (bounded). `build` runs on
     * every attempt, so its directory checks see the state the command is decided on.
     *
     * The first attempt may decide on the remembered state (if the caller's `expectedVersion`,
     * when given, is its version). That state may be stale, so only a successful append is
     * taken from it: a refusal (from `build` or `decide`), a command that changes nothing (a
     * lost update, if another writer changed the ticket) or a version conflict is forgotten and
     * decided again on fresh state, without counting against `maxAttempts`. Any other append
     * failure is the store's, not the state's (the version matched), and is returned as is.
     */
    const execute = (
      ref: TicketRef,
      actor: Actor.Actor,
      expectedVersion: number | undefined,
      build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>
    ): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        yield* checkActor(actor)
        const ticketId = yield* resolve(ref)
        // One command at a time per ticket in this instance: only writers elsewhere can conflict.
        return yield* locks.withLock(ticketId, executeOn(ticketId, ref, actor, expectedVersion, build))
      })

    const executeOn = (
      ticketId: TicketId,
      ref: TicketRef,
      actor: Actor.Actor,
      expectedVersion: number | undefined,
      build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>
    ): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const remembered = recall(ticketId)
        if (remembered !== undefined && (expectedVersion === undefined || expectedVersion === remembered.version)) {
          const onRemembered = yield* Effect.result(attempt(ticketId, ref, remembered, actor, expectedVersion, build))
          if (onRemembered._tag === "Success") {
            const outcome = onRemembered.success
            if (outcome._tag === "Appended") return outcome.ticket
            if (outcome._tag === "AppendFailed" && !isConflict(outcome.error)) return yield* Effect.fail(outcome.error)
          }
          forget(ticketId)
        }
        for (let tries = 1; ; tries++) {
          const fresh = yield* load(ticketId, ref)
          const outcome = yield* attempt(ticketId, ref, fresh, actor, expectedVersion, build)
          if (outcome._tag !== "AppendFailed") return outcome.ticket
          const error = outcome.error
          if (!isConflict(error) || expectedVersion !== undefined || tries >= maxAttempts)
            return yield* Effect.fail(error)
        }
      })

    /**
     * Records the SLA warnings and breaches of a ticket that are due and not yet in its log, and
     * sets the timer for the next one; returns how many it recorded. Several nodes may fire the
     * same timer: the log is read again on each attempt, and appends are optimistic, so each
     * milestone is recorded once.
     */
    const recordSla = (ticketId: TicketId): Op<number> =>
      Effect.gen(function* () {
        if (sla === undefined) return 0
        let recorded = 0
        let nextTimer: DateTime.Utc | undefined
        yield* execute(ticketId, Actor.system("sla"), undefined, (ticket) =>
          Effect.gen(function* () {
            const log = (yield* store.read(ticketId)).events
            const plan = yield* slaPlan(ticket, log, yield* DateTime.now, sla)
            recorded = plan.due.length
            nextTimer = plan.next
            return new C.RecordSla({ ticketId, milestones: plan.due })
          })
        )
        // Nothing recorded: no append set the next timer, so set it here.
        if (recorded === 0 && nextTimer !== undefined)
          yield* timers.schedule(Timer.make(ws, ticketId, "sla", nextTimer))
        return recorded
      })

    // -- several tickets at once --------------------------------------------------------------

    /**
     * How many tickets one link, merge or split may read (its roots and what they reach): one
     * fewer than the store's batch may hold, so a split's new ticket always fits in its batch.
     */
    const maxRead = StoreCapabilities.ticketsPerRelation(store.capabilities)

    /**
     * Reads `roots` fresh from the store, and what a decision on them may need
     * (`Relations.reach`): a root that is missing or in another workspace is `TicketNotFound`;
     * a linked ticket that is, is left out.
     */
    const gather = (
      roots: ReadonlyArray<{ readonly id: TicketId; readonly ref: TicketRef; readonly whole: boolean }>
    ): Op<Map<TicketId, Known>> =>
      Effect.gen(function* () {
        const read = new Map<TicketId, Known>()
        const queue: Array<{ readonly id: TicketId; readonly ref?: TicketRef; readonly whole: boolean }> = [...roots]
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          if (read.has(next.id)) continue
          if (read.size >= maxRead) {
            const root = roots[0]?.id ?? next.id
            return yield* new InvalidLink({ ticketId: root, otherId: next.id, kind: "any", reason: "too_deep" })
          }
          const loaded = yield* store.load(next.id)
          if (loaded.state === undefined || loaded.state.workspaceId !== ws) {
            if (next.ref !== undefined) return yield* new TicketNotFound({ ticketId: next.ref })
            continue
          }
          read.set(next.id, { state: loaded.state, version: loaded.version })
          for (const id of Relations.reach(loaded.state, next.whole)) queue.push({ id, whole: false })
        }
        return read
      })

    /**
     * Decides on several tickets and appends every change in one `appendAll`, with the version of
     * every ticket read (changed or not), so the decision never rests on stale state; on a
     * concurrent write, reads and decides again (bounded). Returns the new states of the tickets
     * that changed (and of those read, unchanged).
     */
    const executeMany = (
      actor: Actor.Actor,
      roots: ReadonlyArray<{ readonly id: TicketId; readonly ref: TicketRef; readonly whole: boolean }>,
      decideAll: (graph: Relations.Graph, ctx: DecideContext) => Op<ReadonlyArray<Relations.Change>>
    ): Op<ReadonlyMap<TicketId, Ticket.Ticket>> =>
      Effect.gen(function* () {
        yield* checkActor(actor)
        for (let tries = 1; ; tries++) {
          const read = yield* gather(roots)
          const graph = new Map(Array.from(read, ([id, known]) => [id, known.state] as const))
          const changes = yield* decideAll(graph, yield* context(actor))
          const changed = new Map(changes.map((c) => [c.ticketId, c.events] as const))
          const batch: Array<AppendRequest> = []
          const after = new Map<TicketId, Ticket.Ticket>(graph)
          for (const [ticketId, known] of read) {
            const events = changed.get(ticketId) ?? []
            if (events.length === 0) {
              batch.push({ ticketId, expectedVersion: known.version, events })
              continue
            }
            const next = Ticket.fold(events, known.state) as Ticket.Ticket
            after.set(ticketId, next)
            batch.push({
              ticketId,
              expectedVersion: known.version,
              events,
              effects: yield* effectsFor(next, ticketId, events)
            })
          }
          for (const { ticketId, events } of changes) {
            if (read.has(ticketId)) continue
            const next = Ticket.fold(events) as Ticket.Ticket
            after.set(ticketId, next)
            batch.push({ ticketId, expectedVersion: 0, events, effects: yield* effectsFor(next, ticketId, events) })
          }
          if (changes.length === 0) return after
          const appended = yield* Effect.result(store.appendAll(batch))
          if (appended._tag === "Success") {
            batch.forEach((request, i) => {
              const state = after.get(request.ticketId)
              const version = appended.success[i]
              if (state !== undefined && version !== undefined) remember(request.ticketId, { state, version })
            })
            return after
          }
          for (const request of batch) forget(request.ticketId)
          const error = appended.failure
          if (!isConflict(error) || tries >= maxAttempts) return yield* Effect.fail(error)
        }
      })

    /** A caller's `expectedVersion`, checked against the ticket as read for the decision. */
    const versionIs = (graph: Relations.Graph, ticketId: TicketId, expected: number | undefined): Op<void> => {
      const actual = graph.get(ticketId)?.version ?? 0
      return expected === undefined || expected === actual
        ? Effect.void
        : Effect.fail(new VersionConflict({ ticketId, expected, actual }))
    }

    const linkOp =
      (decideLink: typeof Relations.link) =>
      (raw: In.LinkInput): Op<Ticket.Ticket> =>
        Effect.gen(function* () {
          const input = yield* decode(In.LinkInput, "link")(raw)
          const from = yield* holder(input.ticket)
          const to = yield* holder(input.to)
          const after = yield* executeMany(
            input.by,
            [
              { id: from, ref: input.ticket, whole: false },
              { id: to, ref: input.to, whole: false }
            ],
            (graph, ctx) =>
              Effect.flatMap(versionIs(graph, from, input.expectedVersion), () =>
                decideLink(graph, from, input.kind, to, ctx)
              )
          )
          return after.get(from) as Ticket.Ticket
        })

    const mergeOp = (raw: In.MergeInput): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const input = yield* decode(In.MergeInput, "merge")(raw)
        const target = yield* holder(input.target)
        const sources: Array<{ readonly id: TicketId; readonly ref: TicketRef; readonly whole: boolean }> = []
        for (const ref of input.sources) sources.push({ id: yield* holder(ref), ref, whole: true })
        const after = yield* executeMany(
          input.by,
          [{ id: target, ref: input.target, whole: false }, ...sources],
          (graph, ctx) =>
            Relations.merge(
              graph,
              target,
              sources.map((s) => s.id),
              ctx
            )
        )
        return after.get(target) as Ticket.Ticket
      })

    const undoMergeOp = (raw: In.UndoMergeInput): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const input = yield* decode(In.UndoMergeInput, "undoMerge")(raw)
        const target = yield* holder(input.target)
        const source = yield* holder(input.source)
        const after = yield* executeMany(
          input.by,
          [
            { id: target, ref: input.target, whole: true },
            { id: source, ref: input.source, whole: false }
          ],
          (graph, ctx) => Relations.undoMerge(graph, target, source, ctx)
        )
        return after.get(source) as Ticket.Ticket
      })

    const splitOp = (raw: In.SplitInput): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const input = yield* decode(In.SplitInput, "split")(raw)
        const ticketId = yield* holder(input.ticket)
        const newTicketId = (yield* ids.next("ticket")) as TicketId
        for (let attempt = 1; ; attempt++) {
          const newPublicId = yield* store.nextPublicId(ws)
          const outcome = yield* Effect.result(
            executeMany(input.by, [{ id: ticketId, ref: input.ticket, whole: false }], (graph, ctx) =>
              Effect.gen(function* () {
                const ticket = graph.get(ticketId)
                yield* versionIs(graph, ticketId, input.expectedVersion)
                return yield* Relations.split(
                  graph,
                  {
                    ticketId,
                    messageIds: input.messages,
                    newTicketId,
                    newPublicId,
                    subject: input.subject ?? ticket?.subject ?? ""
                  },
                  ctx
                )
              })
            )
          )
          if (outcome._tag === "Success") return outcome.success.get(newTicketId) as Ticket.Ticket
          // A number from the sequence can only be taken by a hand-picked one: take the next.
          if (outcome.failure._tag !== "PublicIdTaken" || attempt >= maxAttempts)
            return yield* Effect.fail(outcome.failure)
        }
      })

    /** How many candidates each of `suggestDuplicates`' store queries brings at most. */
    const candidatesPerQuery = 100

    const suggestDuplicates = (raw: In.DuplicatesInput): Op<ReadonlyArray<Duplicates.Suggestion>> =>
      Effect.gen(function* () {
        const input = yield* decode(In.DuplicatesInput, "suggestDuplicates")(raw)
        const { state: ticket } = yield* load(yield* resolve(input.ticket), input.ticket)
        const window = Duration.days(input.windowDays ?? 14)
        const around = {
          category: Status.unresolvedCategories,
          updatedFrom: DateTime.subtractDuration(ticket.createdAt, window),
          sort: "updated" as const,
          limit: candidatesPerQuery
        }
        const words = Duplicates.terms(ticket.subject)
          .filter((w, i, all) => all.indexOf(w) === i)
          .sort((a, b) => b.length - a.length)
          .slice(0, 3)
        const queries: Array<TicketQuery> = [
          { ...around, requester: ticket.requester },
          ...(ticket.organization === undefined ? [] : [{ ...around, organization: ticket.organization }]),
          // A store without search still finds the requester's and organization's tickets.
          ...(store.capabilities.search === "none" ? [] : words.map((search) => ({ ...around, search })))
        ]
        const ids = new Set<TicketId>()
        for (const query of queries) {
          for (const item of (yield* store.query(ws, query)).items) if (item.id !== ticket.id) ids.add(item.id)
        }
        const candidates: Array<Ticket.Ticket> = []
        for (const id of ids) {
          const { state } = yield* store.load(id)
          if (state !== undefined) candidates.push(state)
        }
        return Duplicates.suggest(ticket, candidates, {
          window,
          ...(input.limit === undefined ? {} : { limit: input.limit })
        })
      })

    /**
     * Solving a problem solves its incidents, each by its own command (when `solveIncidents`);
     * one that cannot move to solved (closed, or a workflow that forbids it) stays as it is.
     */
    const solveIncidentsOf = (problem: Ticket.Ticket): Op<void> =>
      Effect.gen(function* () {
        if (!solveIncidents || problem.category !== "solved") return
        const solved = Status.defaultFor(workflow, "solved")
        for (const incident of Link.targets(problem.links, "incident")) {
          const outcome = yield* Effect.result(
            execute(incident, Actor.system("problem-solved"), undefined, (ticket) =>
              Effect.succeed(
                ticket.category === "solved"
                  ? new C.ChangeStatus({ ticketId: ticket.id, to: ticket.status })
                  : new C.ChangeStatus({ ticketId: ticket.id, to: solved })
              )
            )
          )
          if (outcome._tag === "Failure" && !isRefusal(outcome.failure)) return yield* Effect.fail(outcome.failure)
        }
      })

    const nextMessageId = Effect.map(ids.next("message"), (id) => id as MessageId)

    const bodyOf = (input: {
      readonly text: string
      readonly html?: string
      readonly attachments?: C.AddReply["body"]["attachments"]
      readonly email?: C.AddReply["body"]["email"]
    }): C.AddReply["body"] => ({
      text: input.text,
      attachments: input.attachments ?? [],
      ...(input.html === undefined ? {} : { html: input.html }),
      ...(input.email === undefined ? {} : { email: input.email })
    })

    /** Opens a ticket from a complete command template; numbers come from the sequence. */
    const openTicket = (
      actor: Actor.Actor,
      template: Omit<C.OpenTicket, "_tag" | "ticketId" | "workspaceId" | "publicId" | "messageId">,
      publicId: PublicId | undefined
    ): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const ticketId = (yield* ids.next("ticket")) as TicketId
        const messageId = yield* nextMessageId
        for (let attempt = 1; ; attempt++) {
          const number = publicId ?? (yield* store.nextPublicId(ws))
          const command = new C.OpenTicket({ ...template, ticketId, workspaceId: ws, publicId: number, messageId })
          const ctx = yield* context(actor)
          const { events, links } = yield* runTriggers(ticketId, undefined, yield* decide(undefined, command, ctx), ctx)
          const appended = yield* Effect.result(yield* appendDecided(undefined, 0, ticketId, events))
          if (appended._tag === "Success") {
            if (links.length === 0) return appended.success
            yield* makeLinks(ticketId, links)
            return (yield* load(ticketId)).state
          }
          // A number from the sequence can only be taken by a hand-picked one: take the next.
          const error = appended.failure
          if (error._tag !== "PublicIdTaken" || publicId !== undefined || attempt >= maxAttempts) {
            return yield* Effect.fail(error)
          }
        }
      })

    const requesterOf = (input: In.RequesterInput): Op<Contact> =>
      Effect.gen(function* () {
        if ("id" in input) return yield* contact(input.id)
        const email = yield* decode(Email, "requester email")(input.email)
        const existing = yield* directory.findContactByEmail(ws, input.email)
        if (Option.isSome(existing)) return existing.value
        const created: Contact = {
          id: (yield* ids.next("contact")) as ContactId,
          workspaceId: ws,
          name: input.name ?? normalizeEmail(input.email).split("@")[0] ?? "",
          emails: [normalizeEmail(email) as Email],
          phones: [],
          externalIds: {}
        }
        // #12: another process or fiber created this requester since we looked; theirs is the one.
        return yield* directory.saveContact(created).pipe(
          Effect.as(created),
          Effect.catchTag("EmailTaken", (taken) =>
            Effect.flatMap(directory.findContactByEmail(ws, input.email), (found) =>
              Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(taken)
            )
          )
        )
      })

    const open = (raw: In.OpenInput): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const input = yield* decode(In.OpenInput, "open")(raw)
        yield* Taxonomy.check(options.tagPolicy, input.tags ?? [])
        const requester = yield* requesterOf(input.requester)
        const actor = input.by ?? Actor.contact(requester.id)
        yield* checkActor(actor)
        if (input.group !== undefined) yield* group(input.group)
        if (input.assignee !== undefined) yield* checkAssignee(input.assignee, input.group)
        const opened = yield* openTicket(
          actor,
          {
            subject: input.subject,
            requester: requester.id,
            channel: input.channel,
            tags: input.tags ?? [],
            customFields: input.customFields ?? {},
            body: bodyOf(input),
            ...(requester.organization === undefined ? {} : { organization: requester.organization }),
            ...(input.priority === undefined ? {} : { priority: input.priority }),
            ...(input.type === undefined ? {} : { type: input.type }),
            ...(input.status === undefined ? {} : { status: input.status }),
            ...(input.group === undefined ? {} : { group: input.group }),
            ...(input.assignee === undefined ? {} : { assignee: input.assignee })
          },
          input.publicId
        )
        // A requester gets the public view back, never a note a rule added (#12).
        return Ticket.viewFor(actor, opened)
      })

    /**
     * A follow-up of a closed ticket: same requester, subject, type, group, tags and fields,
     * but neither its assignee nor its priority; linked both ways.
     */
    const openFollowUp = (closed: Ticket.Ticket, actor: Actor.Actor, input: typeof In.MessageInput.Type) =>
      Effect.gen(function* () {
        const followUp = yield* openTicket(
          actor,
          {
            subject: closed.subject,
            requester: closed.requester,
            channel: input.channel ?? closed.channel,
            tags: closed.tags,
            customFields: closed.customFields,
            body: bodyOf(input),
            followUpOf: closed.id,
            ...(closed.organization === undefined ? {} : { organization: closed.organization }),
            ...(closed.type === undefined ? {} : { type: closed.type }),
            ...(closed.group === undefined ? {} : { group: closed.group })
          },
          undefined
        )
        yield* execute(closed.id, Actor.system("follow-up"), undefined, () =>
          Effect.succeed(
            new C.AddLink({ ticketId: closed.id, link: { kind: "followed_up_by", ticketId: followUp.id } })
          )
        )
        return followUp
      })

    /** Where a merged ticket's messages go: the end of its chain of merges. */
    const mergeTarget = (ticket: Ticket.Ticket): Op<Ticket.Ticket | undefined> =>
      Effect.gen(function* () {
        let current = ticket
        for (let hops = 0; current.mergedInto !== undefined && hops < Relations.maxDepth; hops++) {
          current = (yield* load(current.mergedInto)).state
        }
        return current.id === ticket.id ? undefined : current
      })

    const message = (kind: "reply" | "note") => (raw: In.MessageInput) =>
      Effect.gen(function* () {
        const input = yield* decode(In.MessageInput, kind)(raw)
        const messageId = yield* nextMessageId
        // A reply through a merged ticket's number came in on that ticket's channel (a chat, say).
        const { id, via } = yield* follow(input.ticket)
        const arrivedOn = kind === "reply" ? (input.channel ?? via?.channel) : input.channel
        const write = (ref: TicketRef, expectedVersion: number | undefined, channel = arrivedOn) =>
          execute(ref, input.by, expectedVersion, (ticket) =>
            Effect.succeed(
              kind === "reply"
                ? new C.AddReply({
                    ticketId: ticket.id,
                    messageId,
                    channel: channel ?? ticket.channel,
                    body: bodyOf(input)
                  })
                : new C.AddNote({
                    ticketId: ticket.id,
                    messageId,
                    channel: channel ?? "web",
                    body: bodyOf(input)
                  })
            )
          )
        const outcome = yield* Effect.result(write(id, via === undefined ? input.expectedVersion : undefined))
        if (outcome._tag === "Success") return outcome.success
        const refused = outcome.failure
        if (refused._tag !== "FollowUpRequired" && refused._tag !== "TicketClosed") return yield* Effect.fail(refused)
        const { state } = yield* load(refused.ticketId as TicketId)
        // A message to a merged ticket lands on the ticket it was merged into.
        const target = yield* mergeTarget(state)
        // It came in on the merged ticket's channel (a chat, say), whatever the target's is.
        if (target !== undefined)
          return yield* write(target.id, undefined, kind === "reply" ? (input.channel ?? state.channel) : input.channel)
        return refused._tag === "FollowUpRequired"
          ? yield* openFollowUp(state, input.by, input)
          : yield* Effect.fail(refused)
      })

    /** A simple operation: decode, optionally check references, build the command. */
    const simple =
      <
        S extends
          | typeof In.StatusInput
          | typeof In.PriorityInput
          | typeof In.TypeInput
          | typeof In.EscalateInput
          | typeof In.CustomFieldInput
          | typeof In.TagsInput
          | typeof In.FollowerInput
          | typeof In.AssignInput
      >(
        schema: S,
        name: string,
        build: (input: S["Type"], ticket: Ticket.Ticket) => Op<C.TicketCommand>
      ) =>
      (raw: S["Encoded"]): Op<Ticket.Ticket> =>
        Effect.flatMap(decode(schema, name)(raw), (input) =>
          Effect.map(
            execute(input.ticket, input.by, input.expectedVersion, (ticket) => build(input, ticket)),
            (ticket) => Ticket.viewFor(input.by, ticket)
          )
        )

    const checkFollower = (f: { readonly _tag: "agent" | "contact"; readonly id: string }): Op<void> =>
      f._tag === "agent" ? Effect.asVoid(agent(f.id as AgentId)) : Effect.asVoid(contact(f.id as ContactId))

    const saveWithId = <A extends { readonly id: string }>(
      kind: "contact" | "organization" | "agent" | "group",
      id: string | undefined,
      build: (id: string) => A,
      save: (record: A) => Effect.Effect<void, StoreError | EmailTaken>
    ): Op<A> =>
      Effect.gen(function* () {
        const record = build(id ?? (yield* ids.next(kind)))
        yield* save(record)
        // A saved agent (deactivated, say) or contact is looked up afresh by the next command.
        actorsSeen.delete(`${kind}:${record.id}`)
        return record
      })

    const get = (raw: typeof TicketRefSchema.Encoded): Op<Ticket.Ticket> =>
      Effect.flatMap(resolveRef(raw), ({ id, ref }) => Effect.map(load(id, ref), ({ state }) => state))

    const service: Service = nameOperations(ws, {
      config: { workspaceId: ws, workflow, customFields },
      open,
      // A requester gets the public view back (of the follow-up too), never a note (#12).
      reply: (raw) => Effect.map(message("reply")(raw), (ticket) => Ticket.viewFor(raw.by as Actor.Actor, ticket)),
      note: message("note"),
      changeStatus: (raw) =>
        Effect.tap(
          simple(In.StatusInput, "changeStatus", (input, ticket) =>
            Effect.succeed(new C.ChangeStatus({ ticketId: ticket.id, to: input.status }))
          )(raw),
          solveIncidentsOf
        ),
      link: linkOp(Relations.link),
      unlink: linkOp(Relations.unlink),
      merge: mergeOp,
      undoMerge: undoMergeOp,
      split: splitOp,
      suggestDuplicates,
      applyRules,
      assign: simple(In.AssignInput, "assign", (input, ticket) =>
        Effect.gen(function* () {
          const nextGroup = input.group === undefined ? ticket.group : (input.group ?? undefined)
          if (input.group != null) yield* group(input.group)
          if (input.assignee != null) yield* checkAssignee(input.assignee, nextGroup)
          // Moving to a group the current assignee is not in needs a new (or no) assignee.
          if (input.assignee === undefined && ticket.assignee !== undefined && nextGroup !== ticket.group) {
            yield* checkAssignee(ticket.assignee, nextGroup)
          }
          return new C.Assign({
            ticketId: ticket.id,
            ...(input.assignee === undefined ? {} : { assignee: input.assignee }),
            ...(input.group === undefined ? {} : { group: input.group })
          })
        })
      ),
      setPriority: simple(In.PriorityInput, "setPriority", (input, ticket) =>
        Effect.succeed(new C.SetPriority({ ticketId: ticket.id, priority: input.priority }))
      ),
      setType: simple(In.TypeInput, "setType", (input, ticket) =>
        Effect.succeed(new C.SetType({ ticketId: ticket.id, type: input.type }))
      ),
      escalate: simple(In.EscalateInput, "escalate", (input, ticket) =>
        Effect.succeed(
          new C.Escalate({
            ticketId: ticket.id,
            reason: input.reason,
            ...(input.to === undefined ? {} : { to: input.to })
          })
        )
      ),
      setCustomField: simple(In.CustomFieldInput, "setCustomField", (input, ticket) =>
        Effect.succeed(new C.SetCustomField({ ticketId: ticket.id, key: input.key, value: input.value }))
      ),
      tag: simple(In.TagsInput, "tag", (input, ticket) =>
        Effect.as(
          Taxonomy.check(options.tagPolicy, input.add ?? [], ticket),
          new C.ChangeTags({ ticketId: ticket.id, add: input.add ?? [], remove: input.remove ?? [] })
        )
      ),
      addFollower: simple(In.FollowerInput, "addFollower", (input, ticket) =>
        Effect.as(checkFollower(input.follower), new C.AddFollower({ ticketId: ticket.id, follower: input.follower }))
      ),
      removeFollower: simple(In.FollowerInput, "removeFollower", (input, ticket) =>
        Effect.succeed(new C.RemoveFollower({ ticketId: ticket.id, follower: input.follower }))
      ),
      get,
      messages: (raw, page) => Conversation.read(get(raw), page),
      history: (raw) =>
        Effect.flatMap(resolveRef(raw), ({ id, ref }) =>
          Effect.flatMap(load(id, ref), () => Effect.map(store.read(id), ({ events }) => events))
        ),
      list: (raw) => Effect.flatMap(decode(TicketQuery, "query")(raw), (query) => store.query(ws, query)),
      recomputeSla: (raw) => Effect.flatMap(resolveRef(raw), ({ id }) => recordSla(id)),
      runDueTimers: (limit = 100) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const due = yield* timers.claimDue(ws, now, limit, 60_000)
          let fired = 0
          for (const timer of due) {
            if (timer.purpose === "sla") {
              const outcome = yield* Effect.result(recordSla(timer.ticketId))
              if (outcome._tag === "Failure") {
                const error = outcome.failure
                if (error._tag !== "TicketNotFound" && error._tag !== "TicketClosed") continue // retried after the lease
              } else if (outcome.success > 0) fired++
              yield* timers.complete(timer.id)
              continue
            }
            const closed = execute(timer.ticketId, Actor.system("close-solved"), undefined, (ticket) =>
              Effect.succeed(new C.CloseSolved({ ticketId: ticket.id }))
            )
            const outcome = yield* Effect.result(closed)
            if (outcome._tag === "Failure") {
              const error = outcome.failure
              if (error._tag === "NotDue") {
                yield* timers.schedule(Timer.make(ws, timer.ticketId, timer.purpose, error.dueAt))
              } else if (error._tag !== "TicketNotFound" && error._tag !== "TicketClosed") {
                continue // the lease runs out and the timer comes back: nothing is lost
              }
            } else if (outcome.success.category === "closed") {
              fired++ // a ticket reopened since the timer was set stays open and does not count
            }
            yield* timers.complete(timer.id)
          }
          return fired
        }),
      saveContact: (raw) =>
        Effect.flatMap(decode(In.ContactInput, "contact")(raw), (input) =>
          Effect.gen(function* () {
            if (input.organization !== undefined) {
              yield* mustExist("organization", input.organization, directory.getOrganization(ws, input.organization))
            }
            return yield* saveWithId(
              "contact",
              input.id,
              (id): Contact => ({
                id: id as ContactId,
                workspaceId: ws,
                name: input.name,
                emails: (input.emails ?? []).map((e) => normalizeEmail(e) as typeof e),
                phones: input.phones ?? [],
                externalIds: input.externalIds ?? {},
                ...(input.organization === undefined ? {} : { organization: input.organization }),
                ...(input.tier === undefined ? {} : { tier: input.tier })
              }),
              directory.saveContact
            )
          })
        ),
      saveOrganization: (raw) =>
        Effect.flatMap(decode(In.OrganizationInput, "organization")(raw), (input) =>
          saveWithId(
            "organization",
            input.id,
            (id) => ({
              id: id as OrganizationId,
              workspaceId: ws,
              name: input.name,
              domains: input.domains ?? [],
              sharedTickets: input.sharedTickets ?? false,
              ...(input.tier === undefined ? {} : { tier: input.tier })
            }),
            directory.saveOrganization
          )
        ),
      saveAgent: (raw) =>
        Effect.flatMap(decode(In.AgentInput, "agent")(raw), (input) =>
          Effect.gen(function* () {
            for (const g of input.groups ?? []) yield* group(g)
            return yield* saveWithId(
              "agent",
              input.id,
              (id): Agent => ({
                id: id as AgentId,
                workspaceId: ws,
                name: input.name,
                email: normalizeEmail(input.email) as Agent["email"],
                groups: input.groups ?? [],
                skills: input.skills ?? [],
                active: input.active ?? true
              }),
              directory.saveAgent
            )
          })
        ),
      saveGroup: (raw) =>
        Effect.flatMap(decode(In.GroupInput, "group")(raw), (input) =>
          saveWithId(
            "group",
            input.id,
            (id) => ({ id: id as GroupId, workspaceId: ws, name: input.name }),
            directory.saveGroup
          )
        ),
      getContact: (id) => contact(id as ContactId),
      findContactByEmail: (email) => directory.findContactByEmail(ws, email)
    })
    return service
  })

/**
 * The help desk as a layer over the ports.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  config: typeof In.Config.Encoded,
  options: Options = {}
): Layer.Layer<Helpdesk, InvalidConfig, TicketStore | DirectoryStore | IdGenerator | Timer.Timers> =>
  Layer.effect(Helpdesk, make(config, options))
