/**
 * The in-memory `DirectoryStore`: records per workspace in maps. It defines the port's meaning
 * (emails unique per workspace and case-insensitive, agents listed by id) for other adapters.
 */
import { Effect, Layer, Option } from "effect"
import { type Agent, type Contact, type Group, normalizeEmail, type Organization } from "../directory/Directory.js"
import { EmailTaken } from "../directory/DirectoryError.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import type { WorkspaceId } from "../values/Ids.js"

const key = (ws: WorkspaceId, id: string) => `${ws}\u0000${id}`

/**
 * Builds an in-memory directory.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<DirectoryStore["Service"]> = Effect.sync(() => {
  const contacts = new Map<string, Contact>()
  const emails = new Map<string, Contact["id"]>()
  const organizations = new Map<string, Organization>()
  const agents = new Map<string, Agent>()
  const groups = new Map<string, Group>()
  const get = <A>(map: Map<string, A>, ws: WorkspaceId, id: string) =>
    Effect.sync(() => Option.fromNullishOr(map.get(key(ws, id))))

  return DirectoryStore.of({
    getContact: (ws, id) => get(contacts, ws, id),
    findContactByEmail: (ws, email) =>
      Effect.sync(() => {
        const id = emails.get(key(ws, normalizeEmail(email)))
        return Option.fromNullishOr(id === undefined ? undefined : contacts.get(key(ws, id)))
      }),
    saveContact: (contact) =>
      Effect.suspend(() => {
        for (const email of contact.emails) {
          const owner = emails.get(key(contact.workspaceId, normalizeEmail(email)))
          if (owner !== undefined && owner !== contact.id)
            return Effect.fail(new EmailTaken({ email, contactId: owner }))
        }
        const previous = contacts.get(key(contact.workspaceId, contact.id))
        for (const email of previous?.emails ?? []) emails.delete(key(contact.workspaceId, normalizeEmail(email)))
        for (const email of contact.emails) emails.set(key(contact.workspaceId, normalizeEmail(email)), contact.id)
        contacts.set(key(contact.workspaceId, contact.id), contact)
        return Effect.void
      }),
    getOrganization: (ws, id) => get(organizations, ws, id),
    saveOrganization: (organization) =>
      Effect.sync(() => void organizations.set(key(organization.workspaceId, organization.id), organization)),
    getAgent: (ws, id) => get(agents, ws, id),
    saveAgent: (agent) => Effect.sync(() => void agents.set(key(agent.workspaceId, agent.id), agent)),
    listAgents: (ws, group) =>
      Effect.sync(() =>
        Array.from(agents.values())
          .filter((a) => a.workspaceId === ws && (group === undefined || a.groups.includes(group)))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      ),
    getGroup: (ws, id) => get(groups, ws, id),
    saveGroup: (group) => Effect.sync(() => void groups.set(key(group.workspaceId, group.id), group)),
    listGroups: (ws) =>
      Effect.sync(() =>
        Array.from(groups.values())
          .filter((g) => g.workspaceId === ws)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      )
  })
})

/**
 * The in-memory directory as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<DirectoryStore> = Layer.effect(DirectoryStore, make)
