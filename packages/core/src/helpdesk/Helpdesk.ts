/**
 * `Helpdesk`: the service applications call. Each operation decodes its input, checks the
 * references it names against the directory, loads the ticket's stream, reads `now` once from
 * the `Clock`, decides, and appends with the expected version. When another writer got there
 * first it decides again on fresh state (bounded), so no update is lost; a caller that passes
 * `expectedVersion` gets the conflict instead. Each instance remembers the tickets it last
 * loaded or wrote (`stateCacheSize`), so a command usually decides without reading the store;
 * only a successful append is taken from a remembered state, anything else is decided again on
 * fresh state. Rules, SLAs and notifications plug in later.
 */
import { Context, DateTime, Effect, Layer, Option } from "effect"
import type { Agent, Contact, Group, Organization } from "../directory/Directory.js"
import { Email, normalizeEmail } from "../directory/Directory.js"
import { AgentUnavailable, type EmailTaken, NotInDirectory } from "../directory/DirectoryError.js"
import * as MemoryDirectoryStore from "../memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../memory/MemoryTicketStore.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { IdGenerator, layerSequential, layerTimeOrdered } from "../ports/IdGenerator.js"
import type { Outbox } from "../ports/Outbox.js"
import type { InvalidCursor, PublicIdTaken, StoreError } from "../ports/StoreError.js"
import { VersionConflict } from "../ports/StoreError.js"
import { type AppendEffects, TicketStore } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import { type TicketPage, TicketQuery } from "../query/TicketQuery.js"
import * as Sla from "../sla/Sla.js"
import type * as SlaPolicy from "../sla/SlaPolicy.js"
import * as Actor from "../ticket/Actor.js"
import type { FieldDefinition } from "../ticket/CustomField.js"
import { closeDueAt, type DecideContext, decide } from "../ticket/decide.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  TicketRef
} from "../ticket/Ids.js"
import { TicketRef as TicketRefSchema } from "../ticket/Ids.js"
import * as Status from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import { type TicketError, TicketNotFound } from "../ticket/TicketError.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as In from "./HelpdeskInput.js"
import { decode, InvalidInput } from "./Input.js"

/**
 * Every way a `Helpdesk` operation can fail.
 *
 * @category errors
 * @since 0.1.0
 */
export type HelpdeskError =
  | TicketError
  | InvalidInput
  | NotInDirectory
  | AgentUnavailable
  | EmailTaken
  | VersionConflict
  | PublicIdTaken
  | InvalidCursor
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
  /** Opens a ticket from any channel. */
  readonly open: (input: In.OpenInput) => Op<Ticket.Ticket>
  /**
   * Adds a public reply. A requester writing on a closed ticket (or on one solved longer ago
   * than the group's reopen window) gets a follow-up ticket: that ticket is returned.
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
  /** The current state of a ticket, by public number or internal id. */
  readonly get: (ticket: typeof TicketRefSchema.Encoded) => Op<Ticket.Ticket>
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
  | { readonly _tag: "AppendFailed"; readonly error: VersionConflict | PublicIdTaken | StoreError }

const isConflict = (error: unknown): error is VersionConflict =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "VersionConflict"

/**
 * SLAs the help desk tracks: its policies and the business calendars they name. With them, each
 * command computes the ticket's SLA state (`Sla.slaState`), keeps the earliest due time on the
 * ticket for queues (`slaDueAt`), and sets an `sla` timer for the next warning or breach;
 * `runDueTimers` then records `SlaWarningReached` and `SlaBreached`, once per metric instance.
 *
 * @category models
 * @since 0.1.0
 */
export interface SlaOptions {
  readonly policies: SlaPolicy.PolicySet
  readonly calendars: Sla.Calendars
}

/**
 * What a help desk is built with besides its JSON configuration.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly sla?: SlaOptions
}

/**
 * Builds a help desk over the ports in context. The configuration is decoded first (a bad
 * workflow fails here, with every problem listed).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  config: typeof In.Config.Encoded,
  options: Options = {}
): Effect.Effect<Service, InvalidInput, TicketStore | DirectoryStore | IdGenerator | Timer.Timers> =>
  Effect.gen(function* () {
    const decoded = yield* decode(In.Config, "config")(config)
    const workflow = decoded.workflow ?? Status.defaultWorkflow
    const workflowProblems = Status.problems(workflow)
    if (workflowProblems.length > 0) {
      return yield* new InvalidInput({
        input: "config",
        problems: workflowProblems.map((message) => ({ path: ["workflow"], message }))
      })
    }
    const ws = decoded.workspaceId
    const customFields = decoded.customFields ?? []
    const maxAttempts = decoded.maxAttempts ?? 50
    const stateCacheSize = decoded.stateCacheSize ?? 1000
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

    const checkActor = (actor: Actor.Actor): Op<void> => {
      switch (actor._tag) {
        case "system":
          return Effect.void
        case "contact":
          return Effect.asVoid(contact(actor.id))
        case "agent":
          return Effect.flatMap(agent(actor.id), (a) =>
            a.active ? Effect.void : Effect.fail(new AgentUnavailable({ agent: a.id, reason: "inactive" }))
          )
      }
    }

    /** An assignee must be an active agent and a member of the ticket's group, if it has one. */
    const checkAssignee = (id: AgentId, inGroup: GroupId | undefined): Op<void> =>
      Effect.flatMap(agent(id), (a) =>
        !a.active
          ? Effect.fail(new AgentUnavailable({ agent: id, reason: "inactive" }))
          : inGroup !== undefined && !a.groups.includes(inGroup)
            ? Effect.fail(new AgentUnavailable({ agent: id, reason: "not_in_group", group: inGroup }))
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

    // -- streams -----------------------------------------------------------------------------

    const resolve = (ref: TicketRef): Op<TicketId> =>
      typeof ref === "number"
        ? Effect.flatMap(store.resolve(ws, ref as PublicId), (o) =>
            Option.isSome(o) ? Effect.succeed(o.value) : Effect.fail(new TicketNotFound({ ticket: ref }))
          )
        : Effect.succeed(ref)

    /** A stream's state, if it is a ticket of this workspace: another's looks exactly like a missing one. */
    const inWorkspace = (state: Ticket.State, ref: TicketRef): Op<Ticket.Ticket> =>
      state === undefined || state.workspaceId !== ws
        ? Effect.fail(new TicketNotFound({ ticket: ref }))
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

    /** What an append writes besides its events: the close timer of a ticket just solved. */
    const effectsOf = (ticket: Ticket.Ticket, events: ReadonlyArray<TicketEvent>): AppendEffects => {
      const due = closeDueAt(ticket, workflow)
      const solvedNow = events.some(
        (e) =>
          (e._tag === "StatusChanged" && e.toCategory === "solved") ||
          (e._tag === "TicketOpened" && e.category === "solved")
      )
      return due !== undefined && solvedNow ? { timers: [Timer.make(ws, ticket.id, "close_solved", due)] } : {}
    }

    // -- SLAs --------------------------------------------------------------------------------

    const sla = options.sla

    /** The requester's customer tier (the contact's, else their organization's): policies may ask. */
    const slaContext = (ticket: Ticket.Ticket): Op<SlaPolicy.Context> =>
      Effect.gen(function* () {
        const requester = yield* directory.getContact(ws, ticket.requester)
        const contactTier = Option.isSome(requester) ? requester.value.tier : undefined
        if (contactTier !== undefined) return { tier: contactTier }
        const orgId = ticket.organization ?? (Option.isSome(requester) ? requester.value.organization : undefined)
        if (orgId === undefined) return {}
        const org = yield* directory.getOrganization(ws, orgId)
        return Option.isSome(org) && org.value.tier !== undefined ? { tier: org.value.tier } : {}
      })

    const milestoneKey = (kind: "warning" | "breach", metric: string, instance: number) =>
      `${kind}:${metric}:${instance}`

    /**
     * Where a ticket's SLAs stand at `now`, from its whole log: the milestones due and not yet
     * recorded, the next instant one falls due, and the earliest due time of a running instance.
     */
    const slaPlan = (ticket: Ticket.Ticket, log: ReadonlyArray<TicketEvent>, now: DateTime.Utc, options: SlaOptions) =>
      Effect.gen(function* () {
        const context = yield* slaContext(ticket)
        const state = yield* Effect.mapError(
          Effect.fromResult(Sla.slaState(log, options.policies, options.calendars, now, context)),
          (error) => new InvalidInput({ input: "sla", problems: [{ path: ["sla"], message: error.message }] })
        )
        const recorded = new Set(
          log.flatMap((e) =>
            e._tag === "SlaWarningReached"
              ? [milestoneKey("warning", e.metric, e.instance)]
              : e._tag === "SlaBreached"
                ? [milestoneKey("breach", e.metric, e.instance)]
                : []
          )
        )
        const due: Array<InstanceType<typeof C.RecordSla>["milestones"][number]> = []
        let next: number | undefined
        let slaDueAt: DateTime.Utc | undefined
        const at = now.epochMilliseconds
        const consider = (t: number) => {
          if (next === undefined || t < next) next = t
        }
        for (const i of state.instances) {
          const base = { metric: i.metric, instance: i.instance, policy: i.policy.id }
          if (i.warningAt !== undefined && !recorded.has(milestoneKey("warning", i.metric, i.instance))) {
            if (i.warningAt.epochMilliseconds <= at) due.push({ kind: "warning", ...base, reachedAt: i.warningAt })
            else consider(i.warningAt.epochMilliseconds)
          }
          if (!recorded.has(milestoneKey("breach", i.metric, i.instance))) {
            if (i.breachedAt !== undefined) due.push({ kind: "breach", ...base, reachedAt: i.breachedAt })
            else if (i.dueAt !== undefined) consider(i.dueAt.epochMilliseconds)
          }
          if (i.dueAt !== undefined && (slaDueAt === undefined || DateTime.isLessThan(i.dueAt, slaDueAt))) {
            slaDueAt = i.dueAt
          }
        }
        return { due, next: next === undefined ? undefined : DateTime.makeUnsafe(next), slaDueAt }
      })

    /** The SLA side of an append: the queue's due time and the next SLA timer, from the log with `events`. */
    const slaEffects = (next: Ticket.Ticket, ticketId: TicketId, events: ReadonlyArray<TicketEvent>) =>
      Effect.gen(function* () {
        if (sla === undefined) return undefined
        const stored = events.some((e) => e._tag === "TicketOpened") ? [] : (yield* store.read(ticketId)).events
        const now = yield* DateTime.now
        const plan = yield* slaPlan(next, [...stored, ...events], now, sla)
        return {
          // A milestone already due gets a timer now, so the next `runDueTimers` records it.
          timers:
            plan.due.length > 0
              ? [Timer.make(ws, ticketId, "sla", now)]
              : plan.next === undefined
                ? []
                : [Timer.make(ws, ticketId, "sla", plan.next)],
          slaDueAt: plan.slaDueAt ?? null
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
      return Effect.map(slaEffects(next, ticketId, events), (sla) => {
        const base = effectsOf(next, events)
        const effects: AppendEffects =
          sla === undefined
            ? base
            : { ...base, timers: [...(base.timers ?? []), ...sla.timers], slaDueAt: sla.slaDueAt }
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
          return yield* new VersionConflict({ streamId: ticketId, expected: expectedVersion, actual: version })
        }
        const command = yield* build(state)
        const events = yield* decide(state, command, yield* context(actor))
        if (events.length === 0) return { _tag: "Unchanged", ticket: state } as const
        const appended = yield* Effect.result(yield* appendDecided(state, version, ticketId, events))
        return appended._tag === "Success"
          ? ({ _tag: "Appended", ticket: appended.success } as const)
          : ({ _tag: "AppendFailed", error: appended.failure } as const)
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
          const events = yield* decide(undefined, command, yield* context(actor))
          const appended = yield* Effect.result(yield* appendDecided(undefined, 0, ticketId, events))
          if (appended._tag === "Success") return appended.success
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
        yield* directory.saveContact(created)
        return created
      })

    const open = (raw: In.OpenInput): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const input = yield* decode(In.OpenInput, "open")(raw)
        const requester = yield* requesterOf(input.requester)
        const actor = input.by ?? Actor.contact(requester.id)
        yield* checkActor(actor)
        if (input.group !== undefined) yield* group(input.group)
        if (input.assignee !== undefined) yield* checkAssignee(input.assignee, input.group)
        return yield* openTicket(
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

    const message = (kind: "reply" | "note") => (raw: In.MessageInput) =>
      Effect.gen(function* () {
        const input = yield* decode(In.MessageInput, kind)(raw)
        const messageId = yield* nextMessageId
        const written = execute(input.ticket, input.by, input.expectedVersion, (ticket) =>
          Effect.succeed(
            kind === "reply"
              ? new C.AddReply({
                  ticketId: ticket.id,
                  messageId,
                  channel: input.channel ?? ticket.channel,
                  body: bodyOf(input)
                })
              : new C.AddNote({ ticketId: ticket.id, messageId, channel: input.channel ?? "web", body: bodyOf(input) })
          )
        )
        return yield* Effect.catchTag(written, "FollowUpRequired", (refused) =>
          Effect.flatMap(load(refused.ticketId as TicketId), ({ state }) => openFollowUp(state, input.by, input))
        )
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
          execute(input.ticket, input.by, input.expectedVersion, (ticket) => build(input, ticket))
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
        return record
      })

    const service: Service = {
      config: { workspaceId: ws, workflow, customFields },
      open,
      reply: message("reply"),
      note: message("note"),
      changeStatus: simple(In.StatusInput, "changeStatus", (input, ticket) =>
        Effect.succeed(new C.ChangeStatus({ ticketId: ticket.id, to: input.status }))
      ),
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
        Effect.succeed(new C.ChangeTags({ ticketId: ticket.id, add: input.add ?? [], remove: input.remove ?? [] }))
      ),
      addFollower: simple(In.FollowerInput, "addFollower", (input, ticket) =>
        Effect.as(checkFollower(input.follower), new C.AddFollower({ ticketId: ticket.id, follower: input.follower }))
      ),
      removeFollower: simple(In.FollowerInput, "removeFollower", (input, ticket) =>
        Effect.succeed(new C.RemoveFollower({ ticketId: ticket.id, follower: input.follower }))
      ),
      get: (raw) => Effect.flatMap(resolveRef(raw), ({ id, ref }) => Effect.map(load(id, ref), ({ state }) => state)),
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
    }
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
): Layer.Layer<Helpdesk, InvalidInput, TicketStore | DirectoryStore | IdGenerator | Timer.Timers> =>
  Layer.effect(Helpdesk, make(config, options))

/**
 * Options of the all-in-memory help desk.
 *
 * @category models
 * @since 0.1.0
 */
export interface MemoryOptions extends MemoryTicketStore.Options, Options {
  /** `sequential` ids (`tkt_1`) for tests and demos; time-ordered random ids by default. */
  readonly ids?: "sequential" | "timeOrdered"
}

/**
 * A help desk with every port in memory: for tests, demos and small tools. The stores are
 * exposed too, so tests can look underneath.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerMemory = (
  config: typeof In.Config.Encoded,
  options: MemoryOptions = {}
): Layer.Layer<Helpdesk | TicketStore | DirectoryStore | Timer.Timers | Outbox, InvalidInput> =>
  layer(config, options).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        MemoryTicketStore.layer(options),
        MemoryDirectoryStore.layer,
        options.ids === "sequential" ? layerSequential : layerTimeOrdered
      )
    )
  )
