/**
 * The port for the directory: contacts, organizations, agents and groups of each workspace.
 * Every read and write names its workspace; one workspace never sees another's records.
 */
import { Context, type Effect, type Option } from "effect"
import type { Agent, Contact, Group, Organization } from "../directory/Directory.js"
import type { EmailTaken } from "../directory/DirectoryError.js"
import type { AgentId, ContactId, GroupId, OrganizationId, WorkspaceId } from "../values/Ids.js"
import type { StoreError } from "./StoreError.js"

/**
 * The directory store port.
 *
 * @category services
 * @since 0.1.0
 */
export class DirectoryStore extends Context.Service<
  DirectoryStore,
  {
    /** A contact of the workspace by id, if any. */
    readonly getContact: (ws: WorkspaceId, id: ContactId) => Effect.Effect<Option.Option<Contact>, StoreError>
    /** Finds a contact by any of its emails (case-insensitive). */
    readonly findContactByEmail: (ws: WorkspaceId, email: string) => Effect.Effect<Option.Option<Contact>, StoreError>
    /** Creates or replaces a contact; an email owned by another contact fails with `EmailTaken`. */
    readonly saveContact: (contact: Contact) => Effect.Effect<void, EmailTaken | StoreError>
    /** An organization of the workspace by id, if any. */
    readonly getOrganization: (
      ws: WorkspaceId,
      id: OrganizationId
    ) => Effect.Effect<Option.Option<Organization>, StoreError>
    /** Creates or replaces an organization. */
    readonly saveOrganization: (organization: Organization) => Effect.Effect<void, StoreError>
    /** An agent of the workspace by id, if any. */
    readonly getAgent: (ws: WorkspaceId, id: AgentId) => Effect.Effect<Option.Option<Agent>, StoreError>
    /** Creates or replaces an agent. */
    readonly saveAgent: (agent: Agent) => Effect.Effect<void, StoreError>
    /** Agents of a workspace, optionally only the members of a group, ordered by id. */
    readonly listAgents: (ws: WorkspaceId, group?: GroupId) => Effect.Effect<ReadonlyArray<Agent>, StoreError>
    /** A group of the workspace by id, if any. */
    readonly getGroup: (ws: WorkspaceId, id: GroupId) => Effect.Effect<Option.Option<Group>, StoreError>
    /** Creates or replaces a group. */
    readonly saveGroup: (group: Group) => Effect.Effect<void, StoreError>
    /** The groups of a workspace, ordered by id (the help desk reads which are restricted). */
    readonly listGroups: (ws: WorkspaceId) => Effect.Effect<ReadonlyArray<Group>, StoreError>
  }
>()("@tessera/core/DirectoryStore") {}
