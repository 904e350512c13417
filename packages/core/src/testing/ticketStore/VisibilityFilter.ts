/**
 * The visibility filter of `query` (issue 18): random tickets (some followed by contacts, a CC
 * leaving again) and random filters (a customer, seeing what they follow too, with
 * the organizations that share with them, an agent with their groups and the restricted groups
 * hidden from them), with random queries and searches, page by page: the reference's pages
 * (`Visibility.allows` applied with the filters, before paging). A store that filters after
 * reading a page, or forgets the filter in a cached statement, fails here.
 */
import { Effect } from "effect"
import * as fc from "fast-check"
import { describe, it } from "vitest"
import * as TicketQuery from "../../query/TicketQuery.js"
import type * as Visibility from "../../query/Visibility.js"
import type { AgentId, ContactId, GroupId, OrganizationId, WorkspaceId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"
import { querySpec, resolveQuery } from "./QuerySpecs.js"
import { richSeed, type SeedTicket, seedTicket } from "./Seeds.js"
import { allPages, expectPages, type Known, propertyParams, refuses, type Settings } from "./Support.js"

const { freshWorkspace, ticketIn } = Fixtures

/** Filters over the people and groups the seeds use (`Seeds.richSeed`), and some they do not. */
const visibility: fc.Arbitrary<Visibility.Visibility> = fc.oneof(
  fc.constant<Visibility.Visibility>({ _tag: "Everything" }),
  fc.record({
    _tag: fc.constant("Customer" as const),
    contact: fc.constantFrom("jane", "omar", "lee", "nobody") as fc.Arbitrary<ContactId>,
    organizations: fc.subarray(["acme", "initech", "umbrella"] as Array<OrganizationId>)
  }),
  fc.record({
    _tag: fc.constant("Agent" as const),
    agent: fc.constantFrom("mary", "sam", "ivan") as fc.Arbitrary<AgentId>,
    groups: fc.option(fc.subarray(["billing", "tier2", "other"]), { nil: undefined }) as fc.Arbitrary<
      ReadonlyArray<GroupId> | undefined
    >,
    hiddenGroups: fc.subarray(["billing", "tier2"] as Array<GroupId>)
  })
)

/** The reference's items of a query under a filter: every page of `TicketQuery.run`, in order. */
const reference = (query: TicketQuery.TicketQuery, known: ReadonlyArray<Known>, filter: Visibility.Visibility) => {
  const summaries = known.map(({ ticket, slaDueAt }) => {
    const summary = TicketQuery.summarize(ticket)
    return slaDueAt === undefined ? summary : { ...summary, slaDueAt }
  })
  const documents = new Map(
    known.map(({ ticket }) => [ticket.id as string, TicketQuery.searchDocument(ticket, query.searchIn)])
  )
  const { cursor: _cursor, ...all } = query
  return Effect.runSync(TicketQuery.run({ ...all, limit: Math.max(1, known.length) }, summaries, documents, filter))
    .items
}

/**
 * Registers the visibility filter's tests (part of `queries`) on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  describe("visibility", () => {
    it(
      "a query with a visibility filter gives the reference's pages: only the tickets the filter allows, filtered before paging",
      () =>
        Fixtures.withBuiltPorts(layer, (built) =>
          fc.assert(
            fc.asyncProperty(
              fc.array(richSeed, { minLength: 3, maxLength: 12 }),
              fc.array(fc.tuple(querySpec, visibility, fc.integer({ min: 1, max: 4 })), {
                minLength: 2,
                maxLength: 6
              }),
              (seeds, queries) => {
                const recorder = StoreCalls.record(built.tickets)
                return StoreCalls.explained(recorder, "this run", async () => {
                  const store = recorder.store
                  const ws: WorkspaceId = await Effect.runPromise(freshWorkspace)
                  const seedAll = (s: ReadonlyArray<SeedTicket>) =>
                    Effect.forEach(s, (t, i) => seedTicket(store, ws, ticketIn(ws, `v${i}`), { ...t, publicId: i + 1 }))
                  const known = [...(await Effect.runPromise(seedAll(seeds)))]
                  for (const [spec, filter, limit] of queries) {
                    const query = resolveQuery(spec, known)
                    if (refuses(store, query)) continue
                    const expected = reference(query, known, filter)
                    const label = `query(${ws}, ${Fixtures.show({ ...query, limit })}, ${JSON.stringify(filter)})`
                    const pages = await Effect.runPromise(
                      allPages(
                        { ...store, query: (w, q) => store.query(w, q, filter) },
                        ws,
                        { ...query, limit },
                        Math.ceil(expected.length / limit) + 1
                      )
                    )
                    expectPages(pages, expected, limit, label)
                  }
                })
              }
            ),
            propertyParams(settings)
          )
        ),
      settings.timeout
    )
  })
}
