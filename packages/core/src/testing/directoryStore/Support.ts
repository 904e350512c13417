/**
 * What the parts of the `DirectoryStore` suite share: a store built afresh per test, a property
 * checked on one store for all its runs, the outcome of a call as compared with the reference,
 * decoders of each kind of record, and the round-trip check.
 */
import { Effect, Layer, Option, Schema } from "effect"
import * as fc from "fast-check"
import { expect } from "vitest"
import * as Directory from "../../directory/Directory.js"
import { DirectoryStore } from "../../ports/DirectoryStore.js"
import type { AgentId, ContactId, GroupId, OrganizationId, WorkspaceId } from "../../values/Ids.js"

/** The settings every part runs with (`propertySettings` of the suite's options). */
export interface Settings {
  readonly params: { readonly numRuns: number; readonly seed?: number }
  readonly timeout: number
}

export type Store = DirectoryStore["Service"]

/** Runs `f` on a store built afresh from the layer, released at the end. */
export const withStore = <A, E, E2>(layer: Layer.Layer<DirectoryStore, E>, f: (store: Store) => Effect.Effect<A, E2>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* f(yield* DirectoryStore)
    }).pipe(Effect.provide(Layer.fresh(layer)))
  )

/**
 * Checks a property on one store built from the layer (a durable store builds a schema per layer):
 * each run is an Effect on that store. Runs keep apart through fresh workspaces.
 */
export const checkProperty = <E, Ts extends [unknown, ...Array<unknown>]>(
  layer: Layer.Layer<DirectoryStore, E>,
  params: fc.Parameters<Ts>,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: (store: Store, ...values: Ts) => Effect.Effect<void, unknown>
) =>
  withStore(layer, (store) =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty<Ts>(...arbitraries, async (...values: Ts) => Effect.runPromise(body(store, ...values))),
        params
      )
    )
  )

/** Success, or the tag and fields of the typed error: what two stores must agree on. */
export const outcome = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>): Effect.Effect<unknown> =>
  Effect.map(Effect.result(effect), (result) =>
    result._tag === "Success" ? { ok: result.success } : { error: { ...result.failure, _tag: result.failure._tag } }
  )

export const contact = Schema.decodeUnknownSync(Directory.Contact)
export const organization = Schema.decodeUnknownSync(Directory.Organization)
export const agent = Schema.decodeUnknownSync(Directory.Agent)
export const group = Schema.decodeUnknownSync(Directory.Group)

/** Records of one workspace, by kind. */
export interface Records {
  readonly contacts?: ReadonlyArray<Directory.Contact>
  readonly organizations?: ReadonlyArray<Directory.Organization>
  readonly agents?: ReadonlyArray<Directory.Agent>
  readonly groups?: ReadonlyArray<Directory.Group>
}

/** Saves the records (contacts first, groups last), then expects each to read back exactly as saved. */
export const expectRoundTrip = (store: Store, ws: WorkspaceId, records: Records) =>
  Effect.gen(function* () {
    const { contacts = [], organizations = [], agents = [], groups = [] } = records
    for (const c of contacts) yield* store.saveContact(c)
    for (const o of organizations) yield* store.saveOrganization(o)
    for (const a of agents) yield* store.saveAgent(a)
    for (const g of groups) yield* store.saveGroup(g)
    for (const c of contacts) expect(yield* store.getContact(ws, c.id)).toEqual(Option.some(c))
    for (const o of organizations) expect(yield* store.getOrganization(ws, o.id)).toEqual(Option.some(o))
    for (const a of agents) expect(yield* store.getAgent(ws, a.id)).toEqual(Option.some(a))
    for (const g of groups) expect(yield* store.getGroup(ws, g.id)).toEqual(Option.some(g))
  })

/** A contact with a name and emails only: no phones, no ids elsewhere, no organization. */
export const contactOf = (ws: WorkspaceId, id: string, name: string, emails: ReadonlyArray<string>) =>
  contact({ id, workspaceId: ws, name, emails, phones: [], externalIds: {} })

export const cid = (s: string) => s as ContactId
export const aid = (s: string) => s as AgentId
export const gid = (s: string) => s as GroupId
export const oid = (s: string) => s as OrganizationId
