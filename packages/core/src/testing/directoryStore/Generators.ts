/**
 * The data of the `DirectoryStore` suite's properties: hostile strings, names, emails in every
 * letter case, the fields of each kind of record, and random directory operations with how each
 * is replayed and observed on a store, so that the store's answers can be compared with the
 * reference's (`MemoryDirectoryStore`).
 */
import { Effect, Option } from "effect"
import * as fc from "fast-check"
import type { WorkspaceId } from "../../values/Ids.js"
import { agent, aid, cid, contact, gid, group, oid, organization, outcome, type Store } from "./Support.js"

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

export const emailPool: ReadonlyArray<string> = [
  "jane@example.com",
  "j.sharpe@example.com",
  "omar@example.org",
  "lee@exämple.com",
  "Été@example.fr"
]

export const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...hostileStrings), fc.constantFrom(...emailPool)).map(([h, e]) => `${e}${h}`)
  }
)

/** The same address in other letter cases (as stored), and with surrounding blanks (as looked up). */
export const caseVariant = (email: string, blanks = true): fc.Arbitrary<string> =>
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

export const idOf = (pool: ReadonlyArray<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,23}$/) }
  )

export const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("Jane Sharpe", "O'Brien", 'Omar "the fixer"', "Zoë Ångström", "李雷") },
  { weight: 1, arbitrary: fc.constantFrom(...hostileStrings.filter((s) => s.length <= 255 && s.length > 0)) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) }
)

export const anyEmail: fc.Arbitrary<string> = fc.oneof(
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

export const text = fc.string({ unit: "grapheme", maxLength: 30 })

export const contactFields = (ids: fc.Arbitrary<string>, emails: fc.Arbitrary<string>) =>
  fc.record(
    {
      id: ids,
      name: fc.oneof(name, fc.constant("")),
      emails: fc.array(emails, { maxLength: 3 }),
      phones: fc.array(fc.constantFrom("+1 (555) 010-4471", "030 1234567", "+44 20 7946 0958"), { maxLength: 2 }),
      externalIds: fc.dictionary(fc.oneof(fc.constantFrom("billing", "crm", "it's"), text), text, { maxKeys: 3 }),
      organization: idOf(["acme", "initech"]),
      tier: fc.constantFrom("free", "premium", "enterprise"),
      language: fc.constantFrom("en", "fr", "pt-BR"),
      timeZone: fc.constantFrom("UTC", "Europe/Paris", "America/Argentina/Buenos_Aires")
    },
    { requiredKeys: ["id", "name", "emails", "phones", "externalIds"] }
  )

export const organizationFields = fc.record(
  {
    id: idOf(["acme", "initech"]),
    name,
    domains: fc.array(fc.oneof(fc.constantFrom("acme.example", "exämple.com"), text), { maxLength: 3 }),
    tier: fc.constantFrom("free", "premium"),
    sharedTickets: fc.boolean()
  },
  { requiredKeys: ["id", "name", "domains", "sharedTickets"] }
)

export const groupPool = ["billing", "tier2", "constructor", "B", "a_1"]

export const agentFields = fc.record({
  id: idOf(["mary", "sam", "ivan", "Zed", "al-1", "al_1", "al.1", "0"]),
  name,
  email: anyEmail,
  groups: fc.array(idOf(groupPool), { maxLength: 3 }),
  skills: fc.array(fc.oneof(fc.constantFrom("billing", "vpn", "français"), text), { maxLength: 3 }),
  active: fc.boolean()
})

export const groupFields = fc.record({ id: idOf(groupPool), name })

/** A record built from generated fields in a workspace chosen later: each run has fresh workspaces. */
export const place = <A>(decode: (u: unknown) => A, fields: object, ws: WorkspaceId): A =>
  decode({ ...fields, workspaceId: ws })

// -- operations replayed against the reference ------------------------------------------------------

export type FieldsOf<T> = T extends fc.Arbitrary<infer A> ? A : never

export type Operation =
  | {
      readonly _tag: "saveContact"
      readonly space: 0 | 1
      readonly fields: FieldsOf<ReturnType<typeof contactFields>>
    }
  | { readonly _tag: "saveOrganization"; readonly space: 0 | 1; readonly fields: FieldsOf<typeof organizationFields> }
  | { readonly _tag: "saveAgent"; readonly space: 0 | 1; readonly fields: FieldsOf<typeof agentFields> }
  | { readonly _tag: "saveGroup"; readonly space: 0 | 1; readonly fields: FieldsOf<typeof groupFields> }

export const space = fc.constantFrom<0 | 1>(0, 1)
export const poolEmail = fc.constantFrom(...emailPool).chain((e) => caseVariant(e, false))

export const operation: fc.Arbitrary<Operation> = fc.oneof(
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

export const apply = (store: Store, op: Operation, ws: WorkspaceId): Effect.Effect<unknown> => {
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
export const observe = (
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

export const idsOf = (ops: ReadonlyArray<Operation>): ReadonlySet<string> =>
  new Set(ops.flatMap((op) => [op.fields.id, ...(op._tag === "saveAgent" ? op.fields.groups : [])]))

export const emailsOf = (ops: ReadonlyArray<Operation>): ReadonlyArray<string> =>
  ops.flatMap((op) => (op._tag === "saveContact" ? op.fields.emails : []))
