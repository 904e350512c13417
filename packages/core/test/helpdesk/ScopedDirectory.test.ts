/**
 * The directory on a scoped service (issue 18): admins and the system save and read contacts,
 * organizations, agents and groups through `as(...)` / `asSystem`; agents (light ones included)
 * read the directory they work with; customers, unknown agents and forged system actors are
 * refused with `NotPermitted`. The Promise facade answers the same.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import { directoryNames } from "../../src/helpdesk/Scoped.js"
import * as SystemAccess from "../../src/helpdesk/SystemAccess.js"
import { createHelpdesk } from "../../src/index.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as Actor from "../../src/values/Actor.js"

const system = SystemAccess.make()

const withDirectory = <A, E>(body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const setup = helpdesk.asSystem("setup")
    yield* setup.saveGroup({ id: "billing", name: "Billing" })
    yield* setup.saveAgent({ id: "root", name: "Ada Admin", email: "ada@acme.test", role: "admin" })
    yield* setup.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test", groups: ["billing"] })
    yield* setup.saveAgent({ id: "lou", name: "Lou", email: "lou@acme.test", role: "light" })
    yield* setup.saveContact({ id: "jane", name: "Jane", emails: ["jane@example.test"] })
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", system })))

/** Every directory operation, with a valid input. */
const calls = (scoped: Helpdesk.Scoped) => ({
  saveContact: scoped.saveContact({ id: "omar", name: "Omar", emails: ["omar@example.test"] }),
  saveOrganization: scoped.saveOrganization({ id: "initech", name: "Initech" }),
  saveAgent: scoped.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test", role: "admin" }),
  saveGroup: scoped.saveGroup({ id: "vip", name: "VIP", restricted: true }),
  getContact: scoped.getContact("jane"),
  findContactByEmail: scoped.findContactByEmail("JANE@example.test"),
  listAgents: scoped.listAgents(),
  listGroups: scoped.listGroups()
})

const reads = new Set(["getContact", "findContactByEmail", "listAgents", "listGroups"])

/** What each directory operation gives `scoped`: "ok", or the tag it fails with. */
const outcomes = (scoped: Helpdesk.Scoped) =>
  Effect.gen(function* () {
    const result: Record<string, string> = {}
    for (const [name, call] of Object.entries(calls(scoped))) {
      const exit = yield* Effect.exit(call as Effect.Effect<unknown, { readonly _tag: string }>)
      result[name] = Exit.isSuccess(exit)
        ? "ok"
        : Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail"
          ? exit.cause.reasons[0].error._tag
          : "defect"
    }
    return result
  })

const all = (outcome: (name: string) => string) =>
  Object.fromEntries(directoryNames.map((name) => [name, outcome(name)]))

describe("the directory on scoped services (issue 18)", () => {
  it.effect("an admin and the system use every directory operation", () =>
    withDirectory((helpdesk) =>
      Effect.gen(function* () {
        expect(yield* outcomes(helpdesk.as(Actor.agent("root")))).toEqual(all(() => "ok"))
        expect(yield* outcomes(helpdesk.asSystem("import"))).toEqual(all(() => "ok"))
        // What the admin saved is in the directory.
        const groups = yield* helpdesk.asSystem("check").listGroups()
        expect(groups.map((g) => g.id).sort()).toEqual(["billing", "vip"])
        expect((yield* helpdesk.getContact("omar")).name).toBe("Omar")
      })
    )
  )

  it.effect("an agent and a light agent read the directory but change nothing in it", () =>
    withDirectory((helpdesk) =>
      Effect.gen(function* () {
        for (const agent of ["mary", "lou"]) {
          const me = helpdesk.as(Actor.agent(agent))
          expect(yield* outcomes(me)).toEqual(all((name) => (reads.has(name) ? "ok" : "NotPermitted")))
          expect((yield* me.listAgents("billing")).map((a) => a.id)).toEqual(["mary"])
          expect(Option.map(yield* me.findContactByEmail("jane@example.test"), (c) => c.id)).toEqual(
            Option.some("jane")
          )
        }
        // Mary did not make herself an admin, and no group or contact was added.
        expect(
          (yield* helpdesk.as(Actor.agent("root")).listAgents()).find((a) => a.id === "mary")?.role
        ).toBeUndefined()
        expect((yield* helpdesk.listGroups()).map((g) => g.id)).toEqual(["billing"])
        expect(Option.isNone(yield* helpdesk.findContactByEmail("omar@example.test"))).toBe(true)
      })
    )
  )

  it.effect("a customer, an unknown agent and a forged system actor are refused every directory operation", () =>
    withDirectory((helpdesk) =>
      Effect.gen(function* () {
        const refused = all(() => "NotPermitted")
        expect(yield* outcomes(helpdesk.as(Actor.contact("jane")))).toEqual(refused)
        expect(yield* outcomes(helpdesk.as(Actor.agent("nobody")))).toEqual(refused)
        expect(yield* outcomes(helpdesk.as(Actor.system("forged")))).toEqual(refused)
        expect(yield* outcomes(helpdesk.as(SystemAccess.make().actor("other")))).toEqual(refused)
      })
    )
  )

  it("the Promise facade's scoped clients answer the same", async () => {
    const client = await createHelpdesk({ workspaceId: "acme" })
    try {
      const admin = client.asSystem("setup")
      await admin.saveAgent({ id: "root", name: "Ada Admin", email: "ada@acme.test", role: "admin" })
      await admin.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const group = await client.as(Actor.agent("root")).saveGroup({ id: "billing", name: "Billing" })
      expect(group).toMatchObject({ id: "billing", name: "Billing" })
      const mary = client.as(Actor.agent("mary"))
      expect((await mary.listGroups()).map((g) => g.id)).toEqual(["billing"])
      expect((await mary.listAgents()).map((a) => a.id).sort()).toEqual(["mary", "root"])
      await expect(
        mary.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test", role: "admin" })
      ).rejects.toMatchObject({
        _tag: "NotPermitted"
      })
      await expect(client.as(Actor.contact("jane")).listGroups()).rejects.toMatchObject({
        _tag: "NotPermitted"
      })
    } finally {
      await client.close()
    }
  })
})
