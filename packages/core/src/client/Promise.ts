/**
 * `createHelpdesk`: the `Helpdesk` service behind plain Promises, for applications that do not
 * use Effect. It builds the service once (in-memory ports by default, or the ports of a layer you
 * pass), returns JSON-friendly data (dates as ISO strings, absent values as `undefined`) and
 * rejects with the same tagged error instances the Effect API fails with. It adds no behaviour of
 * its own: every rule lives in the service. Tickets come back without their conversation (its
 * size and last messages instead: `toTicketJson`), which `messages` reads page by page.
 */
import { Cause, Clock, Effect, Exit, Layer, ManagedRuntime, Option, Result, Schema } from "effect"
import * as Config from "../helpdesk/Config.js"
import * as Helpdesk from "../helpdesk/Helpdesk.js"
import type * as In from "../helpdesk/HelpdeskInput.js"
import { decode } from "../helpdesk/Input.js"
import * as Requester from "../helpdesk/Requester.js"
import type * as Duplicates from "../links/Duplicates.js"
import * as MemoryDirectoryStore from "../memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../memory/MemoryTicketStore.js"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import { type IdGenerator, layerSequential, layerTimeOrdered } from "../ports/IdGenerator.js"
import type { TicketStore } from "../ports/TicketStore.js"
import type { Timers } from "../ports/Timers.js"
import type * as TicketQuery from "../query/TicketQuery.js"
import type { InvalidConfig } from "../values/ConfigError.js"
import * as ConfigError from "../values/ConfigError.js"
import { type ContactId, TicketRef } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import type {
  AgentJson,
  ContactJson,
  FieldDefinitionJson,
  GroupJson,
  MessagePageInput,
  MessagePageJson,
  OrganizationJson,
  TicketEventJson,
  TicketJson,
  TicketPageJson,
  TicketRefInput,
  WorkflowJson
} from "./Json.js"
import {
  encodeAgent,
  encodeContact,
  encodeGroup,
  encodeHistory,
  encodeMessagePage,
  encodeOrganization,
  encodePage,
  encodeWorkflow,
  toTicketJson
} from "./Json.js"

export type {
  AgentJson,
  ContactJson,
  FieldDefinitionJson,
  GroupJson,
  MessageJson,
  MessagePageInput,
  MessagePageJson,
  OrganizationJson,
  TicketEventJson,
  TicketJson,
  TicketPageJson,
  TicketRefInput,
  TicketSummaryJson,
  WorkflowJson
} from "./Json.js"

/**
 * Every error a facade promise may reject with: the `Helpdesk`'s tagged errors, as instances,
 * and `InvalidConfig` from `createHelpdesk` when the options do not hold.
 *
 * @category errors
 * @since 0.1.0
 */
export type HelpdeskError = Helpdesk.HelpdeskError | InvalidConfig

/**
 * The ports a help desk runs on. A layer that provides them replaces the in-memory ones.
 *
 * @category models
 * @since 0.1.0
 */
export type Ports = TicketStore | DirectoryStore | IdGenerator | Timers

/**
 * Options of `createHelpdesk`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The workspace (tenant) this help desk works on (default `"default"`). */
  readonly workspace?: string
  /** Statuses, transitions, the solved-to-closed delay and reopen policies (default: `Status.defaultWorkflow`). */
  readonly workflow?: WorkflowJson
  /** The custom fields tickets of this workspace carry. */
  readonly customFields?: ReadonlyArray<FieldDefinitionJson>
  /** In-memory ports only: the first public ticket number (default 1). */
  readonly firstPublicId?: number
  /** In-memory ports only: `sequential` ids (`tkt_1`) for demos and tests; time-ordered by default. */
  readonly ids?: "sequential" | "timeOrdered"
  /**
   * Where the help desk reads the time, in milliseconds since the epoch or as a `Date` (default:
   * the system clock). For demos, imports and tests that need a chosen time; it becomes the Effect
   * `Clock` the service reads, so timers and timestamps follow it.
   */
  readonly now?: () => number | Date
  /** Other ports (a SQL store, Redis timers, ...) instead of the in-memory ones. */
  readonly layer?: Layer.Layer<Ports, unknown>
  /** SLA policies and the business calendars they name (see `Helpdesk.SlaOptions`); none by default. */
  readonly sla?: Helpdesk.SlaOptions
  /** Trigger rules run after each command (see `Triggers`; `@tessera/rules` compiles them). */
  readonly triggers?: Helpdesk.Options["triggers"]
  /**
   * Where the help desk's spans (`Helpdesk.<operation>`) and logs go: a layer that sets Effect's
   * tracer and loggers, such as `NodeSdk.layer` of `@effect/opentelemetry`
   * (`docs/observability.md`). Built before the ports and released after them, on `close`.
   */
  readonly observability?: Layer.Layer<never, unknown>
  /** The workspace's tag policy (`TagPolicy.make`); a strict taxonomy refuses unknown tags (`TagNotAllowed`). */
  readonly tagPolicy?: Helpdesk.Options["tagPolicy"]
}

/**
 * The help desk with Promise methods. Each method takes the same input as the `Helpdesk`
 * service, resolves with JSON-friendly data, and rejects with the service's tagged error
 * instance (`err instanceof TicketError.TicketClosed`, or `err._tag === "TicketClosed"`).
 * Bugs (defects) reject with an `Error`.
 *
 * @category models
 * @since 0.1.0
 */
export interface HelpdeskClient {
  /** The decoded configuration the help desk runs with. */
  readonly config: {
    readonly workspace: string
    readonly workflow: WorkflowJson
    readonly customFields: ReadonlyArray<FieldDefinitionJson>
  }
  /** Opens a ticket from any channel; the requester is found (or created) by email or id. */
  readonly open: (input: In.OpenInput) => Promise<TicketJson>
  /**
   * Adds a public reply. A requester writing on a closed ticket (or on one solved longer ago than
   * the group's reopen window) gets a follow-up ticket: that ticket is returned.
   */
  readonly reply: (input: In.MessageInput) => Promise<TicketJson>
  /** Adds an internal note (agents only). */
  readonly note: (input: In.MessageInput) => Promise<TicketJson>
  /** Moves the ticket to another status of the workflow. */
  readonly changeStatus: (input: In.StatusInput) => Promise<TicketJson>
  /** Assigns to an agent and/or a group (`null` unassigns). */
  readonly assign: (input: In.AssignInput) => Promise<TicketJson>
  /** Sets the priority. */
  readonly setPriority: (input: In.PriorityInput) => Promise<TicketJson>
  /** Sets the type. */
  readonly setType: (input: In.TypeInput) => Promise<TicketJson>
  /** Escalates to a higher support level, with a reason. */
  readonly escalate: (input: In.EscalateInput) => Promise<TicketJson>
  /** Sets (or, with `null`, clears) a declared custom field. */
  readonly setCustomField: (input: In.CustomFieldInput) => Promise<TicketJson>
  /** Adds and removes tags. */
  readonly tag: (input: In.TagsInput) => Promise<TicketJson>
  /** Adds a follower (agent or contact). */
  readonly addFollower: (input: In.FollowerInput) => Promise<TicketJson>
  /** Removes a follower. */
  readonly removeFollower: (input: In.FollowerInput) => Promise<TicketJson>
  /** Links a ticket to another, recorded on both; resolves with the ticket. */
  readonly link: (input: In.LinkInput) => Promise<TicketJson>
  /** Removes a link from both tickets; resolves with the ticket. */
  readonly unlink: (input: In.LinkInput) => Promise<TicketJson>
  /** Merges sources into a target; resolves with the target. */
  readonly merge: (input: In.MergeInput) => Promise<TicketJson>
  /** Undoes a merge; resolves with the source, restored. */
  readonly undoMerge: (input: In.UndoMergeInput) => Promise<TicketJson>
  /** Moves chosen messages into a new linked ticket; resolves with the new ticket. */
  readonly split: (input: In.SplitInput) => Promise<TicketJson>
  /** Open tickets likely to be the same issue, ranked, with a score and reasons. */
  readonly suggestDuplicates: (input: In.DuplicatesInput) => Promise<ReadonlyArray<Duplicates.Suggestion>>
  /** The current state of a ticket, by public number (a merged ticket's leads to its target) or internal id. */
  readonly get: (ticket: TicketRefInput) => Promise<TicketJson>
  /**
   * A page of a ticket's conversation, replies and internal notes, in time order (`asc`) or
   * latest first (`desc`). Pass the page's `nextCursor` to read the next one; a cursor only reads
   * on the ticket and in the direction it was issued for (`InvalidCursor` otherwise), and a
   * malformed request rejects with `InvalidInput`.
   */
  readonly messages: (ticket: TicketRefInput, page?: MessagePageInput) => Promise<MessagePageJson>
  /** The event log of a ticket: its complete history, oldest first. */
  readonly history: (ticket: TicketRefInput) => Promise<ReadonlyArray<TicketEventJson>>
  /** A page of tickets (see `TicketQuery`). */
  readonly list: (query?: typeof TicketQuery.TicketQuery.Encoded) => Promise<TicketPageJson>
  /** Fires the timers that are due at the help desk's `now` (closing solved tickets, SLA milestones); resolves with how many did something. */
  readonly runDueTimers: (limit?: number) => Promise<number>
  /** Records a ticket's due SLA warnings and breaches and sets its next SLA timer (after a policy change). */
  readonly recomputeSla: (ticket: TicketRefInput) => Promise<number>
  /** Creates (no `id`) or replaces a contact. */
  readonly saveContact: (input: In.ContactInput) => Promise<ContactJson>
  /** Creates (no `id`) or replaces an organization. */
  readonly saveOrganization: (input: In.OrganizationInput) => Promise<OrganizationJson>
  /** Creates (no `id`) or replaces an agent. */
  readonly saveAgent: (input: In.AgentInput) => Promise<AgentJson>
  /** Creates (no `id`) or replaces a group. */
  readonly saveGroup: (input: In.GroupInput) => Promise<GroupJson>
  /** A contact by id; rejects with `NotInDirectory` when there is none. */
  readonly getContact: (id: string) => Promise<ContactJson>
  /** A contact by any of its emails (case-insensitive), or `undefined`. */
  readonly findContactByEmail: (email: string) => Promise<ContactJson | undefined>
  /**
   * The requester-facing side for one contact (what a customer portal calls; see `Requester`):
   * every result is what that contact may see, encoded as the same methods above encode it.
   */
  readonly forRequester: (contactId: string) => RequesterClient
  /** Releases the help desk's resources (connections of the ports' layer); later calls reject. */
  readonly close: () => Promise<void>
}

/**
 * A requester's operations with Promise methods, acting as one contact: tickets in their public
 * view, public events only, searches over public text; a ticket that is not the contact's
 * rejects with `TicketNotFound`, exactly as a missing one. Results are encoded as the
 * `HelpdeskClient` method of the same name encodes them.
 *
 * @category models
 * @since 0.1.0
 */
export interface RequesterClient {
  /** The contact every method acts as. */
  readonly contact: string
  /** Opens a ticket as the contact. */
  readonly open: (input: Requester.OpenInput) => ReturnType<HelpdeskClient["open"]>
  /** Replies on one of the contact's tickets (a closed one gets a follow-up: that ticket is returned). */
  readonly reply: (input: Requester.ReplyInput) => ReturnType<HelpdeskClient["reply"]>
  /** One of the contact's tickets. */
  readonly get: HelpdeskClient["get"]
  /** The conversation of one of the contact's tickets, page by page: public messages only. */
  readonly messages: HelpdeskClient["messages"]
  /** The public events of one of the contact's tickets. */
  readonly history: HelpdeskClient["history"]
  /** A page of the contact's tickets; `search` matches public text only. */
  readonly list: (query?: Requester.ListQuery) => ReturnType<HelpdeskClient["list"]>
}

const helpdeskErrorTags: Record<HelpdeskError["_tag"], true> = {
  TicketNotFound: true,
  TicketAlreadyExists: true,
  TicketClosed: true,
  TransitionNotAllowed: true,
  UnknownStatus: true,
  NotPermitted: true,
  UnknownCustomField: true,
  InvalidCustomFieldValue: true,
  InvalidEscalation: true,
  EmptyMessage: true,
  NotDue: true,
  FollowUpRequired: true,
  InvalidLink: true,
  MergeRefused: true,
  UndoMergeRefused: true,
  SplitRefused: true,
  InvalidInput: true,
  InvalidConfig: true,
  NotInDirectory: true,
  AgentUnavailable: true,
  EmailTaken: true,
  VersionConflict: true,
  PublicIdTaken: true,
  InvalidCursor: true,
  TagNotAllowed: true,
  LimitExceeded: true,
  StoreUnavailable: true,
  CorruptEvent: true,
  Unsupported: true,
  ValueTooLarge: true
}

/**
 * Whether a rejection is one of the `Helpdesk`'s expected errors (and not a bug). It checks the
 * `_tag`, so it also recognises errors of another copy of the package (ESM and CJS builds loaded
 * side by side), where `instanceof` cannot.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isHelpdeskError = (u: unknown): u is HelpdeskError =>
  u instanceof Error && "_tag" in u && typeof u._tag === "string" && Object.hasOwn(helpdeskErrorTags, u._tag)

/** The typed failure itself when there is one; otherwise (a defect, an interruption) an `Error`. */
const rejection = (cause: Cause.Cause<unknown>): unknown => {
  const failure = Cause.findErrorOption(cause)
  if (Option.isSome(failure)) return failure.value
  const squashed = Cause.squash(cause)
  return squashed instanceof Error
    ? squashed
    : new Error(`Unexpected failure: ${String(squashed)}`, { cause: squashed })
}

/** A `Clock` whose wall time is the user's `now`; sleeping and monotonic time stay the real ones. */
const clockLayer = (now: () => number | Date): Layer.Layer<never> =>
  Layer.effect(
    Clock.Clock,
    Effect.map(Clock.Clock, (real): Clock.Clock => {
      const millis = () => {
        const value = now()
        return typeof value === "number" ? value : value.getTime()
      }
      return {
        currentTimeMillisUnsafe: millis,
        currentTimeMillis: Effect.sync(millis),
        currentTimeNanosUnsafe: () => BigInt(Math.trunc(millis())) * 1_000_000n,
        currentTimeNanos: Effect.sync(() => BigInt(Math.trunc(millis())) * 1_000_000n),
        monotonicTimeNanosUnsafe: () => real.monotonicTimeNanosUnsafe(),
        monotonicTimeNanos: real.monotonicTimeNanos,
        sleep: (duration) => real.sleep(duration)
      }
    })
  )

const MemoryOptions = Schema.Struct({
  firstPublicId: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: Limits.publicIdMax }))),
  ids: Schema.optionalKey(Schema.Literals(["sequential", "timeOrdered"]))
})

const optionKeys: ReadonlySet<string> = new Set<keyof Options>([
  "workspace",
  "workflow",
  "customFields",
  "firstPublicId",
  "ids",
  "now",
  "layer",
  "sla",
  "triggers",
  "observability",
  "tagPolicy"
])

const Limit = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))

/**
 * The ports: the user's layer, or in-memory ones shaped by `firstPublicId` and `ids`. The
 * options are checked here, all at once with the help desk's configuration (`Config.check`), so
 * that one `InvalidConfig` lists every problem of them.
 */
const portsOf = (
  options: Options,
  config: typeof In.Config.Encoded
): Effect.Effect<Layer.Layer<Ports, unknown>, InvalidConfig> =>
  Effect.gen(function* () {
    // Callers without TypeScript deserve to hear about a misspelt option too.
    const problems: Array<ConfigError.Problem> = Object.keys(options)
      .filter((key) => !optionKeys.has(key))
      .map((key) => ({ path: [key], message: "Unexpected key" }))
    const decoded = Schema.decodeUnknownResult(MemoryOptions)(
      {
        ...(options.firstPublicId === undefined ? {} : { firstPublicId: options.firstPublicId }),
        ...(options.ids === undefined ? {} : { ids: options.ids })
      },
      { errors: "all", onExcessProperty: "error" }
    )
    if (Result.isFailure(decoded)) problems.push(...ConfigError.problems(decoded.failure.issue))
    const memory = Result.isSuccess(decoded) ? decoded.success : {}
    if (options.layer !== undefined) {
      for (const key of Object.keys(memory))
        problems.push({ path: [key], message: "applies to the in-memory ports only, not to `layer`" })
    }
    const checked = yield* Effect.result(Config.check(config, { sla: options.sla }))
    if (problems.length > 0) {
      const more = Result.isSuccess(checked)
        ? []
        : checked.failure.config === "helpdesk"
          ? checked.failure.problems
          : ConfigError.invalid("helpdesk", checked.failure.problems, ["sla", "policies"]).problems
      return yield* ConfigError.invalid("helpdesk", [...problems, ...more])
    }
    if (Result.isFailure(checked)) return yield* checked.failure
    if (options.layer !== undefined) return options.layer
    return Layer.mergeAll(
      MemoryTicketStore.layer(memory.firstPublicId === undefined ? {} : { firstPublicId: memory.firstPublicId }),
      MemoryDirectoryStore.layer,
      memory.ids === "sequential" ? layerSequential : layerTimeOrdered
    )
  })

export { toTicketJson } from "./Json.js"

/**
 * Creates a help desk with Promise methods. It resolves once the service is built, and rejects
 * with `InvalidConfig` when the options do not hold (every problem listed with its path; a
 * policy naming a calendar not given is one),
 * or with the error of the ports' layer when that fails to build.
 *
 * `examples/quickstart/src/main.ts` runs a ticket through it from email to close.
 *
 * @category constructors
 * @since 0.1.0
 */
export const createHelpdesk = async (options: Options = {}): Promise<HelpdeskClient> => {
  const config = {
    workspaceId: options.workspace ?? "default",
    ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
    ...(options.customFields === undefined ? {} : { customFields: options.customFields })
  }
  const built = await Effect.runPromiseExit(portsOf(options, config))
  if (Exit.isFailure(built)) throw rejection(built.cause)
  const ports = options.now === undefined ? built.value : Layer.provideMerge(built.value, clockLayer(options.now))
  const service = Helpdesk.layer(config, {
    ...(options.sla === undefined ? {} : { sla: options.sla }),
    ...(options.triggers === undefined ? {} : { triggers: options.triggers }),
    ...(options.tagPolicy === undefined ? {} : { tagPolicy: options.tagPolicy })
  }).pipe(Layer.provideMerge(ports))
  const runtime = ManagedRuntime.make(
    options.observability === undefined ? service : Layer.provideMerge(service, options.observability)
  )

  let closed = false
  const run = <A, B>(effect: Effect.Effect<A, unknown, Helpdesk.Helpdesk>, encode: (a: A) => B): Promise<B> =>
    closed
      ? Promise.reject(new Error("This help desk is closed"))
      : runtime.runPromiseExit(Effect.map(effect, encode)).then((exit) => {
          if (Exit.isSuccess(exit)) return exit.value
          throw rejection(exit.cause)
        })

  const started = await runtime.runPromiseExit(Effect.service(Helpdesk.Helpdesk))
  if (Exit.isFailure(started)) {
    await runtime.dispose()
    throw rejection(started.cause)
  }
  const helpdesk = started.value
  const ref = decode(TicketRef, "ticket")

  return {
    config: {
      workspace: helpdesk.config.workspaceId,
      workflow: encodeWorkflow(helpdesk.config.workflow),
      customFields: helpdesk.config.customFields
    },
    open: (input) => run(helpdesk.open(input), toTicketJson),
    reply: (input) => run(helpdesk.reply(input), toTicketJson),
    note: (input) => run(helpdesk.note(input), toTicketJson),
    changeStatus: (input) => run(helpdesk.changeStatus(input), toTicketJson),
    assign: (input) => run(helpdesk.assign(input), toTicketJson),
    setPriority: (input) => run(helpdesk.setPriority(input), toTicketJson),
    setType: (input) => run(helpdesk.setType(input), toTicketJson),
    escalate: (input) => run(helpdesk.escalate(input), toTicketJson),
    setCustomField: (input) => run(helpdesk.setCustomField(input), toTicketJson),
    tag: (input) => run(helpdesk.tag(input), toTicketJson),
    addFollower: (input) => run(helpdesk.addFollower(input), toTicketJson),
    removeFollower: (input) => run(helpdesk.removeFollower(input), toTicketJson),
    link: (input) => run(helpdesk.link(input), toTicketJson),
    unlink: (input) => run(helpdesk.unlink(input), toTicketJson),
    merge: (input) => run(helpdesk.merge(input), toTicketJson),
    undoMerge: (input) => run(helpdesk.undoMerge(input), toTicketJson),
    split: (input) => run(helpdesk.split(input), toTicketJson),
    suggestDuplicates: (input) => run(helpdesk.suggestDuplicates(input), (suggestions) => suggestions),
    get: (ticket) => run(Effect.flatMap(ref(ticket), helpdesk.get), toTicketJson),
    messages: (ticket, page) => run(helpdesk.messages(ticket, page), encodeMessagePage),
    history: (ticket) => run(Effect.flatMap(ref(ticket), helpdesk.history), encodeHistory),
    list: (query = {}) => run(helpdesk.list(query), encodePage),
    recomputeSla: (ticket) => run(helpdesk.recomputeSla(ticket), (recorded) => recorded),
    runDueTimers: (limit) =>
      run(
        limit === undefined
          ? helpdesk.runDueTimers()
          : Effect.flatMap(decode(Limit, "limit")(limit), helpdesk.runDueTimers),
        (fired) => fired
      ),
    saveContact: (input) => run(helpdesk.saveContact(input), encodeContact),
    saveOrganization: (input) => run(helpdesk.saveOrganization(input), encodeOrganization),
    saveAgent: (input) => run(helpdesk.saveAgent(input), encodeAgent),
    saveGroup: (input) => run(helpdesk.saveGroup(input), encodeGroup),
    getContact: (id) => run(helpdesk.getContact(id), encodeContact),
    findContactByEmail: (email) =>
      run(helpdesk.findContactByEmail(email), (found) =>
        Option.isSome(found) ? encodeContact(found.value) : undefined
      ),
    // Encoded exactly as the methods above encode the same results.
    forRequester: (contactId) => {
      const requester = Requester.make(helpdesk, contactId as ContactId)
      return {
        contact: contactId,
        open: (input) => run(requester.open(input), toTicketJson),
        reply: (input) => run(requester.reply(input), toTicketJson),
        get: (ticket) => run(requester.get(ticket), toTicketJson),
        messages: (ticket, page) => run(requester.messages(ticket, page), encodeMessagePage),
        history: (ticket) => run(requester.history(ticket), encodeHistory),
        list: (query = {}) => run(requester.list(query), encodePage)
      }
    },
    close: () => {
      closed = true
      return runtime.dispose()
    }
  }
}
