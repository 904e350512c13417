/**
 * The directory checks a command makes before it is decided: the acting agent or contact exists
 * (and an agent is active), an assignee is an active member of the ticket's group, a group or a
 * follower names a record. Actors that passed lately are not read again (`ActorCache`); the
 * directory's own writes are `DirectoryOperations`'.
 */
import { Effect, Option } from "effect"
import { AgentUnavailable, NotInDirectory } from "../directory/DirectoryError.js"
import type { StoreError } from "../ports/StoreError.js"
import type * as Actor from "../values/Actor.js"
import type { AgentId, ContactId, GroupId } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"

/**
 * The directory checks of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = ({ ws, directory, actors }: Deps) => {
  /** The record `found` brings, or `NotInDirectory`. */
  const mustExist = <A>(
    kind: NotInDirectory["kind"],
    id: string,
    found: Effect.Effect<Option.Option<A>, StoreError>
  ): Op<A> =>
    Effect.flatMap(found, (o) =>
      Option.isSome(o) ? Effect.succeed(o.value) : Effect.fail(new NotInDirectory({ kind, id }))
    )

  const agent = (id: AgentId) => mustExist("agent", id, directory.getAgent(ws, id))
  const group = (id: GroupId) => mustExist("group", id, directory.getGroup(ws, id))
  const contact = (id: ContactId) => mustExist("contact", id, directory.getContact(ws, id))

  const lookUpActor = (actor: Actor.AgentActor | Actor.ContactActor): Op<void> =>
    actor._tag === "contact"
      ? Effect.asVoid(contact(actor.id))
      : Effect.flatMap(agent(actor.id), (a) =>
          a.active ? Effect.void : Effect.fail(new AgentUnavailable({ agentId: a.id, reason: "inactive" }))
        )

  /** The actor of a command exists (an agent is active); the system always may act. */
  const checkActor = (actor: Actor.Actor): Op<void> =>
    actor._tag === "system" ? Effect.void : actors.checked(actor, lookUpActor(actor))

  /** An assignee must be an active agent and a member of the ticket's group, if it has one. */
  const checkAssignee = (id: AgentId, inGroup: GroupId | undefined): Op<void> =>
    Effect.flatMap(agent(id), (a) =>
      !a.active
        ? Effect.fail(new AgentUnavailable({ agentId: id, reason: "inactive" }))
        : inGroup !== undefined && !a.groups.includes(inGroup)
          ? Effect.fail(new AgentUnavailable({ agentId: id, reason: "not_in_group", groupId: inGroup }))
          : Effect.void
    )

  const checkFollower = (f: { readonly _tag: "agent" | "contact"; readonly id: string }): Op<void> =>
    f._tag === "agent" ? Effect.asVoid(agent(f.id as AgentId)) : Effect.asVoid(contact(f.id as ContactId))

  return { mustExist, agent, group, contact, checkActor, checkAssignee, checkFollower }
}

/**
 * The directory checks of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type DirectoryChecks = ReturnType<typeof make>
