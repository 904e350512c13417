/**
 * The conformance suite of the `DirectoryStore` port: every adapter runs it, the in-memory one
 * included. `run` registers vitest tests: examples of the contract (round-trips, emails unique per
 * workspace and case-insensitive, agents by group and id, workspace isolation, hostile strings)
 * and fast-check properties that replay random directory operations against the store and against
 * `MemoryDirectoryStore`, the reference, comparing every answer. Each test writes only to
 * workspaces no other test or run uses, so a shared durable store needs no cleanup between runs.
 */
import { Effect, Layer, Option, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Directory from "../directory/Directory.js"
import * as MemoryDirectoryStore from "../memory/MemoryDirectoryStore.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import type { AgentId, ContactId, GroupId, OrganizationId, WorkspaceId } from "../values/Ids.js"
import { failureOf, freshWorkspace, propertySettings, show } from "./internal/fixtures.js"

type Store = DirectoryStore["Service"]

/**
 * How much of the suite to run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Runs of each property (default 100). */
  readonly numRuns?: number
  /** Seed of the properties, to replay a failure as fast-check reported it. */
  readonly seed?: number
  /** Timeout of each property test, in milliseconds (default 5 minutes). */
  readonly timeout?: number
}

// -- helpers ----------------------------------------------------------------------------------------

/** Runs `f` on a store built afresh from the layer, released at the end. */
const withStore = <A, E, E2>(layer: Layer.Layer<DirectoryStore, E>, f: (store: Store) => Effect.Effect<A, E2>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* f(yield* DirectoryStore)
    }).pipe(Effect.provide(Layer.fresh(layer)))
  )

/**
 * Checks a property on one store built from the layer (a durable store builds a schema per layer):
 * each run is an Effect on that store. Runs keep apart through fresh workspaces.
 */
const checkProperty = <E, Ts extends [unknown, ...Array<unknown>]>(
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
const outcome = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>): Effect.Effect<unknown> =>
  Effect.map(Effect.result(effect), (result) =>
    result._tag === "Success" ? { ok: result.success } : { error: { ...result.failure, _tag: result.failure._tag } }
  )

const contact = Schema.decodeUnknownSync(Directory.Contact)
const organization = Schema.decodeUnknownSync(Directory.Organization)
const agent = Schema.decodeUnknownSync(Directory.Agent)
const group = Schema.decodeUnknownSync(Directory.Group)

/** Records of one workspace, by kind. */
interface Records {
  readonly contacts?: ReadonlyArray<Directory.Contact>
  readonly organizations?: ReadonlyArray<Directory.Organization>
  readonly agents?: ReadonlyArray<Directory.Agent>
  readonly groups?: ReadonlyArray<Directory.Group>
}

/** Saves the records (contacts first, groups last), then expects each to read back exactly as saved. */
const expectRoundTrip = (store: Store, ws: WorkspaceId, records: Records) =>
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
const contactOf = (ws: WorkspaceId, id: string, name: string, emails: ReadonlyArray<string>) =>
  contact({ id, workspaceId: ws, name, emails, phones: [], externalIds: {} })

const cid = (s: string) => s as ContactId
const aid = (s: string) => s as AgentId
const gid = (s: string) => s as GroupId
const oid = (s: string) => s as OrganizationId

/**
 * Strings that break naive SQL, JSON, LIKE patterns, collations or encodings: quotes, comments,
 * wildcards, statement separators, unicode that changes under case folding, NUL and very long text.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileStrings: ReadonlyArray<string> = [
  "'",
  '"',
  "`",
  "\\",
  "%",
  "_",
  "*",
  "jane@example.com' OR '1'='1",
  "' OR 1=1 --",
  "x'); DROP TABLE contacts; --",
  '"; DELETE FROM contact_emails; --',
  "%@%",
  "_%@example.com",
  "JANE@EXAMPLE.COM%",
  "/* */ select 1",
  "$1",
  "?",
  ":email",
  "\u0000",
  "jane\u0000@example.com",
  "\t\n\r",
  "Ünïcödé@exämple.com",
  "ß@example.com",
  "İ@example.com",
  "🎫@example.com",
  "جين@مثال.com",
  "\u202Egnp.exe@example.com",
  "a".repeat(5000),
  "{}",
  '{"id":"jane"}',
  "null",
  "[]"
]

const emailPool: ReadonlyArray<string> = [
  "jane@example.com",
  "j.sharpe@example.com",
  "omar@example.org",
  "lee@exämple.com",
  "Été@example.fr"
]

const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...hostileStrings), fc.constantFrom(...emailPool)).map(([h, e]) => `${e}${h}`)
  }
)

/** The same address in other letter cases (as stored), and with surrounding blanks (as looked up). */
const caseVariant = (email: string, blanks = true): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }),
      blanks ? fc.constantFrom("", " ", "\t") : fc.constant(""),
      blanks ? fc.constantFrom("", " ", "\n") : fc.constant("")
    )
    .map(
      ([upper, before, after]) =>
        before +
        Array.from(email, (c, i) => {
          const flipped = upper[i] ? c.toUpperCase() : c.toLowerCase()
          // Only case changes that fold back (`ß` upper-cases to `SS`, which does not).
          return flipped.toLowerCase() === c.toLowerCase() ? flipped : c
        }).join("") +
        after
    )

const idOf = (pool: ReadonlyArray<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,23}$/) }
  )

const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("Jane Sharpe", "O'Brien", 'Omar "the fixer"', "Zoë Ångström", "李雷") },
  { weight: 1, arbitrary: fc.constantFrom(...hostileStrings.filter((s) => s.length <= 255 && s.length > 0)) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) }
)

const anyEmail: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...emailPool) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9._%+'-]{1,20}$/),
        fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/),
        fc.stringMatching(/^[A-Za-z]{2,6}$/)
      )
      .map(([local, domain, tld]) => `${local}@${domain}.${tld}`)
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: "grapheme-composite", minLength: 1, maxLength: 8 }), fc.constantFrom("exämple", "例え"))
      .filter(([local]) => !/[@\s<>(),;:"[\]]/.test(local))
      .map(([local, domain]) => `${local}@${domain}.com`)
  }
)

const text = fc.string({ unit: "grapheme", maxLength: 30 })

const contactFields = (ids: fc.Arbitrary<string>, emails: fc.Arbitrary<string>) =>
  fc.record(
    {
      id: ids,
      name: fc.oneof(name, fc.constant("")),
      emails: fc.array(emails, { maxLength: 3 }),
      phones: fc.array(fc.constantFrom("+1 (555) 010-4471", "030 1234567", "+44 20 7946 0958"), { maxLength: 2 }),
      externalIds: fc.dictionary(fc.oneof(fc.constantFrom("billing", "crm", "it's"), text), text, { maxKeys: 3 }),
      organization: idOf(["acme", "initech"]),
      tier: fc.constantFrom("free", "premium", "enterprise")
    },
    { requiredKeys: ["id", "name", "emails", "phones", "externalIds"] }
  )

const organizationFields = fc.record(
  {
    id: idOf(["acme", "initech"]),
    name,
    domains: fc.array(fc.oneof(fc.constantFrom("acme.example", "exämple.com"), text), { maxLength: 3 }),
    tier: fc.constantFrom("free", "premium"),
    sharedTickets: fc.boolean()
  },
  { requiredKeys: ["id", "name", "domains", "sharedTickets"] }
)

const groupPool = ["billing", "tier2", "constructor", "B", "a_1"]

const agentFields = fc.record({
  id: idOf(["mary", "sam", "ivan", "Zed", "al-1", "al_1", "al.1", "0"]),
  name,
  email: anyEmail,
  groups: fc.array(idOf(groupPool), { maxLength: 3 }),
  skills: fc.array(fc.oneof(fc.constantFrom("billing", "vpn", "français"), text), { maxLength: 3 }),
  active: fc.boolean()
})

const groupFields = fc.record({ id: idOf(groupPool), name })

/** A record built from generated fields in a workspace chosen later: each run has fresh workspaces. */
const place = <A>(decode: (u: unknown) => A, fields: object, ws: WorkspaceId): A =>
  decode({ ...fields, workspaceId: ws })

// -- operations replayed against the reference ------------------------------------------------------

type FieldsOf<T> = T extends fc.Arbitrary<infer A> ? A : never

type Operation =
  | {
      readonly _tag: "saveContact"
      readonly space: 0 | 1
      readonly fields: FieldsOf<ReturnType<typeof contactFields>>
    }
  | { readonly _tag: "saveOrganization"; readonly space: 0 | 1; readonly fields: FieldsOf<typeof organizationFields> }
  | { readonly _tag: "saveAgent"; readonly space: 0 | 1; readonly fields: FieldsOf<typeof agentFields> }
  | { readonly _tag: "saveGroup"; readonly space: 0 | 1; readonly fields: FieldsOf<typeof groupFields> }

const space = fc.constantFrom<0 | 1>(0, 1)
const poolEmail = fc.constantFrom(...emailPool).chain((e) => caseVariant(e, false))

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("saveContact" as const),
      space,
      fields: contactFields(fc.constantFrom("jane", "omar", "lee"), poolEmail)
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("saveOrganization" as const), space, fields: organizationFields })
  },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("saveAgent" as const), space, fields: agentFields }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("saveGroup" as const), space, fields: groupFields }) }
)

const apply = (store: Store, op: Operation, ws: WorkspaceId): Effect.Effect<unknown> => {
  switch (op._tag) {
    case "saveContact":
      return outcome(store.saveContact(place(contact, op.fields, ws)))
    case "saveOrganization":
      return outcome(store.saveOrganization(place(organization, op.fields, ws)))
    case "saveAgent":
      return outcome(store.saveAgent(place(agent, op.fields, ws)))
    case "saveGroup":
      return outcome(store.saveGroup(place(group, op.fields, ws)))
  }
}

/** Everything a reader can observe about the given ids, emails and groups in a workspace. */
const observe = (
  store: Store,
  ws: WorkspaceId,
  ids: ReadonlySet<string>,
  lookups: ReadonlyArray<string>
): Effect.Effect<unknown, unknown> =>
  Effect.gen(function* () {
    const seen: Record<string, unknown> = {}
    for (const id of ids) {
      seen[`contact ${id}`] = Option.getOrUndefined(yield* store.getContact(ws, cid(id)))
      seen[`organization ${id}`] = Option.getOrUndefined(yield* store.getOrganization(ws, oid(id)))
      seen[`agent ${id}`] = Option.getOrUndefined(yield* store.getAgent(ws, aid(id)))
      seen[`group ${id}`] = Option.getOrUndefined(yield* store.getGroup(ws, gid(id)))
      seen[`agents of group ${id}`] = yield* store.listAgents(ws, gid(id))
    }
    for (const email of lookups) {
      seen[`contact with email ${JSON.stringify(email)}`] = Option.getOrUndefined(
        yield* store.findContactByEmail(ws, email)
      )
    }
    seen["all agents"] = yield* store.listAgents(ws)
    return seen
  })

const idsOf = (ops: ReadonlyArray<Operation>): ReadonlySet<string> =>
  new Set(ops.flatMap((op) => [op.fields.id, ...(op._tag === "saveAgent" ? op.fields.groups : [])]))

const emailsOf = (ops: ReadonlyArray<Operation>): ReadonlyArray<string> =>
  ops.flatMap((op) => (op._tag === "saveContact" ? op.fields.emails : []))

// -- the suite ----------------------------------------------------------------------------------------

/**
 * Registers the conformance tests of a `DirectoryStore` built by `layer` (built afresh for each test).
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: Layer.Layer<DirectoryStore, E>, options: Options = {}): void => {
  const { params, timeout } = propertySettings(options, 300_000)

  describe(`DirectoryStore conformance: ${name}`, () => {
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
              tier: "premium"
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

    describe("contacts by email", () => {
      it("a contact is found by any of its emails, whatever their letter case and surrounding blanks", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const jane = contactOf(ws, "jane", "Jane", ["Jane.Sharpe@Example.com", "js@example.org"])
            yield* store.saveContact(jane)
            for (const lookup of ["jane.sharpe@example.com", "JANE.SHARPE@EXAMPLE.COM", " js@EXAMPLE.org\n"]) {
              expect(yield* store.findContactByEmail(ws, lookup), lookup).toEqual(Option.some(jane))
            }
            expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.none())
          })
        ))

      it(
        "a contact is found by any of its emails in any letter case (property)",
        () =>
          checkProperty(
            layer,
            params,
            [
              contactFields(idOf(["jane"]), anyEmail)
                .filter((c) => c.emails.length > 0)
                .chain((c) =>
                  fc.tuple(
                    fc.constant(c),
                    fc.constantFrom(...c.emails).chain((e) => caseVariant(e))
                  )
                )
            ],
            (store, [c, lookup]) =>
              Effect.gen(function* () {
                const ws = yield* freshWorkspace
                const saved = place(contact, c, ws)
                yield* store.saveContact(saved)
                expect(yield* store.findContactByEmail(ws, lookup)).toEqual(Option.some(saved))
              })
          ),
        timeout
      )

      it("an email another contact of the workspace has fails with EmailTaken and changes nothing", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const jane = contactOf(ws, "jane", "Jane", ["jane@example.com"])
            const omar = contactOf(ws, "omar", "Omar", ["omar@example.com"])
            yield* store.saveContact(jane)
            yield* store.saveContact(omar)
            const error = yield* failureOf(
              store.saveContact({ ...omar, name: "Omar B", emails: [...omar.emails, "JANE@example.com" as never] })
            )
            expect(error).toMatchObject({ _tag: "EmailTaken", email: "JANE@example.com", contactId: "jane" })
            const newcomer = yield* failureOf(store.saveContact({ ...jane, id: cid("jane2") }))
            expect(newcomer).toMatchObject({ _tag: "EmailTaken", email: "jane@example.com", contactId: "jane" })
            expect(yield* store.getContact(ws, omar.id)).toEqual(Option.some(omar))
            expect(yield* store.getContact(ws, cid("jane2"))).toEqual(Option.none())
            expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.some(jane))
            expect(yield* store.findContactByEmail(ws, "omar@example.com")).toEqual(Option.some(omar))
          })
        ))

      it("the same email may belong to one contact in each workspace", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
            const inA = contactOf(a, "jane", "Jane", ["jane@example.com"])
            const inB = contactOf(b, "jane-b", "Jane", ["jane@example.com"])
            yield* store.saveContact(inA)
            yield* store.saveContact(inB)
            expect(yield* store.findContactByEmail(a, "JANE@example.com")).toEqual(Option.some(inA))
            expect(yield* store.findContactByEmail(b, "jane@example.com")).toEqual(Option.some(inB))
          })
        ))

      it("replacing a contact frees the emails it no longer has, and a contact may keep its own", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const jane = contactOf(ws, "jane", "Jane", ["jane@example.com", "js@example.com"])
            yield* store.saveContact(jane)
            yield* store.saveContact(jane)
            const kept = contactOf(ws, "jane", "Jane", ["JS@example.com"])
            yield* store.saveContact(kept)
            expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.none())
            expect(yield* store.findContactByEmail(ws, "js@example.com")).toEqual(Option.some(kept))
            const omar = contactOf(ws, "omar", "Omar", ["jane@example.com"])
            yield* store.saveContact(omar)
            expect(yield* store.findContactByEmail(ws, "Jane@Example.com")).toEqual(Option.some(omar))
          })
        ))

      it("concurrent saves claiming one email: one contact gets it, every other save fails with EmailTaken", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const claimants = Array.from({ length: 8 }, (_, i) =>
              contactOf(ws, `claimant-${i}`, `Claimant ${i}`, [
                `c${i}@example.com`,
                i % 2 === 0 ? "shared@example.com" : "SHARED@example.com"
              ])
            )
            const results = yield* Effect.forEach(claimants, (c) => outcome(store.saveContact(c)), {
              concurrency: "unbounded"
            })
            const winners = claimants.filter((_, i) => show(results[i]) === show({ ok: undefined }))
            expect(winners, show(results)).toHaveLength(1)
            const winner = winners[0]
            if (winner === undefined) return
            for (const [i, result] of results.entries()) {
              if (claimants[i] === winner) continue
              expect(result).toMatchObject({ error: { _tag: "EmailTaken", contactId: winner.id } })
              expect(yield* store.getContact(ws, cid(`claimant-${i}`))).toEqual(Option.none())
            }
            expect(yield* store.findContactByEmail(ws, "shared@example.com")).toEqual(Option.some(winner))
          })
        ))

      it(
        "random saves across two workspaces agree with the in-memory reference, write for write and read for read (property)",
        () =>
          checkProperty(
            layer,
            params,
            [fc.array(operation, { minLength: 1, maxLength: 16 }), fc.array(hostile, { maxLength: 3 })],
            (store, ops, extraLookups) =>
              Effect.gen(function* () {
                const reference = yield* MemoryDirectoryStore.make
                const spaces = [yield* freshWorkspace, yield* freshWorkspace] as const
                for (const [i, op] of ops.entries()) {
                  const ws = spaces[op.space]
                  const expected = yield* apply(reference, op, ws)
                  expect(yield* apply(store, op, ws), `operation ${i}: ${show(op)}`).toEqual(expected)
                }
                const ids = idsOf(ops)
                const lookups = [...emailsOf(ops).flatMap((e) => [e, e.toUpperCase()]), ...extraLookups]
                for (const ws of spaces) {
                  expect(yield* observe(store, ws, ids, lookups), `workspace ${ws}`).toEqual(
                    yield* observe(reference, ws, ids, lookups)
                  )
                }
              })
          ),
        timeout
      )
    })

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
  })
}
