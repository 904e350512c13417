/**
 * The directory operations of the help desk: saving contacts, organizations, agents and groups
 * (checking the records they name), and reading contacts, agents and groups. Saving an agent or a contact forgets
 * the instance's last check of it, so a deactivated agent is refused at once; the checks that
 * commands make are `DirectoryChecks`'.
 */
import { Effect, type Option } from "effect"
import type { Agent, Contact, Group, Organization } from "../directory/Directory.js"
import { normalizeEmail } from "../directory/Directory.js"
import type { EmailTaken } from "../directory/DirectoryError.js"
import type { StoreError } from "../ports/StoreError.js"
import type { AgentId, ContactId, GroupId, OrganizationId } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type * as DirectoryChecks from "./DirectoryChecks.js"
import type { Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"

/**
 * The directory operations of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, checks: DirectoryChecks.DirectoryChecks) => {
  const { ws, ids, directory, actors } = deps
  const { mustExist, group, contact } = checks

  const saveWithId = <A extends { readonly id: string }>(
    kind: "contact" | "organization" | "agent" | "group",
    id: string | undefined,
    build: (id: string) => A,
    save: (record: A) => Effect.Effect<void, StoreError | EmailTaken>
  ): Op<A> =>
    Effect.gen(function* () {
      const record = build(id ?? (yield* ids.next(kind)))
      yield* save(record)
      // A saved agent (deactivated, say) or contact is looked up afresh by the next command.
      actors.forget(kind, record.id)
      // And a saved contact or organization's tier counts from the next command.
      deps.effects.directorySaved(kind, record.id)
      return record
    })

  return {
    saveContact: (raw: In.ContactInput): Op<Contact> =>
      Effect.flatMap(decode(In.ContactInput, "contact")(raw), (input) =>
        Effect.gen(function* () {
          if (input.organization !== undefined) {
            yield* mustExist("organization", input.organization, directory.getOrganization(ws, input.organization))
          }
          return yield* saveWithId(
            "contact",
            input.id,
            (id): Contact => ({
              id: id as ContactId,
              workspaceId: ws,
              name: input.name,
              emails: (input.emails ?? []).map((e) => normalizeEmail(e) as typeof e),
              phones: input.phones ?? [],
              externalIds: input.externalIds ?? {},
              ...(input.organization === undefined ? {} : { organization: input.organization }),
              ...(input.tier === undefined ? {} : { tier: input.tier }),
              ...(input.language === undefined ? {} : { language: input.language }),
              ...(input.timeZone === undefined ? {} : { timeZone: input.timeZone })
            }),
            directory.saveContact
          )
        })
      ),
    saveOrganization: (raw: In.OrganizationInput): Op<Organization> =>
      Effect.flatMap(decode(In.OrganizationInput, "organization")(raw), (input) =>
        saveWithId(
          "organization",
          input.id,
          (id) => ({
            id: id as OrganizationId,
            workspaceId: ws,
            name: input.name,
            domains: input.domains ?? [],
            sharedTickets: input.sharedTickets ?? false,
            ...(input.tier === undefined ? {} : { tier: input.tier })
          }),
          directory.saveOrganization
        )
      ),
    saveAgent: (raw: In.AgentInput): Op<Agent> =>
      Effect.flatMap(decode(In.AgentInput, "agent")(raw), (input) =>
        Effect.gen(function* () {
          for (const g of input.groups ?? []) yield* group(g)
          return yield* saveWithId(
            "agent",
            input.id,
            (id): Agent => ({
              id: id as AgentId,
              workspaceId: ws,
              name: input.name,
              email: normalizeEmail(input.email) as Agent["email"],
              groups: input.groups ?? [],
              skills: input.skills ?? [],
              active: input.active ?? true,
              ...(input.role === undefined ? {} : { role: input.role }),
              ...(input.scope === undefined ? {} : { scope: input.scope })
            }),
            directory.saveAgent
          )
        })
      ),
    saveGroup: (raw: In.GroupInput): Op<Group> =>
      Effect.flatMap(decode(In.GroupInput, "group")(raw), (input) =>
        saveWithId(
          "group",
          input.id,
          (id): Group => ({
            id: id as GroupId,
            workspaceId: ws,
            name: input.name,
            ...(input.restricted === undefined ? {} : { restricted: input.restricted })
          }),
          directory.saveGroup
        )
      ),
    getContact: (id: string): Op<Contact> => contact(id as ContactId),
    findContactByEmail: (email: string): Op<Option.Option<Contact>> => directory.findContactByEmail(ws, email),
    listAgents: (group?: string): Op<ReadonlyArray<Agent>> =>
      group === undefined
        ? directory.listAgents(ws)
        : Effect.flatMap(checks.group(group as GroupId), () => directory.listAgents(ws, group as GroupId)),
    listGroups: (): Op<ReadonlyArray<Group>> => directory.listGroups(ws)
  }
}
