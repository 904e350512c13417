/**
 * Which tickets a principal may see, as data a store can filter on: the access policy's answer
 * for queues and search, applied inside the store (in SQL on `@tessera/sql`) so that a
 * restricted queue costs what an unrestricted one does. Who gets which filter is the help desk's
 * business (`helpdesk/Access.ts`); this module only says what each filter means.
 */
import type { AgentId, ContactId, GroupId, OrganizationId } from "../values/Ids.js"

/**
 * Every ticket of the workspace: the system, and agents with nothing restricted from them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Everything {
  readonly _tag: "Everything"
}

/**
 * A customer's tickets: those `contact` requested or follows (as a CC), and those of the
 * organizations listed (the contact's organization, when it shares its tickets).
 *
 * @category models
 * @since 0.1.0
 */
export interface Customer {
  readonly _tag: "Customer"
  readonly contact: ContactId
  readonly organizations: ReadonlyArray<OrganizationId>
}

/**
 * An agent's tickets: with `groups`, only those of these groups or assigned to `agent`
 * (`undefined`: every group, and tickets without one); never those of `hiddenGroups` (restricted
 * groups the agent is not a member of).
 *
 * @category models
 * @since 0.1.0
 */
export interface Agent {
  readonly _tag: "Agent"
  readonly agent: AgentId
  readonly groups: ReadonlyArray<GroupId> | undefined
  readonly hiddenGroups: ReadonlyArray<GroupId>
}

/**
 * A visibility filter on a workspace's tickets.
 *
 * @category models
 * @since 0.1.0
 */
export type Visibility = Everything | Customer | Agent

/**
 * The filter that lets every ticket through.
 *
 * @category constructors
 * @since 0.1.0
 */
export const everything: Everything = { _tag: "Everything" }

/**
 * Whether a ticket passes a visibility filter: the definition every store's filter must match.
 *
 * @category predicates
 * @since 0.1.0
 */
export const allows = (
  visibility: Visibility | undefined,
  ticket: {
    readonly requester: ContactId
    readonly organization?: OrganizationId | undefined
    readonly group?: GroupId | undefined
    readonly assignee?: AgentId | undefined
    readonly followers?: ReadonlyArray<{ readonly _tag: string; readonly id: string }> | undefined
  }
): boolean => {
  if (visibility === undefined) return true
  switch (visibility._tag) {
    case "Everything":
      return true
    case "Customer":
      return (
        ticket.requester === visibility.contact ||
        (ticket.followers ?? []).some((f) => f._tag === "contact" && f.id === visibility.contact) ||
        (ticket.organization !== undefined && visibility.organizations.includes(ticket.organization))
      )
    case "Agent":
      return (
        (ticket.group === undefined || !visibility.hiddenGroups.includes(ticket.group)) &&
        (visibility.groups === undefined ||
          ticket.assignee === visibility.agent ||
          (ticket.group !== undefined && visibility.groups.includes(ticket.group)))
      )
  }
}
