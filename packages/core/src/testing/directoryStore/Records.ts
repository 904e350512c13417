/**
 * The "records" and "workspaces" parts of the `DirectoryStore` suite: each kind of record reads
 * back exactly as saved (a save replaces it, one never saved is absent, any record round-trips),
 * and nothing saved in one workspace is visible from another.
 */
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import type { DirectoryStore } from "../../ports/DirectoryStore.js"
import { freshWorkspace } from "../internal/fixtures.js"
import { agentFields, anyEmail, contactFields, groupFields, idOf, organizationFields, place } from "./Generators.js"
import {
  agent,
  aid,
  checkProperty,
  cid,
  contact,
  contactOf,
  expectRoundTrip,
  gid,
  group,
  oid,
  organization,
  type Settings,
  withStore
} from "./Support.js"

/**
 * Registers this part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Layer.Layer<DirectoryStore, E>, settings: Settings): void => {
  const { params, timeout } = settings
  describe("records", () => {
    it("each kind of record reads back exactly as it was saved, and a save replaces the previous record", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const jane = contact({
            id: "jane",
            workspaceId: ws,
            name: "Jane O'Sharpe «ü»",
            emails: ["jane.sharpe@example.com", "JS@Example.org"],
            phones: ["+1 (555) 010-4471"],
            externalIds: { billing: "CUS-4471", "crm'; --": 'x"y' },
            organization: "acme",
            tier: "premium",
            language: "fr-CA",
            timeZone: "America/Toronto"
          })
          const lee = contactOf(ws, "lee", "", [])
          const acme = organization({
            id: "acme",
            workspaceId: ws,
            name: "Acme",
            domains: ["acme.example"],
            sharedTickets: true,
            tier: "enterprise"
          })
          const mary = agent({
            id: "mary",
            workspaceId: ws,
            name: "Mary",
            email: "mary@example.com",
            groups: ["billing", "tier2"],
            skills: ["français"],
            active: true
          })
          const billing = group({ id: "billing", workspaceId: ws, name: "Billing" })
          yield* expectRoundTrip(store, ws, {
            contacts: [jane, lee],
            organizations: [acme],
            agents: [mary],
            groups: [billing]
          })

          const { tier: _, ...untiered } = acme
          const renamed = { ...untiered, name: "Acme Corp", sharedTickets: false }
          yield* expectRoundTrip(store, ws, { organizations: [renamed] })
          const moved = { ...mary, groups: [gid("tier2")], active: false }
          yield* expectRoundTrip(store, ws, { agents: [moved] })
          yield* store.saveGroup({ ...billing, name: "Billing & invoices" })
          expect(Option.map(yield* store.getGroup(ws, billing.id), (g) => g.name)).toEqual(
            Option.some("Billing & invoices")
          )
        })
      ))

    it("lists a workspace's groups by id, roles, scopes and restrictions kept (issue 18)", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [ws, other] = [yield* freshWorkspace, yield* freshWorkspace]
          const billing = group({ id: "billing", workspaceId: ws, name: "Billing", restricted: true })
          const tier2 = group({ id: "tier2", workspaceId: ws, name: "Tier 2" })
          yield* store.saveGroup(tier2)
          yield* store.saveGroup(billing)
          yield* store.saveGroup(group({ id: "elsewhere", workspaceId: other, name: "Elsewhere" }))
          expect(yield* store.listGroups(ws)).toEqual([billing, tier2])
          const light = agent({
            id: "lou",
            workspaceId: ws,
            name: "Lou",
            email: "lou@example.com",
            groups: ["tier2"],
            skills: [],
            active: true,
            role: "light",
            scope: "groups"
          })
          yield* store.saveAgent(light)
          expect(yield* store.getAgent(ws, light.id)).toEqual(Option.some(light))
        })
      ))

    it("a record that was never saved is absent", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          expect(yield* store.getContact(ws, cid("nobody"))).toEqual(Option.none())
          expect(yield* store.getOrganization(ws, oid("nobody"))).toEqual(Option.none())
          expect(yield* store.getAgent(ws, aid("nobody"))).toEqual(Option.none())
          expect(yield* store.getGroup(ws, gid("nobody"))).toEqual(Option.none())
          expect(yield* store.findContactByEmail(ws, "nobody@example.com")).toEqual(Option.none())
          expect(yield* store.listAgents(ws)).toEqual([])
          expect(yield* store.listAgents(ws, gid("billing"))).toEqual([])
          expect(yield* store.listGroups(ws)).toEqual([])
        })
      ))

    it(
      "any record of each kind reads back equal to what was saved (property)",
      () =>
        checkProperty(
          layer,
          params,
          [contactFields(idOf(["jane"]), anyEmail), organizationFields, agentFields, groupFields],
          (store, c, o, a, g) =>
            Effect.gen(function* () {
              const ws = yield* freshWorkspace
              yield* expectRoundTrip(store, ws, {
                contacts: [place(contact, c, ws)],
                organizations: [place(organization, o, ws)],
                agents: [place(agent, a, ws)],
                groups: [place(group, g, ws)]
              })
            })
        ),
      timeout
    )
  })
  describe("workspaces", () => {
    it("nothing saved in one workspace is visible from another", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
          yield* store.saveContact(contactOf(a, "jane", "Jane", ["jane@example.com"]))
          yield* store.saveOrganization(
            organization({ id: "acme", workspaceId: a, name: "Acme", domains: [], sharedTickets: false })
          )
          yield* store.saveAgent(
            agent({
              id: "mary",
              workspaceId: a,
              name: "Mary",
              email: "mary@example.com",
              groups: ["billing"],
              skills: [],
              active: true
            })
          )
          yield* store.saveGroup(group({ id: "billing", workspaceId: a, name: "Billing" }))
          expect(yield* store.getContact(b, cid("jane"))).toEqual(Option.none())
          expect(yield* store.findContactByEmail(b, "jane@example.com")).toEqual(Option.none())
          expect(yield* store.getOrganization(b, oid("acme"))).toEqual(Option.none())
          expect(yield* store.getAgent(b, aid("mary"))).toEqual(Option.none())
          expect(yield* store.getGroup(b, gid("billing"))).toEqual(Option.none())
          expect(yield* store.listAgents(b)).toEqual([])
          expect(yield* store.listAgents(b, gid("billing"))).toEqual([])
        })
      ))
  })
}
