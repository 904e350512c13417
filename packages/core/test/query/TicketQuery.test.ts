import { DateTime, Effect, Exit, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as TicketQuery from "../../src/query/TicketQuery.js"
import type { StatusCategory, StatusId } from "../../src/ticket/Status.js"
import type { Channel } from "../../src/values/Channel.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../../src/values/Ids.js"
import type { Priority } from "../../src/values/Priority.js"
import * as Tag from "../../src/values/Tag.js"

type Summary = TicketQuery.TicketSummary

const t0 = DateTime.toEpochMillis(DateTime.makeUnsafe("2026-03-09T09:00:00Z"))
const minutes = (n: number) => DateTime.makeUnsafe(t0 + n * 60_000)

interface SummaryOptions {
  readonly id: string
  /** Minutes after t0. */
  readonly created?: number
  readonly updated?: number
  readonly priority?: Priority
  readonly category?: StatusCategory
  readonly assignee?: string
  readonly group?: string
  readonly requester?: string
  readonly organization?: string
  readonly channel?: Channel
  readonly tags?: ReadonlyArray<string>
}

const summary = (o: SummaryOptions): Summary => {
  const created = minutes(o.created ?? 0)
  const category = o.category ?? "open"
  return {
    id: o.id as TicketId,
    workspaceId: "acme" as WorkspaceId,
    publicId: 1 as PublicId,
    version: 1,
    subject: `Ticket ${o.id}`,
    description: "",
    requester: (o.requester ?? "jane") as ContactId,
    channel: o.channel ?? "email",
    priority: o.priority ?? "normal",
    status: category as StatusId,
    category,
    supportLevel: 1,
    tags: (o.tags ?? []) as Summary["tags"],
    customFields: {},
    followers: [],
    links: [],
    createdAt: created,
    updatedAt: minutes(o.updated ?? o.created ?? 0),
    statusChangedAt: created,
    ...(o.assignee === undefined ? {} : { assignee: o.assignee as AgentId }),
    ...(o.group === undefined ? {} : { group: o.group as GroupId }),
    ...(o.organization === undefined ? {} : { organization: o.organization as OrganizationId })
  }
}

const queue: ReadonlyArray<Summary> = [
  summary({ id: "t1", created: 10, updated: 90, priority: "low", category: "new", tags: ["billing"], channel: "web" }),
  summary({
    id: "t2",
    created: 20,
    updated: 30,
    priority: "urgent",
    assignee: "mary",
    group: "network",
    tags: ["vpn"]
  }),
  summary({
    id: "t3",
    created: 30,
    updated: 80,
    priority: "high",
    category: "pending",
    assignee: "mary",
    tags: ["vpn", "billing"]
  }),
  summary({
    id: "t4",
    created: 40,
    updated: 40,
    priority: "urgent",
    category: "solved",
    assignee: "lin",
    group: "billing"
  }),
  summary({
    id: "t5",
    created: 5,
    updated: 70,
    priority: "high",
    category: "on_hold",
    requester: "bob",
    organization: "globex"
  }),
  summary({ id: "t6", created: 50, updated: 60, priority: "normal", category: "new", tags: ["billing", "refund"] })
]

const run = (query: TicketQuery.TicketQuery, tickets: Iterable<Summary> = queue) =>
  Effect.runSync(TicketQuery.run(query, tickets))
const ids = (query: TicketQuery.TicketQuery, tickets?: Iterable<Summary>) => run(query, tickets).items.map((t) => t.id)
const failure = (query: TicketQuery.TicketQuery) => {
  const exit = Effect.runSyncExit(TicketQuery.run(query, queue))
  return Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
}

/** Every page of a query, following `nextCursor` until there is none. */
const allPages = (query: TicketQuery.TicketQuery, tickets: Iterable<Summary>) => {
  const pages: Array<ReadonlyArray<Summary>> = []
  let cursor: string | undefined
  do {
    const page = run(cursor === undefined ? query : { ...query, cursor }, tickets)
    pages.push(page.items)
    cursor = page.nextCursor
  } while (cursor !== undefined && pages.length < 10_000)
  return pages
}

describe("filters", () => {
  it("without filters, every ticket is returned, oldest first", () => {
    expect(ids({})).toEqual(["t5", "t1", "t2", "t3", "t4", "t6"])
  })

  it("category keeps tickets in any of the listed categories", () => {
    expect(ids({ category: ["new"] })).toEqual(["t1", "t6"])
    expect(ids({ category: ["pending", "on_hold"] })).toEqual(["t5", "t3"])
  })

  it("assignee keeps that agent's tickets; assignee null keeps the unassigned ones", () => {
    expect(ids({ assignee: "mary" as AgentId })).toEqual(["t2", "t3"])
    expect(ids({ assignee: null })).toEqual(["t5", "t1", "t6"])
  })

  it("group null keeps tickets without a group", () => {
    expect(ids({ group: "billing" as GroupId })).toEqual(["t4"])
    expect(ids({ group: null })).toEqual(["t5", "t1", "t3", "t6"])
  })

  it("tagsAny keeps tickets with at least one of the tags", () => {
    expect(ids({ tagsAny: ["vpn", "refund"] })).toEqual(["t2", "t3", "t6"])
  })

  it("tagsAll keeps tickets with every one of the tags", () => {
    expect(ids({ tagsAll: ["billing", "vpn"] })).toEqual(["t3"])
    expect(ids({ tagsAll: ["billing"] })).toEqual(["t1", "t3", "t6"])
  })

  it("priority keeps tickets at any of the listed priorities", () => {
    expect(ids({ priority: ["urgent"] })).toEqual(["t2", "t4"])
    expect(ids({ priority: ["low", "high"] })).toEqual(["t5", "t1", "t3"])
  })

  it("requester, organization and channel narrow too", () => {
    expect(ids({ requester: "bob" as ContactId })).toEqual(["t5"])
    expect(ids({ organization: "globex" as OrganizationId })).toEqual(["t5"])
    expect(ids({ channel: ["web"] })).toEqual(["t1"])
  })

  it("filters combine: every one must hold", () => {
    expect(ids({ assignee: "mary" as AgentId, tagsAny: ["billing"] })).toEqual(["t3"])
    expect(ids({ category: ["new"], priority: ["urgent"] })).toEqual([])
  })

  it("an empty list matches nothing", () => {
    expect(ids({ category: [] })).toEqual([])
    expect(ids({ tagsAny: [] })).toEqual([])
  })
})

describe("sort orders", () => {
  it("created sorts by creation time, ascending by default or descending", () => {
    expect(ids({ sort: "created" })).toEqual(["t5", "t1", "t2", "t3", "t4", "t6"])
    expect(ids({ sort: "created", direction: "desc" })).toEqual(["t6", "t4", "t3", "t2", "t1", "t5"])
  })

  it("updated sorts by last update", () => {
    expect(ids({ sort: "updated" })).toEqual(["t2", "t4", "t6", "t5", "t3", "t1"])
    expect(ids({ sort: "updated", direction: "desc" })).toEqual(["t1", "t3", "t5", "t6", "t4", "t2"])
  })

  it("priority sorts by rank, then the ticket that waited longest first, in either direction", () => {
    expect(ids({ sort: "priority", direction: "desc" })).toEqual(["t2", "t4", "t5", "t3", "t6", "t1"])
    expect(ids({ sort: "priority", direction: "asc" })).toEqual(["t1", "t6", "t5", "t3", "t2", "t4"])
  })

  it("tickets with the same time are ordered by id, so the order is total", () => {
    const tied = [summary({ id: "b", created: 1 }), summary({ id: "c", created: 1 }), summary({ id: "a", created: 1 })]
    expect(ids({}, tied)).toEqual(["a", "b", "c"])
    expect(ids({ direction: "desc" }, tied)).toEqual(["c", "b", "a"])
  })
})

describe("keyset pagination", () => {
  it("pages concatenated give the full list, without duplicates", () => {
    for (const sort of TicketQuery.SortKey.literals) {
      for (const direction of ["asc", "desc"] as const) {
        const full = ids({ sort, direction })
        const pages = allPages({ sort, direction, limit: 4 }, queue)
        expect(pages.map((p) => p.length)).toEqual([4, 2])
        expect(pages.flat().map((t) => t.id)).toEqual(full)
      }
    }
  })

  it("the last page has no next cursor, even when it is exactly full", () => {
    expect(run({ limit: 6 }).nextCursor).toBeUndefined()
    expect(run({ limit: 5 }).nextCursor).toBeDefined()
  })

  it("filters apply on every page", () => {
    const pages = allPages({ tagsAny: ["billing"], limit: 1 }, queue)
    expect(pages.map((p) => p.map((t) => t.id))).toEqual([["t1"], ["t3"], ["t6"]])
  })

  it("a ticket created before the cursor's position does not shift the next page", () => {
    const first = run({ limit: 3 })
    const withNewcomer = [...queue, summary({ id: "t0", created: 0 })]
    const second = run({ limit: 3, cursor: first.nextCursor as string }, withNewcomer)
    expect(second.items.map((t) => t.id)).toEqual(["t3", "t4", "t6"])
  })

  it("pages concatenated give the full list for any tickets, sort and page size", () => {
    const arbitrarySummaries = fc
      .uniqueArray(
        fc.record({
          id: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,6}$/),
          created: fc.integer({ min: 0, max: 20 }),
          updated: fc.integer({ min: 0, max: 20 }),
          priority: fc.constantFrom<Priority>("low", "normal", "high", "urgent"),
          category: fc.constantFrom<StatusCategory>("new", "open", "pending", "solved")
        }),
        { selector: (s) => s.id, maxLength: 40 }
      )
      .map((list) => list.map(summary))
    fc.assert(
      fc.property(
        arbitrarySummaries,
        fc.constantFrom(...TicketQuery.SortKey.literals),
        fc.constantFrom("asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 12 }),
        fc.option(fc.subarray<StatusCategory>(["new", "open", "pending", "solved"]), { nil: undefined }),
        (tickets, sort, direction, limit, category) => {
          const query = { sort, direction, ...(category === undefined ? {} : { category }) }
          const full = ids({ ...query, limit: 500 }, tickets)
          const paged = allPages({ ...query, limit }, tickets)
            .flat()
            .map((t) => t.id)
          expect(paged).toEqual(full)
          expect(new Set(paged).size).toBe(paged.length)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("cursors", () => {
  const cursorOf = (query: TicketQuery.TicketQuery) => run({ ...query, limit: 2 }).nextCursor as string

  it("a cursor from another sort is refused with InvalidCursor", () => {
    const cursor = cursorOf({ sort: "created" })
    expect(failure({ sort: "priority", cursor })).toMatchObject({ value: { _tag: "InvalidCursor", cursor } })
  })

  it("a cursor from the other direction is refused with InvalidCursor", () => {
    const cursor = cursorOf({ sort: "updated", direction: "asc" })
    expect(failure({ sort: "updated", direction: "desc", cursor })).toMatchObject({ value: { _tag: "InvalidCursor" } })
  })

  it.each([
    ["garbage", "not a cursor!"],
    ["empty", ""],
    ["base64 of text", Base64Url.encode("hello")],
    ["base64 of the wrong JSON", Base64Url.encode(JSON.stringify({ s: "created", d: "asc", k: ["x"], i: 1 }))],
    ["base64 of an unknown sort", Base64Url.encode(JSON.stringify({ s: "subject", d: "asc", k: [1], i: "t1" }))]
  ])("a %s cursor is refused with InvalidCursor", (_name, cursor) => {
    expect(failure({ cursor })).toMatchObject({ value: { _tag: "InvalidCursor", cursor } })
  })

  it("a cursor round-trips the position it was made from", () => {
    const position = TicketQuery.position("priority", queue[1] as Summary)
    const cursor = TicketQuery.encodeCursor("priority", "desc", position)
    expect(Effect.runSync(TicketQuery.decodeCursor(cursor, "priority", "desc"))).toEqual(position)
  })
})

describe("decoding a query", () => {
  const decode = (raw: typeof TicketQuery.TicketQuery.Encoded) =>
    Schema.decodeUnknownExit(TicketQuery.TicketQuery)(raw, { errors: "all" })
  const decoded = (raw: typeof TicketQuery.TicketQuery.Encoded) => {
    const exit = decode(raw)
    if (Exit.isFailure(exit)) throw new Error(`did not decode: ${String(exit.cause)}`)
    return exit.value
  }

  // #12: `open` with `Billing` stored `billing`, and `tagsAny: ["Billing"]` found nothing.
  it("tags are normalised as tickets' tags are, in tagsAny and tagsAll", () => {
    const query = decoded({ tagsAny: ["Billing", " VPN  issue "], tagsAll: ["Été,Refund"] })
    expect(query.tagsAny).toEqual(["billing", "vpn_issue"])
    expect(query.tagsAll).toEqual(["été_refund"])
    expect(ids(decoded({ tagsAll: ["Billing"] }))).toEqual(["t1", "t3", "t6"])
    expect(ids(decoded({ tagsAny: [" VPN", "REFUND "] }))).toEqual(["t2", "t3", "t6"])
  })

  it("a query tag decodes to exactly what a ticket stores for the same raw tag", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (raw) => {
        const exit = decode({ tagsAny: [raw] })
        const stored = Tag.normalizeAll([raw])
        return Exit.isSuccess(exit) ? exit.value.tagsAny?.[0] === stored[0] : stored.length === 0
      })
    )
  })

  it("a tag that normalises to nothing is refused, not dropped (tagsAll would match every ticket)", () => {
    for (const raw of ["", "  ", ",", "_ _"]) {
      expect(Exit.isFailure(decode({ tagsAll: [raw] })), JSON.stringify(raw)).toBe(true)
      expect(Exit.isFailure(decode({ tagsAny: ["vpn", raw] })), JSON.stringify(raw)).toBe(true)
    }
  })

  // #12: a search of punctuation alone matched every ticket.
  it("a search without a word (punctuation, *, quotes, blanks) is refused", () => {
    for (const search of ["", "   ", "*", '"', '""', "* -- !?", "'\"*"]) {
      expect(Exit.isFailure(decode({ search })), JSON.stringify(search)).toBe(true)
    }
    expect(decoded({ search: '"vpn*"' }).search).toBe('"vpn*"')
  })

  it("a search is accepted exactly when it has search terms", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40, unit: fc.constantFrom("a", "É", "7", " ", "*", '"', "-", "'", "!") }),
        (search) => Exit.isSuccess(decode({ search })) === TicketQuery.searchTerms(search).length > 0
      )
    )
  })
})
