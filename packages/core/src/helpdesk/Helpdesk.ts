/**
 * `Helpdesk`: the service applications call, and its wiring. Each operation decodes its input,
 * checks the references it names against the directory, decides on the ticket's state with `now`
 * read once from the `Clock`, and appends with the expected version; the modules beside this one
 * do that work (`UnitOfWork`, `Batch`, the `*Operations`, `TimerRunner`), each built from one
 * `Deps` record of the instance's configuration, ports and caches.
 */
import { Effect, Layer } from "effect"
import * as Lru from "../internal/lru.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { IdGenerator, prefixed } from "../ports/IdGenerator.js"
import { TicketStore } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import type * as TagPolicy from "../tags/TagPolicy.js"
import type * as Actor from "../values/Actor.js"
import type { InvalidConfig } from "../values/ConfigError.js"
import type { ContactId } from "../values/Ids.js"
import * as Satisfaction from "../values/Satisfaction.js"
import * as Access from "./Access.js"
import * as ActorCache from "./ActorCache.js"
import * as Effects from "./AppendEffects.js"
import * as Automations from "./Automations.js"
import * as Batch from "./Batch.js"
import * as Config from "./Config.js"
import type * as Deps from "./Deps.js"
import * as DirectoryChecks from "./DirectoryChecks.js"
import * as DirectoryOperations from "./DirectoryOperations.js"
import type { HelpdeskError } from "./HelpdeskError.js"
import type * as In from "./HelpdeskInput.js"
import * as MessageOperations from "./MessageOperations.js"
import * as NotificationRecords from "./NotificationRecords.js"
import { nameOperations } from "./nameOperations.js"
import * as ProblemOperations from "./ProblemOperations.js"
import * as RelationOperations from "./RelationOperations.js"
import * as Requester from "./Requester.js"
import * as SafeReads from "./SafeReads.js"
import * as Scoped from "./Scoped.js"
import { Helpdesk, type Service } from "./Service.js"
import * as StateCache from "./StateCache.js"
import * as Streams from "./Streams.js"
import * as SurveyOperations from "./SurveyOperations.js"
import * as SystemAccess from "./SystemAccess.js"
import * as TicketLocks from "./TicketLocks.js"
import * as TicketOperations from "./TicketOperations.js"
import * as TimerRunner from "./TimerRunner.js"
import type * as Triggers from "./Triggers.js"
import * as UnitOfWork from "./UnitOfWork.js"

export type { SlaOptions } from "./AppendEffects.js"
export { NotificationPayload } from "./AppendEffects.js"
export type { HelpdeskError } from "./HelpdeskError.js"
export { type DirectoryOperation, Helpdesk, type Scoped, type ScopedInput, type Service } from "./Service.js"

/** How many reasons' system services a help desk keeps made (`asSystem`); reasons are few. */
const systemScopeCapacity = 32

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
  /**
   * The handle whose system actors this help desk accepts (`SystemAccess.make`); without one it
   * makes its own, reachable only through the root service (`Service.system`).
   */
  readonly system?: SystemAccess.SystemAccess
  /**
   * Checks the token of a satisfaction survey's link for `rate` (its signature and expiry) and
   * answers its claims: `SurveyToken.verifier(keys)` of `@tessera/notify`, say. Without one,
   * `rate` refuses every link (`SurveyRefused`, reason `unconfigured`).
   */
  readonly surveys?: Satisfaction.Verifier
  /** The language of a contact who has none, for what is written to them (default `en`). */
  readonly defaultLanguage?: string
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
    // Reads hand out sanitised HTML, also of messages stored before commands sanitised it (#16).
    const store = SafeReads.wrap(yield* TicketStore)
    const directory = yield* DirectoryStore
    // Every id carries its prefix, whatever the generator: a ticket id is never taken for a number.
    const ids = prefixed(yield* IdGenerator)
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
      tagPolicy: options.tagPolicy,
      effects: Effects.make({ ws, workflow, store, directory, sla, actorCheckMillis }),
      states: StateCache.make(stateCacheSize),
      actors: ActorCache.make(actorCheckMillis),
      locks: TicketLocks.make(),
      surveys: options.surveys ?? Satisfaction.unconfigured,
      defaultLanguage: options.defaultLanguage ?? "en"
    }
    const checks = DirectoryChecks.make(deps)
    const streams = Streams.make(deps)
    const batch = Batch.make(deps, checks)
    const automations = Automations.make(deps, streams, batch)
    const unitOfWork = UnitOfWork.make(deps, checks, streams, automations)
    const timerRunner = TimerRunner.make(deps, unitOfWork)
    const notificationRecords = NotificationRecords.make(deps, unitOfWork, streams, batch)
    const tickets = TicketOperations.make(deps, checks, streams, automations, unitOfWork)
    const messages = MessageOperations.make(deps, streams, batch, automations, unitOfWork, tickets)
    const relations = RelationOperations.make(deps, streams, batch)
    const directoryOperations = DirectoryOperations.make(deps, checks)
    const surveys = SurveyOperations.make(deps, streams, unitOfWork)
    const problems = ProblemOperations.make(deps, streams, unitOfWork, tickets, relations)

    const system = options.system ?? SystemAccess.make()
    const access = Access.make(deps, system, actorCheckMillis)
    const edges = Scoped.make(deps, access, streams)
    // A directory record saved here may change who sees what: principals are looked up afresh.
    const forget = Effect.sync(() => access.forget())
    // Unnamed: a scoped service's reads get their spans where they are called (`Scoped`).
    const reads: Scoped.Reads = {
      suggestDuplicates: relations.suggestDuplicates,
      findByEmailId: tickets.findByEmailId
    }
    const operations = nameOperations<Omit<Service, "forRequester" | "as" | "asSystem" | "system">>(ws, {
      config: { workspaceId: ws, workflow, customFields },
      open: tickets.open,
      reply: messages.reply,
      note: messages.note,
      // A problem solved tells its incidents' requesters, after the incidents are solved.
      changeStatus: (raw) => Effect.tap(tickets.changeStatus(raw), problems.announceSolved),
      link: relations.link,
      unlink: relations.unlink,
      merge: relations.merge,
      undoMerge: relations.undoMerge,
      split: relations.split,
      applyRules: automations.applyRules,
      assign: tickets.assign,
      setPriority: tickets.setPriority,
      setType: tickets.setType,
      setComplexity: tickets.setComplexity,
      rate: surveys.rate,
      openProblem: problems.openProblem,
      escalate: tickets.escalate,
      setCustomField: tickets.setCustomField,
      tag: tickets.tag,
      addFollower: tickets.addFollower,
      removeFollower: tickets.removeFollower,
      recomputeSla: (raw) => Effect.flatMap(streams.resolveRef(raw), ({ id }) => timerRunner.recordSla(id)),
      runDueTimers: timerRunner.runDueTimers,
      recordNotification: notificationRecords.recordNotification,
      recordNotifications: notificationRecords.recordNotifications,
      saveContact: (raw) => Effect.tap(directoryOperations.saveContact(raw), forget),
      saveOrganization: (raw) => Effect.tap(directoryOperations.saveOrganization(raw), forget),
      saveAgent: (raw) => Effect.tap(directoryOperations.saveAgent(raw), forget),
      saveGroup: (raw) => Effect.tap(directoryOperations.saveGroup(raw), forget),
      getContact: directoryOperations.getContact,
      findContactByEmail: directoryOperations.findContactByEmail,
      listAgents: directoryOperations.listAgents,
      listGroups: directoryOperations.listGroups
    })
    const guarded = edges.guard(operations)
    // Not operations of their own: scoped services and the requester's call the (named) ones above.
    const as = (principal: Actor.Actor) => edges.scoped(guarded, reads, principal)
    // One scoped service per reason, made once: workers and intake act as the system per message.
    const systemScopes = Lru.make<string, ReturnType<typeof as>>(systemScopeCapacity)
    const asSystem = (reason: string) => {
      const known = systemScopes.get(reason)
      if (known !== undefined) return known
      const made = as(system.actor(reason))
      systemScopes.set(reason, made)
      return made
    }
    const service: Service = {
      ...guarded,
      as,
      asSystem,
      system,
      forRequester: (contact) => Requester.make(service, contact as ContactId)
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
): Layer.Layer<Helpdesk, InvalidConfig, TicketStore | DirectoryStore | IdGenerator | Timer.Timers> =>
  Layer.effect(Helpdesk, make(config, options))
