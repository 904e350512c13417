/**
 * The "agents" and "hostile input" parts of the `DirectoryStore` suite: agents listed by id, all
 * or by group; and lookups with quotes, SQL fragments, wildcards and unicode that find nothing,
 * change nothing and answer as the reference does.
 */
import { Effect, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type * as Directory from "../../directory/Directory.js"
import * as MemoryDirectoryStore from "../../memory/MemoryDirectoryStore.js"
import type { DirectoryStore } from "../../ports/DirectoryStore.js"
import type { WorkspaceId } from "../../values/Ids.js"
import { freshWorkspace } from "../internal/fixtures.js"
import { anyEmail, contactFields, hostile, hostileStrings, idOf, place } from "./Generators.js"
import { agent, aid, checkProperty, cid, contact, gid, oid, type Settings, withStore } from "./Support.js"

/**
 * Registers this part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Layer.Layer<DirectoryStore, E>, settings: Settings): void => {
  const { params, timeout } = settings
  describe("agents", () => {
    it("agents are listed by id, all of the workspace or the members of one group", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const make = (id: string, groups: ReadonlyArray<string>) =>
            agent({
              id,
              workspaceId: ws,
              name: id,
              email: `${id}@example.com`,
              groups,
              skills: [],
              active: true
            })
          const agents = [
            make("sam", ["billing", "tier2"]),
            make("Zed", ["tier2"]),
            make("mary", ["billing"]),
            make("al_1", []),
            make("al-1", ["billing"]),
            make("0", ["tier2"])
          ]
          for (const a of agents) yield* store.saveAgent(a)
          const ids = (list: ReadonlyArray<Directory.Agent>) => list.map((a) => a.id)
          // Code-unit order, as JavaScript sorts: digits, upper case, `-`... then `_`, lower case.
          expect(ids(yield* store.listAgents(ws))).toEqual(["0", "Zed", "al-1", "al_1", "mary", "sam"])
          expect(ids(yield* store.listAgents(ws, gid("billing")))).toEqual(["al-1", "mary", "sam"])
          expect(ids(yield* store.listAgents(ws, gid("tier2")))).toEqual(["0", "Zed", "sam"])
          expect(yield* store.listAgents(ws, gid("nobody"))).toEqual([])
          const sam = agents[0]
          if (sam === undefined) return
          yield* store.saveAgent({ ...sam, groups: [gid("tier2")] })
          expect(ids(yield* store.listAgents(ws, gid("billing")))).toEqual(["al-1", "mary"])
          expect(yield* store.listAgents(ws, gid("tier2"))).toContainEqual({ ...sam, groups: ["tier2"] })
        })
      ))
  })
  describe("hostile input", () => {
    it("quotes, SQL fragments, wildcards and unicode in lookups find nothing and change nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const jane = contact({
            id: "jane",
            workspaceId: ws,
            name: "x'); DROP TABLE contacts; --",
            emails: ["jane@example.com"],
            phones: [],
            externalIds: { "' OR 1=1 --": "%" }
          })
          const mary = agent({
            id: "mary",
            workspaceId: ws,
            name: '"; DELETE FROM agents; --',
            email: "mary@example.com",
            groups: ["billing"],
            skills: ["\u0000", "🎫"],
            active: true
          })
          yield* store.saveContact(jane)
          yield* store.saveAgent(mary)
          for (const s of hostileStrings) {
            expect(yield* store.findContactByEmail(ws, s), JSON.stringify(s)).toEqual(Option.none())
            expect(yield* store.getContact(ws, cid(s))).toEqual(Option.none())
            expect(yield* store.getOrganization(ws, oid(s))).toEqual(Option.none())
            expect(yield* store.getAgent(ws, aid(s))).toEqual(Option.none())
            expect(yield* store.getGroup(ws, gid(s))).toEqual(Option.none())
            expect(yield* store.listAgents(ws, gid(s))).toEqual([])
            expect(yield* store.getContact(s as WorkspaceId, cid("jane"))).toEqual(Option.none())
            expect(yield* store.listAgents(s as WorkspaceId)).toEqual([])
          }
          expect(yield* store.getContact(ws, jane.id)).toEqual(Option.some(jane))
          expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.some(jane))
          expect(yield* store.listAgents(ws)).toEqual([mary])
        })
      ))

    it(
      "any hostile lookup answers as the in-memory reference does and leaves the records as they were (property)",
      () =>
        checkProperty(
          layer,
          params,
          [contactFields(idOf(["jane"]), anyEmail), fc.array(hostile, { minLength: 1, maxLength: 5 })],
          (store, c, lookups) =>
            Effect.gen(function* () {
              const reference = yield* MemoryDirectoryStore.make
              const ws = yield* freshWorkspace
              const saved = place(contact, c, ws)
              yield* store.saveContact(saved)
              yield* reference.saveContact(saved)
              for (const s of lookups) {
                expect(yield* store.findContactByEmail(ws, s), JSON.stringify(s)).toEqual(
                  yield* reference.findContactByEmail(ws, s)
                )
                expect(yield* store.getContact(ws, cid(s))).toEqual(yield* reference.getContact(ws, cid(s)))
                expect(yield* store.listAgents(ws, gid(s))).toEqual([])
              }
              expect(yield* store.getContact(ws, saved.id)).toEqual(Option.some(saved))
            })
        ),
      timeout
    )
  })
}
