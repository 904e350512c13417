/**
 * The Promise client's type, derived from the `Helpdesk` service's: every operation of the
 * service (each member that returns an Effect) is a method of the client with the same name and
 * parameters, which resolves with the operation's result encoded as JSON (`Answers` says how).
 * An operation added to the service without an answer here fails to compile, so the service and
 * the client cannot drift apart; the requester's side is derived the same way.
 */
import type { Effect } from "effect"
import type { RequesterService } from "../helpdesk/RequesterService.js"
import type { Scoped, Service } from "../helpdesk/Service.js"
import type { SystemAccess } from "../helpdesk/SystemAccess.js"
import type * as Duplicates from "../links/Duplicates.js"
import type { ReportJson } from "../reporting/Export.js"
import type { AgentActor, ContactActor, SystemActor } from "../values/Actor.js"
import type {
  AgentJson,
  ConfigJson,
  ContactJson,
  ExplanationJson,
  GroupJson,
  MessagePageJson,
  OrganizationJson,
  TicketEventJson,
  TicketJson,
  TicketPageJson
} from "./Json.js"

/**
 * The names of a service's operations: its members that return an Effect.
 *
 * @category models
 * @since 0.1.0
 */
export type OperationOf<S> = {
  [K in keyof S]: S[K] extends (...args: never) => Effect.Effect<unknown, unknown, unknown> ? K : never
}[keyof S]

/**
 * The `Helpdesk` service's operations (everything but `config`, `as`, `asSystem`, `system` and
 * `forRequester`).
 *
 * @category models
 * @since 0.1.0
 */
export type Operation = OperationOf<Service>

/**
 * What an Effect operation answers with when it succeeds.
 *
 * @category models
 * @since 0.1.0
 */
export type SuccessOf<F> = F extends (...args: never) => Effect.Effect<infer A, unknown, unknown> ? A : never

/**
 * What each operation of the service resolves with in the facade: its result, encoded as JSON
 * (a ticket without its conversation, dates as ISO strings, `undefined` for nothing found).
 *
 * @category models
 * @since 0.1.0
 */
export interface Answers {
  readonly open: TicketJson
  readonly reply: TicketJson
  readonly note: TicketJson
  readonly changeStatus: TicketJson
  readonly assign: TicketJson
  readonly setPriority: TicketJson
  readonly setType: TicketJson
  readonly setComplexity: TicketJson
  readonly rate: TicketJson
  readonly openProblem: TicketJson
  readonly escalate: TicketJson
  readonly setCustomField: TicketJson
  readonly tag: TicketJson
  readonly addFollower: TicketJson
  readonly removeFollower: TicketJson
  readonly link: TicketJson
  readonly unlink: TicketJson
  readonly merge: TicketJson
  readonly undoMerge: TicketJson
  readonly split: TicketJson
  readonly suggestDuplicates: ReadonlyArray<Duplicates.Suggestion>
  readonly get: TicketJson
  readonly messages: MessagePageJson
  readonly history: ReadonlyArray<TicketEventJson>
  readonly list: TicketPageJson
  readonly runDueTimers: number
  readonly recomputeSla: number
  readonly recordNotification: boolean
  readonly recordNotifications: ReadonlyArray<boolean>
  readonly applyRules: TicketJson
  readonly explainDue: ReadonlyArray<ExplanationJson>
  readonly saveContact: ContactJson
  readonly saveOrganization: OrganizationJson
  readonly saveAgent: AgentJson
  readonly saveGroup: GroupJson
  readonly getContact: ContactJson
  readonly findContactByEmail: ContactJson | undefined
  readonly listAgents: ReadonlyArray<AgentJson>
  readonly listGroups: ReadonlyArray<GroupJson>
  readonly findByEmailId: TicketJson | undefined
  readonly report: ReportJson
}

/** The operation `F` with a promise of `A` in place of its Effect. */
type Promised<F, A> = F extends (...args: infer P) => Effect.Effect<unknown, unknown, unknown>
  ? (...args: P) => Promise<A>
  : never

/**
 * The operations of a service `S` with Promises: same names, same parameters, results as
 * `Answers` encodes them.
 *
 * @category models
 * @since 0.1.0
 */
export type PromiseOperations<S> = {
  readonly [K in keyof S as K extends OperationOf<S> ? K : never]: K extends keyof Answers
    ? Promised<S[K], Answers[K]>
    : never
}

/**
 * The `Helpdesk` service's operations with Promises.
 *
 * @category models
 * @since 0.1.0
 */
export type Operations = PromiseOperations<Service>

/**
 * The help desk with Promise methods. Each operation of the `Helpdesk` service is a method of
 * the same name, with the same input; it resolves with JSON-friendly data (`Answers`) and rejects
 * with the service's tagged error instance (`err instanceof TicketError.TicketClosed`, or
 * `err._tag === "TicketClosed"`; `isHelpdeskError` recognises them all). Bugs (defects) reject
 * with an `Error`.
 *
 * @category models
 * @since 0.1.0
 */
export interface HelpdeskClient extends Operations {
  /** The decoded configuration the help desk runs with. */
  readonly config: ConfigJson
  /**
   * The requester-facing side for one contact (what a customer portal calls; see `Requester`):
   * every result is what that contact may see, encoded as the methods above encode it.
   */
  readonly forRequester: (contactId: string) => RequesterClient
  /**
   * The help desk as one principal sees and acts on it (see `Helpdesk.Service.as`): the reads
   * (`get`, `messages`, `history`, `list`, ...) and the commands, with the access policy applied.
   */
  readonly as: (principal: Principal) => ScopedClient
  /**
   * `as(system.actor(reason))`: the host acting as the system, on purpose. The client for a reason
   * is made once and handed out again, so it is cheap to call per message or request.
   */
  readonly asSystem: (reason: string) => ScopedClient
  /** The handle that issues this help desk's system actors (`Options.system`, or its own). */
  readonly system: SystemAccess
  /** Releases the help desk's resources (connections of its database or ports); later calls reject. */
  readonly close: () => Promise<void>
}

/** @category models @since 0.1.0 */
export interface AgentPrincipal extends AgentActor {}
/** @category models @since 0.1.0 */
export interface ContactPrincipal extends ContactActor {}
/** @category models @since 0.1.0 */
export interface SystemPrincipal extends SystemActor {}

/**
 * Who a scoped client acts as: an agent, a contact, or a system actor from the help desk's
 * `system` handle (`Actor.agent("mary")`, `Actor.contact(id)`, `helpdesk.system.actor("import")`).
 *
 * @category models
 * @since 0.1.0
 */
export type Principal = AgentPrincipal | ContactPrincipal | SystemPrincipal

/**
 * A scoped service's operations with Promises.
 *
 * @category models
 * @since 0.1.0
 */
export type ScopedOperations = PromiseOperations<Scoped>

/**
 * The help desk with Promise methods for one principal (`HelpdeskClient.as`): results are
 * encoded as the `HelpdeskClient` methods of the same name encode them; a ticket the principal
 * may not see rejects with `TicketNotFound`, exactly as a missing one.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScopedClient extends ScopedOperations {
  /** Who every method acts as. */
  readonly principal: Principal
}

/**
 * The requester's operations with Promises.
 *
 * @category models
 * @since 0.1.0
 */
export type RequesterOperations = PromiseOperations<RequesterService>

/**
 * A requester's operations with Promise methods, acting as one contact: tickets in their public
 * view, public events only, searches over public text; a ticket that is not the contact's
 * rejects with `TicketNotFound`, exactly as a missing one. Results are encoded as the
 * `HelpdeskClient` method of the same name encodes them.
 *
 * @category models
 * @since 0.1.0
 */
export interface RequesterClient extends RequesterOperations {
  /** The contact every method acts as. */
  readonly contact: string
}
