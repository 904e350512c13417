/**
 * Who performed a change: an agent, a contact (the requester or a CC), or the system itself
 * (timers, rules). Every event records its actor, which is what makes the log an audit trail.
 */
import { Schema } from "effect"
import { AgentId, ContactId } from "./Ids.js"

/** @category models @since 0.1.0 */
export const AgentActor = Schema.TaggedStruct("agent", { id: AgentId })
/** @category models @since 0.1.0 */
export type AgentActor = typeof AgentActor.Type

/** @category models @since 0.1.0 */
export const ContactActor = Schema.TaggedStruct("contact", { id: ContactId })
/** @category models @since 0.1.0 */
export type ContactActor = typeof ContactActor.Type

/**
 * Automatic changes: time-driven commands, rules, intake.
 *
 * @category models
 * @since 0.1.0
 */
export const SystemActor = Schema.TaggedStruct("system", { reason: Schema.String })
/** @category models @since 0.1.0 */
export type SystemActor = typeof SystemActor.Type

/**
 * The author of a command or event.
 *
 * @category models
 * @since 0.1.0
 */
export const Actor = Schema.Union([AgentActor, ContactActor, SystemActor])
/** @category models @since 0.1.0 */
export type Actor = typeof Actor.Type

/**
 * An agent as actor: `by: Actor.agent("mary")`. Typed as its member of the union, so no
 * `as const` is needed where a command takes an actor.
 *
 * @category constructors
 * @since 0.1.0
 */
export const agent = (id: string): AgentActor => ({ _tag: "agent", id: id as AgentId })

/**
 * A contact (a customer: the requester or someone copied) as actor: `by: Actor.contact(jane.id)`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const contact = (id: string): ContactActor => ({ _tag: "contact", id: id as ContactId })

/**
 * The system as actor, with the reason it acted.
 *
 * @category constructors
 * @since 0.1.0
 */
export const system = (reason: string): SystemActor => ({ _tag: "system", reason })

/**
 * A short label for logs and timelines: `agent:mary`, `contact:jane`, `system:close-solved`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const label = (actor: Actor): string =>
  actor._tag === "system" ? `system:${actor.reason}` : `${actor._tag}:${actor.id}`

/**
 * Whether two actors are the same party.
 *
 * @category predicates
 * @since 0.1.0
 */
export const equals = (a: Actor, b: Actor): boolean => label(a) === label(b)
