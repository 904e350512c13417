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
import type * as Duplicates from "../links/Duplicates.js"
import { InvalidLink, type LinkError } from "../links/LinkError.js"
import * as Relations from "../links/Relations.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import type { OutboxMessage } from "../ports/Outbox.js"
import type { InvalidCursor, PublicIdTaken, StoreError } from "../ports/StoreError.js"
import { VersionConflict } from "../ports/StoreError.js"
import { type AppendEffects, type AppendRequest, TicketStore } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import { type TicketPage, TicketQuery } from "../query/TicketQuery.js"
import * as Sla from "../sla/Sla.js"
import type * as SlaPolicy from "../sla/SlaPolicy.js"
import { closeDueAt, type DecideContext, decide } from "../ticket/decide.js"
import * as Status from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import { type TicketError, TicketNotFound } from "../ticket/TicketError.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { FieldDefinition } from "../values/CustomField.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  TicketRef,
  TicketRef as TicketRefSchema
} from "../values/Ids.js"
import type * as Limits from "../values/Limits.js"
import * as Link from "../values/Link.js"
import * as ActorCache from "./ActorCache.js"
import * as Effects from "./AppendEffects.js"
import * as Automations from "./Automations.js"
import * as Batch from "./Batch.js"
import * as Conversation from "./Conversation.js"
import * as Deps from "./Deps.js"
import * as DirectoryChecks from "./DirectoryChecks.js"
import * as DirectoryOperations from "./DirectoryOperations.js"
import { type HelpdeskError, isConflict, isRefusal, type Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode, InvalidInput } from "./Input.js"
import { nameOperations } from "./nameOperations.js"
import * as RelationOperations from "./RelationOperations.js"
import * as StateCache from "./StateCache.js"
import * as Streams from "./Streams.js"
import * as TicketLocks from "./TicketLocks.js"
import * as TimerRunner from "./TimerRunner.js"
import * as TriggerRunner from "./TriggerRunner.js"
import type * as Triggers from "./Triggers.js"
import * as UnitOfWork from "./UnitOfWork.js"

export type { HelpdeskError } from "./HelpdeskError.js"

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
    const solveIncidents = decoded.solveIncidents ?? true
    const actorCheckMillis = decoded.actorCheckMillis ?? 1000
    const store = yield* TicketStore
    const directory = yield* DirectoryStore
    const ids = yield* IdGenerator
    const timers = yield* Timer.Timers

    const sla = options.sla
    const deps: Deps.Deps = {
      ws,
      workflow,
      customFields,
      maxAttempts,
      solveIncidents,
      store,
      directory,
      ids,
      timers,
      sla,
      triggers: options.triggers,
      effects: Effects.make({ ws, workflow, store, directory, sla }),
      states: StateCache.make(stateCacheSize),
      actors: ActorCache.make(actorCheckMillis),
      locks: TicketLocks.make()
    }
    const context = (actor: Actor.Actor) => Deps.decideContext(deps, actor)
    const checks = DirectoryChecks.make(deps)
    const { mustExist, agent, group, contact, checkActor, checkAssignee, checkFollower } = checks
    const { recall, remember, forget } = deps.states
    const { locks, actors } = deps

    const streams = Streams.make(deps)
    const { holder, follow, resolve, inWorkspace, load, resolveRef, appendDecided } = streams
    const batch = Batch.make(deps, checks)
    const { executeMany } = batch
    const versionIs = Batch.versionIs

    const { effectsFor, slaPlan } = deps.effects

    const automations = Automations.make(deps, streams, batch)
    const { runTriggers, makeLinks, applyRules } = automations

    const unitOfWork = UnitOfWork.make(deps, checks, streams, automations)
    const { execute } = unitOfWork

    const { recordSla, runDueTimers } = TimerRunner.make(deps, unitOfWork)

    const relations = RelationOperations.make(deps, streams, batch)
    const directoryOperations = DirectoryOperations.make(deps, checks)

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

    const get = (raw: typeof TicketRefSchema.Encoded): Op<Ticket.Ticket> =>
      Effect.flatMap(resolveRef(raw), ({ id, ref }) => Effect.map(load(id, ref), ({ state }) => state))

    const service: Service = nameOperations({
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
      link: relations.link,
      unlink: relations.unlink,
      merge: relations.merge,
      undoMerge: relations.undoMerge,
      split: relations.split,
      suggestDuplicates: relations.suggestDuplicates,
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
        Effect.succeed(new C.ChangeTags({ ticketId: ticket.id, add: input.add ?? [], remove: input.remove ?? [] }))
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
      runDueTimers,
      saveContact: directoryOperations.saveContact,
      saveOrganization: directoryOperations.saveOrganization,
      saveAgent: directoryOperations.saveAgent,
      saveGroup: directoryOperations.saveGroup,
      getContact: directoryOperations.getContact,
      findContactByEmail: directoryOperations.findContactByEmail
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
): Layer.Layer<Helpdesk, InvalidInput, TicketStore | DirectoryStore | IdGenerator | Timer.Timers> =>
  Layer.effect(Helpdesk, make(config, options))
