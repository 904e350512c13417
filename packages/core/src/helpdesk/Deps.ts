/**
 * What every part of a `Helpdesk` instance is built from: its decoded configuration, the ports,
 * and the per-instance state (caches, ticket locks, append effects). `Helpdesk.make` builds one
 * record and hands it to each module's `make`, so a module shows in its signature what it uses
 * instead of reaching into one large closure.
 */
import { type Clock, DateTime, Effect } from "effect"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import type { IdGenerator } from "../ports/IdGenerator.js"
import type { TicketStore } from "../ports/TicketStore.js"
import type { Timers } from "../ports/Timers.js"
import type * as TagPolicy from "../tags/TagPolicy.js"
import type { DecideContext } from "../ticket/decide.js"
import type * as Status from "../ticket/Status.js"
import type * as Actor from "../values/Actor.js"
import type { FieldDefinition } from "../values/CustomField.js"
import type { WorkspaceId } from "../values/Ids.js"
import type * as Satisfaction from "../values/Satisfaction.js"
import type * as ActorCache from "./ActorCache.js"
import type * as AppendEffects from "./AppendEffects.js"
import type { HelpdeskError } from "./HelpdeskError.js"
import type * as StateCache from "./StateCache.js"
import type * as TicketLocks from "./TicketLocks.js"
import type * as Triggers from "./Triggers.js"

/**
 * One help desk instance's configuration, ports and state.
 *
 * @category models
 * @since 0.1.0
 */
export interface Deps {
  readonly ws: WorkspaceId
  readonly workflow: Status.Workflow
  readonly customFields: ReadonlyArray<FieldDefinition>
  /** How many times a command is decided after a concurrent write, at most (see `Retry`). */
  readonly maxAttempts: number
  readonly solveIncidents: boolean
  readonly store: TicketStore["Service"]
  readonly directory: DirectoryStore["Service"]
  readonly ids: IdGenerator["Service"]
  readonly timers: Timers["Service"]
  readonly sla: AppendEffects.SlaOptions | undefined
  readonly triggers: Triggers.Triggers<HelpdeskError> | undefined
  /** The workspace's tag policy: a strict taxonomy refuses unknown tags (see `Taxonomy`). */
  readonly tagPolicy: TagPolicy.TagPolicy | undefined
  /** What an append writes besides its events (`AppendEffects`). */
  readonly effects: ReturnType<typeof AppendEffects.make>
  readonly states: StateCache.StateCache
  readonly actors: ActorCache.ActorCache
  /** Single-ticket commands take their ticket's lock (see `TicketLocks`). */
  readonly locks: TicketLocks.TicketLocks
  /** Checks survey links' tokens (`Options.surveys`; without one, every link is refused). */
  readonly surveys: Satisfaction.Verifier
  /** The language of a contact who has none (`Options.defaultLanguage`, `en` by default). */
  readonly defaultLanguage: string
}

/**
 * What `decide` needs besides the ticket and the command: `now`, read once from the `Clock`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decideContext = (deps: Deps, actor: Actor.Actor): Effect.Effect<DecideContext> =>
  Effect.clockWith((clock) => Effect.succeed(contextAt(deps, actor, clock)))

/**
 * `decideContext` in a step that already holds the fiber's `Clock` (a command's unit of work
 * reads it once, as `DateTime.now` would).
 *
 * @category constructors
 * @since 0.1.0
 */
export const contextAt = (deps: Deps, actor: Actor.Actor, clock: Clock.Clock): DecideContext => ({
  now: DateTime.makeUnsafe(clock.currentTimeMillisUnsafe()),
  actor,
  workflow: deps.workflow,
  customFields: deps.customFields
})
