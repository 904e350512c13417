/**
 * `createHelpdesk`: the `Helpdesk` service behind plain Promises, for applications that do not
 * use Effect. It builds the service once (in memory by default, on a `database`, or on the ports
 * of a layer you pass), returns JSON-friendly data (dates as ISO strings, absent values as
 * `undefined`) and rejects with the same tagged error instances the Effect API fails with. Its
 * type is derived from the service's (`Client.ts`) and it adds no behaviour of its own: every
 * rule lives in the service. Tickets come back without their conversation (its size and last
 * messages instead: `toTicketJson`), which `messages` reads page by page.
 */
import { Cause, Clock, Effect, Exit, Layer, ManagedRuntime, Option } from "effect"
import * as Helpdesk from "../helpdesk/Helpdesk.js"
import type { RequesterService } from "../helpdesk/RequesterService.js"
import { type CommandName, commandNames } from "../helpdesk/Scoped.js"
import { reportData } from "../reporting/Export.js"
import type {
  Answers,
  HelpdeskClient,
  Operation,
  OperationOf,
  Operations,
  RequesterOperations,
  ScopedClient,
  ScopedOperations,
  SuccessOf
} from "./Client.js"
import { HelpdeskClosed } from "./Errors.js"
import {
  encodeAgent,
  encodeContact,
  encodeExplanation,
  encodeGroup,
  encodeHistory,
  encodeMessagePage,
  encodeOrganization,
  encodePage,
  encodeWorkflow,
  toTicketJson
} from "./Json.js"
import { configOf, type Options, portsOf, serviceOptionsOf } from "./Options.js"
import * as Services from "./Services.js"

export type {
  AgentInput,
  AssignInput,
  ContactInput,
  CustomFieldInput,
  DuplicatesInput,
  EscalateInput,
  FollowerInput,
  GroupInput,
  LinkInput,
  MergeInput,
  MessageInput,
  MessagePageInput,
  OpenInput,
  OrganizationInput,
  PriorityInput,
  ReportInput,
  SplitInput,
  StatusInput,
  TagsInput,
  TicketQueryInput,
  TypeInput,
  UndoMergeInput
} from "../helpdesk/HelpdeskInput.js"
export type { ReportJson } from "../reporting/Export.js"
export type {
  AgentPrincipal,
  Answers,
  ContactPrincipal,
  HelpdeskClient,
  Operation,
  OperationOf,
  Operations,
  Principal,
  PromiseOperations,
  RequesterClient,
  RequesterOperations,
  ScopedClient,
  ScopedOperations,
  SuccessOf,
  SystemPrincipal
} from "./Client.js"
export { errorTags, HelpdeskClosed, type HelpdeskError, isHelpdeskError } from "./Errors.js"
export type {
  AgentJson,
  ConfigJson,
  ContactJson,
  ExplanationJson,
  FieldDefinitionJson,
  GroupJson,
  IntervalJson,
  MessageJson,
  MessagePageJson,
  OrganizationJson,
  TicketEventJson,
  TicketJson,
  TicketPageJson,
  TicketRefInput,
  TicketSummaryJson,
  WorkflowJson
} from "./Json.js"
export { toTicketJson } from "./Json.js"
export type { ConfigOptions, Options, Ports, StorePorts } from "./Options.js"
export { type Services, servicesOf } from "./Services.js"

/**
 * What a Promise facade rejects with for a failed Effect: the typed failure itself when there is
 * one (so `err._tag` works without Effect), otherwise (a defect, an interruption) an `Error`.
 * Every Tessera package's Promise API rejects this way.
 *
 * @category combinators
 * @since 0.1.0
 */
export const rejection = (cause: Cause.Cause<unknown>): unknown => {
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

/** Every command answers its ticket, as JSON, on the root and on a scoped service alike. */
const commandEncoders = Object.fromEntries(commandNames.map((name) => [name, toTicketJson])) as {
  readonly [K in CommandName]: typeof toTicketJson
}

/** The directory's operations answer the same on the root and on a scoped service. */
const directoryEncoders: {
  readonly [K in Helpdesk.DirectoryOperation]: (a: SuccessOf<Helpdesk.Service[K]>) => Answers[K]
} = {
  saveContact: encodeContact,
  saveOrganization: encodeOrganization,
  saveAgent: encodeAgent,
  saveGroup: encodeGroup,
  getContact: encodeContact,
  findContactByEmail: (found) => (Option.isSome(found) ? encodeContact(found.value) : undefined),
  listAgents: (agents) => agents.map((agent) => encodeAgent(agent)),
  listGroups: (groups) => groups.map((group) => encodeGroup(group))
}

/** How each operation's result is encoded: the compiler checks there is one per operation. */
const encoders: { readonly [K in Operation]: (a: SuccessOf<Helpdesk.Service[K]>) => Answers[K] } = {
  ...commandEncoders,
  ...directoryEncoders,
  rate: toTicketJson,
  applyRules: toTicketJson,
  runDueTimers: (fired) => fired,
  recomputeSla: (recorded) => recorded,
  recordNotification: (recorded) => recorded,
  recordNotifications: (recorded) => recorded
}

/** A scoped service's operations: its commands encoded as the help desk's, and its reads. */
const scopedEncoders: {
  readonly [K in OperationOf<Helpdesk.Scoped>]: (a: SuccessOf<Helpdesk.Scoped[K]>) => Answers[K]
} = {
  ...commandEncoders,
  ...directoryEncoders,
  suggestDuplicates: (suggestions) => suggestions,
  get: toTicketJson,
  messages: encodeMessagePage,
  history: encodeHistory,
  list: encodePage,
  explainDue: (explanations) => explanations.map(encodeExplanation),
  findByEmailId: (found) => (Option.isSome(found) ? toTicketJson(found.value) : undefined),
  report: reportData
}

/** The requester's operations are encoded as the help desk's of the same name. */
const requesterEncoders: {
  readonly [K in OperationOf<RequesterService>]: (a: SuccessOf<RequesterService[K]>) => Answers[K]
} = {
  open: encoders.open,
  reply: encoders.reply,
  get: scopedEncoders.get,
  messages: scopedEncoders.messages,
  history: scopedEncoders.history,
  list: scopedEncoders.list
}

/** Runs one operation, named for the error of a call after `close()`, and encodes its answer. */
type Run = <A, B>(operation: string, effect: Effect.Effect<A, unknown>, encode: (a: A) => B) => Promise<B>

/** The Promise methods of `service`: one per encoder, each running the operation of its name. */
const promised = <S, O>(service: S, table: object, run: Run): O =>
  Object.fromEntries(
    Object.entries(table).map(([key, encode]) => [
      key,
      (...args: ReadonlyArray<unknown>) =>
        run(
          key,
          (service as Record<string, (...a: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown>>)[key]?.(
            ...args
          ) ?? Effect.die(new Error(`no operation ${key}`)),
          encode as (a: unknown) => unknown
        )
    ])
  ) as O

/**
 * Creates a help desk with Promise methods. It resolves once the service is built (and, with
 * `database`, once the database is open and migrated), and rejects with `InvalidConfig` when the
 * options do not hold (every problem listed with its path; a policy naming a calendar not given
 * is one), with `PackageNotInstalled` when `database` needs a package that is not installed, with
 * the error of opening the database (`InvalidUrl`, `ConnectionFailed`, `MigrationFailed`), or
 * with the error of the ports' layer when that fails to build.
 *
 * `examples/quickstart/src/main.ts` runs a ticket through it from email to close.
 *
 * @example
 * ```ts
 * const helpdesk = await createHelpdesk({ database: "sqlite:./helpdesk.db" })
 * const ticket = await helpdesk.open({
 *   requester: { email: "jane@example.com" },
 *   subject: "Charged twice",
 *   text: "My card was charged twice this month.",
 *   channel: "email"
 * })
 * await helpdesk.close()
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const createHelpdesk = async (options: Options = {}): Promise<HelpdeskClient> => {
  const built = await Effect.runPromiseExit(portsOf(options))
  if (Exit.isFailure(built)) throw rejection(built.cause)
  const ports = options.now === undefined ? built.value : Layer.provideMerge(built.value, clockLayer(options.now))
  const service = Helpdesk.layer(configOf(options), serviceOptionsOf(options)).pipe(Layer.provideMerge(ports))
  const runtime = ManagedRuntime.make(
    options.observability === undefined ? service : Layer.provideMerge(service, options.observability)
  )

  let closed = false
  const run: Run = (operation, effect, encode) =>
    closed
      ? Promise.reject(new HelpdeskClosed({ operation }))
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
  const scopedClient = (scoped: Helpdesk.Scoped): ScopedClient => ({
    ...promised<Helpdesk.Scoped, ScopedOperations>(scoped, scopedEncoders, run),
    principal: scoped.principal
  })
  // The service hands out one scoped service per system reason: so one client per reason too.
  const systemClients = new WeakMap<Helpdesk.Scoped, ScopedClient>()
  const systemClient = (scoped: Helpdesk.Scoped): ScopedClient => {
    const known = systemClients.get(scoped)
    if (known !== undefined) return known
    const made = scopedClient(scoped)
    systemClients.set(scoped, made)
    return made
  }

  const client: HelpdeskClient = {
    ...promised<Helpdesk.Service, Operations>(helpdesk, encoders, run),
    config: {
      workspaceId: helpdesk.config.workspaceId,
      workflow: encodeWorkflow(helpdesk.config.workflow),
      customFields: helpdesk.config.customFields
    },
    as: (principal) => scopedClient(helpdesk.as(principal)),
    asSystem: (reason) => systemClient(helpdesk.asSystem(reason)),
    system: helpdesk.system,
    forRequester: (contactId) => {
      const requester = helpdesk.forRequester(contactId)
      return {
        ...promised<RequesterService, RequesterOperations>(requester, requesterEncoders, run),
        contact: contactId
      }
    },
    close: () => {
      closed = true
      return runtime.dispose()
    }
  }
  Services.register(client, () => runtime.context())
  return client
}
