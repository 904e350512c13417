/**
 * The hostile-input property of the "queries" part of the `TicketStore` suite: a store holding
 * hostile data (quotes, SQL fragments, unicode, maximal lengths) answers hostile filters as the
 * reference does, through `query` and through the `Helpdesk`'s `list` (which decodes its input
 * and refuses what does not decode), and afterwards every stream, number and row is as it was.
 */
import { Effect, Exit, Layer, Option, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Helpdesk from "../../helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../memory/MemoryDirectoryStore.js"
import { layerSequential } from "../../ports/IdGenerator.js"
import { TicketStore } from "../../ports/TicketStore.js"
import { Timers } from "../../ports/Timers.js"
import * as TicketQuery from "../../query/TicketQuery.js"
import type { StatusCategory, StatusId } from "../../ticket/Status.js"
import type { Channel } from "../../values/Channel.js"
import type { AgentId, ContactId, GroupId, OrganizationId } from "../../values/Ids.js"
import type * as Priority from "../../values/Priority.js"
import * as Tag from "../../values/Tag.js"
import * as Arbitraries from "../Arbitraries.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"
import { type SeedTicket, seedTicket } from "./Seeds.js"
import {
  expectAnswer,
  expectNoSearch,
  expectPages,
  pagesOf,
  propertyParams,
  readStream,
  recorded,
  referenceItems,
  refuses,
  type Settings
} from "./Support.js"

const { show, ticketIn } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/** Tickets whose every text field is hostile: what hostile filters might match. */
const hostileSeeds: ReadonlyArray<SeedTicket> = (() => {
  const f = Arbitraries.hostileFragments
  const frag = (n: number) => f[n % f.length] as string
  const ids = ["a--b", "x.y:z", "Q_1", "jane", "MARY", "a".repeat(128), "z-".repeat(64)]
  const id = (n: number) => ids[n % ids.length] as string
  const categories: ReadonlyArray<StatusCategory> = ["new", "open", "pending", "on_hold", "solved", "closed"]
  return Array.from(
    { length: 14 },
    (_, i): SeedTicket => ({
      publicId: i + 1,
      subject:
        i === 0
          ? "'); DROP TABLE tickets; -- ".repeat(40).slice(0, 1000)
          : `${frag(i)} VPN drops ${frag(i * 7 + 3)} every hour ${frag(i * 13 + 5)}`,
      text:
        i === 1
          ? `${"' OR 1=1 -- % _ \\ ".repeat(500)} merci`
          : `${frag(i * 5 + 1)}${frag(i * 3 + 2)} Merci ! Ça marche ${frag(i * 11 + 4)} invoice ${i}`,
      requester: id(i),
      assignee: id(i + 1),
      group: id(i + 2),
      ...(i % 3 === 0 ? {} : { organization: id(i + 3) }),
      tags: i === 0 ? ["'".repeat(100), "%", "_x_"] : [frag(i), frag(i + 9), frag(i * 2 + 17), "vpn"],
      priority: (["low", "normal", "high", "urgent"] as const)[i % 4] as Priority.Priority,
      channel: (["email", "web", "chat", "phone"] as const)[i % 4] as Channel,
      category: categories[i % categories.length] as StatusCategory,
      createdMinutes: (i * 37) % 100,
      ...(i % 4 === 1 ? { reply: { minutes: 5 + i, text: `${frag(i + 20)} vpn ${frag(i + 21)}` } } : {}),
      ...(i % 3 === 2 ? {} : { slaMinutes: (i * 17) % 90 })
    })
  )
})()

const hostileTagFilter = fc.oneof(
  { weight: 2, arbitrary: Arbitraries.hostileString(200) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...Arbitraries.hostileFragments, "'".repeat(100), "vpn")
      .map((raw) => Tag.normalize(raw))
      .filter((t) => t.length > 0)
  }
)

const edgyStatus = fc.oneof(
  fc.constantFrom("new", "open", "on_hold", "drop_table_tickets", "or_1_1"),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/)
)

/** Valid, decoded queries whose filter values are as hostile as their schemas allow. */
const hostileQuery: fc.Arbitrary<TicketQuery.TicketQuery> = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.array(hostileTagFilter, { minLength: 1, maxLength: 3 }).map((tagsAny) => ({ tagsAny })),
        fc.array(hostileTagFilter, { minLength: 1, maxLength: 2 }).map((tagsAll) => ({ tagsAll })),
        fc.oneof(fc.constant(null), Arbitraries.edgyId).map((assignee) => ({ assignee: assignee as AgentId | null })),
        fc.oneof(fc.constant(null), Arbitraries.edgyId).map((group) => ({ group: group as GroupId | null })),
        Arbitraries.edgyId.map((requester) => ({ requester: requester as ContactId })),
        Arbitraries.edgyId.map((organization) => ({ organization: organization as OrganizationId })),
        fc.array(edgyStatus, { minLength: 1, maxLength: 2 }).map((status) => ({ status: status as Array<StatusId> })),
        ...Array.from({ length: 3 }, () => Arbitraries.hostileString(500).map((search) => ({ search })))
      ),
      { minLength: 1, maxLength: 2 }
    ),
    fc.constantFrom<TicketQuery.SortKey>("created", "updated", "priority", "sla_due"),
    fc.constantFrom<"asc" | "desc">("asc", "desc")
  )
  .map(([filters, sort, direction]): TicketQuery.TicketQuery => ({ ...Object.assign({}, ...filters), sort, direction }))

/** Raw `list` input that must not decode: hostile text where the schema allows none, or too much of it. */
const undecodableQuery: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom(
      (s: string) => ({ requester: `'${s}` }),
      (s: string) => ({ assignee: `a'; DROP TABLE tickets; --${s}` }),
      (s: string) => ({ group: `' OR 1=1 --${s}` }),
      (s: string) => ({ organization: `${s}%` }),
      (s: string) => ({ status: [`open'${s}`] }),
      (s: string) => ({ category: [`${s}' OR 1=1 --`] }),
      (s: string) => ({ channel: [`email'; --${s}`] }),
      (s: string) => ({ priority: [`urgent' OR '1'='1${s}`] }),
      (s: string) => ({ sort: `created; DROP TABLE tickets; --${s}` }),
      (s: string) => ({ direction: `asc, (SELECT 1)${s}` }),
      (s: string) => ({ createdFrom: `2026-03-09' OR 1=1 --${s}` }),
      (s: string) => ({ slaDueBefore: `${s}); DROP TABLE tickets; --` }),
      () => ({ limit: 0 }),
      () => ({ limit: 501 }),
      (s: string) => ({ limit: `1; --${s}` })
    ),
    Arbitraries.hostileText(40)
  )
  .map(([make, s]) => make(s))

const tooLong: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  Arbitraries.hostileTextOfLength(201).map((tag) => ({ tagsAny: [tag] })),
  Arbitraries.hostileTextOfLength(201).map((tag) => ({ tagsAll: ["vpn", tag] })),
  Arbitraries.hostileTextOfLength(501).map((search) => ({ search })),
  Arbitraries.hostileTextOfLength(1001).map((cursor) => ({ cursor }))
)

const memoryServices = (ports: Fixtures.Ports) =>
  Layer.mergeAll(
    Layer.succeed(TicketStore, ports.tickets),
    MemoryDirectoryStore.layer,
    layerSequential,
    Layer.succeed(Timers, ports.timers)
  )

/**
 * Hostile filters against a store that holds hostile data, through `store.query` with decoded
 * queries and through the `Helpdesk`'s `list`, which decodes its input: every answer is the
 * reference's, undecodable input is refused, bad cursors fail with `InvalidCursor`, and
 * afterwards every stream, number and row is as it was.
 */
const hostileInput = async <E>(layer: Fixtures.StoreLayer<E>, settings: Settings) =>
  Fixtures.withBuiltPorts(layer, async (built) => {
    const { ports, recorder } = recorded(built)
    const store = ports.tickets
    const ws = await Effect.runPromise(freshWorkspace)
    const known = await Effect.runPromise(
      Effect.forEach(hostileSeeds, (s, i) => seedTicket(store, ws, ticketIn(ws, `h${i}`), s))
    )
    const streams = await Effect.runPromise(Effect.forEach(known, (k) => store.read(k.ticket.id)))
    const desk = await Effect.runPromise(Helpdesk.make({ workspaceId: ws }).pipe(Effect.provide(memoryServices(ports))))
    const everything = referenceItems({}, known)
    const encodeExit = Schema.encodeExit(TicketQuery.TicketQuery)
    await fc.assert(
      fc.asyncProperty(
        hostileQuery,
        fc.integer({ min: 1, max: 5 }),
        fc.oneof(undecodableQuery, tooLong),
        Arbitraries.hostileString(1000),
        (query, limit, undecodable, badCursor) =>
          StoreCalls.explained(recorder, "this run", async () => {
            const label = show(query)
            await expectAnswer(store, ws, query, limit, known)
            // Encoding checks the query too; hostile queries hold no dates, so one that does not
            // pass is its own encoded form, for `list` to refuse.
            const encodedExit = encodeExit({ ...query, limit })
            const encoded = Exit.isSuccess(encodedExit)
              ? encodedExit.value
              : ({ ...query, limit } as unknown as typeof TicketQuery.TicketQuery.Encoded)
            // `list` decodes: tags are normalised, and a tag or a search that leaves nothing is refused.
            const decoded = Schema.decodeUnknownExit(TicketQuery.TicketQuery)(encoded)
            if (Exit.isSuccess(decoded) && refuses(store, decoded.value)) {
              expectNoSearch(
                await Effect.runPromise(Fixtures.failureOf(desk.asSystem("suite").list(encoded))),
                "list",
                `list ${label}`
              )
            } else if (Exit.isSuccess(decoded)) {
              const listedExpected = referenceItems(decoded.value, known)
              const listBound = Math.ceil(listedExpected.length / limit) + 1
              const listed = await Effect.runPromise(
                pagesOf(
                  (cursor) => desk.asSystem("suite").list(cursor === undefined ? encoded : { ...encoded, cursor }),
                  listBound
                )
              )
              expectPages(listed, listedExpected, limit, `list ${label}`)
            } else {
              const refusedQuery = await Effect.runPromise(Fixtures.failureOf(desk.asSystem("suite").list(encoded)))
              expect(refusedQuery._tag, `list ${label}`).toBe("InvalidInput")
            }
            const refused = await Effect.runPromise(
              Fixtures.failureOf(
                desk.asSystem("suite").list({ ...encoded, ...undecodable } as typeof TicketQuery.TicketQuery.Encoded)
              )
            )
            expect(refused._tag, `list ${show(undecodable)}`).toBe("InvalidInput")
            const cursorError = await Effect.runPromise(
              Fixtures.failureOf(store.query(ws, { ...query, cursor: badCursor }))
            )
            if (refuses(store, query)) expectNoSearch(cursorError, "query", `cursor ${show(badCursor)}`)
            else expect(cursorError._tag, `cursor ${show(badCursor)}`).toBe("InvalidCursor")
            const all = await Effect.runPromise(store.query(ws, { limit: 500 }))
            expect(all.items, "every ticket, unchanged").toEqual(everything)
          })
      ),
      propertyParams(settings)
    )
    for (const [i, k] of known.entries()) {
      expect(await Effect.runPromise(readStream(store, k.ticket.id)), `stream ${k.ticket.id}`).toEqual(streams[i])
      const holder = await Effect.runPromise(store.resolve(ws, k.ticket.publicId))
      expect(Option.getOrUndefined(holder)).toBe(k.ticket.id)
    }
    expect((await Effect.runPromise(store.query(ws, { limit: 500 }))).items).toEqual(everything)
  })

/**
 * Registers the "queries" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { timeout } = settings
  describe("queries", () => {
    it(
      "hostile filter input (quotes, SQL fragments, unicode, maximal lengths) gives the reference's answers and changes nothing",
      () => hostileInput(layer, settings),
      timeout
    )
  })
}
