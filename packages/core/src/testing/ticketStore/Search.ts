/**
 * The "search" part of the `TicketStore` suite: the search a store answers is the one its
 * `capabilities.search` declares. A `"prefix"` store finds a ticket when every term starts a word
 * of its subject or messages (case and accents folded, internal notes left out for
 * `searchIn: "public"`), as the reference does; a `"none"` store refuses every search with
 * `Unsupported` and still answers the same query without it. The public-only search check
 * (issue 12) runs here too.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { TicketQuery } from "../../query/TicketQuery.js"
import * as Ticket from "../../ticket/Ticket.js"
import * as E from "../../ticket/TicketEvent.js"
import type { MessageId, TicketId, WorkspaceId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import * as PublicSearch from "../internal/publicSearch.js"
import { expectAnswer, expectNoSearch, type Known, type Settings, type Store, withStore } from "./Support.js"

const { failureOf, minutesLater, opened, replied, show, ticketIn } = Fixtures

/** Three tickets whose words tell prefixes, substrings, accents and internal notes apart. */
const writeTickets = (store: Store, ws: WorkspaceId) =>
  Effect.gen(function* () {
    const [gateway, printer, billing] = ["gateway", "printer", "billing"].map((n) => ticketIn(ws, n)) as [
      TicketId,
      TicketId,
      TicketId
    ]
    const base = opened(ws, gateway, 1)
    yield* store.append(gateway, 0, [
      new E.TicketOpened({
        ...base,
        subject: "Quasargate VPN drops",
        message: { ...base.message, text: "The Quasargate tunnel drops every hour." }
      }),
      replied(gateway, 5, "Réglé côté serveur, merci")
    ])
    yield* store.append(printer, 0, [opened(ws, printer, 2, "omar")])
    const note = new E.NoteAdded({
      ticketId: printer,
      at: minutesLater(9),
      by: Fixtures.mary,
      message: {
        id: `${printer}.n` as MessageId,
        visibility: "internal",
        author: Fixtures.mary,
        channel: "web",
        at: minutesLater(9),
        text: "Vendor case zorblax opened",
        attachments: []
      }
    })
    yield* store.append(printer, 1, [note])
    yield* store.append(billing, 0, [opened(ws, billing, 3, "lee")])
    const known: Array<Known> = []
    for (const id of [gateway, printer, billing]) {
      known.push({ ticket: Ticket.fold((yield* store.read(id)).events) as Ticket.Ticket, slaDueAt: undefined })
    }
    return { gateway, printer, known }
  })

/**
 * Registers the "search" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { timeout } = settings
  describe("search", () => {
    it("declares a search the port knows: none or prefix", () =>
      withStore(layer, (store) =>
        Effect.sync(() => expect(["none", "prefix"], "capabilities.search").toContain(store.capabilities.search))
      ))

    it("answers searches as its capabilities declare: word prefixes, folded case and accents, public texts only when asked; or Unsupported", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* Fixtures.freshWorkspace
          const { gateway, printer, known } = yield* writeTickets(store, ws)
          const answer = (query: TicketQuery) => Effect.promise(() => expectAnswer(store, ws, query, 50, known))
          const ids = (query: TicketQuery) => Effect.map(answer(query), (items) => items.map((t) => t.id))
          if (store.capabilities.search === "none") {
            for (const query of [{ search: "quasargate" }, { search: "zorblax", searchIn: "public" as const }]) {
              expectNoSearch(yield* failureOf(store.query(ws, query)), "query", `query(${ws}, ${show(query)})`)
            }
            expect(yield* ids({ requester: "omar" as never }), "the same store without a search").toEqual([printer])
            return
          }
          expect(yield* ids({ search: "quasargate" }), "a whole word").toEqual([gateway])
          expect(yield* ids({ search: "QUASAR" }), "a prefix, in capitals").toEqual([gateway])
          expect(yield* ids({ search: "gate" }), "a substring that starts no word").toEqual([])
          expect(yield* ids({ search: "regle cote" }), "accents folded, every term").toEqual([gateway])
          expect(yield* ids({ search: "regle printer" }), "every term must match").toEqual([])
          expect(yield* ids({ search: "zorblax" }), "an internal note, all texts").toEqual([printer])
          expect(yield* ids({ search: "zorblax", searchIn: "public" }), "an internal note, public texts").toEqual([])
        })
      ))

    it(
      "a public-only search (a requester's) never finds words of internal notes, after merges, undos and splits too",
      () => PublicSearch.run(layer),
      timeout
    )
  })
}
