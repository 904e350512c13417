import { DateTime } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Duplicates from "../../src/links/Duplicates.js"
import type { StatusCategory, StatusId } from "../../src/ticket/Status.js"
import type * as Ticket from "../../src/ticket/Ticket.js"
import type { Channel } from "../../src/values/Channel.js"
import type { ContactId, MessageId, OrganizationId, PublicId, TicketId, WorkspaceId } from "../../src/values/Ids.js"
import type { Message } from "../../src/values/Message.js"

const numRuns = 300

// Jane's email arrived at 11:15 on 1 May 2025.
const t0 = DateTime.toEpochMillis(DateTime.makeUnsafe("2025-05-01T11:15:00Z"))
const minutes = (n: number) => DateTime.makeUnsafe(t0 + n * 60_000)
const hours = 60
const days = 24 * hours

interface Sketch {
  readonly id: string
  readonly subject: string
  readonly text: string
  readonly publicId?: number
  readonly workspace?: string
  readonly requester?: string
  readonly organization?: string | undefined
  readonly channel?: Channel
  readonly category?: StatusCategory
  /** Minutes after t0. */
  readonly created?: number
  readonly updated?: number
  /** Later messages: public replies and internal notes. */
  readonly replies?: ReadonlyArray<{ readonly text: string; readonly visibility: "public" | "internal" }>
  readonly linkedTo?: ReadonlyArray<string>
}

const ticket = (s: Sketch): Ticket.Ticket => {
  const created = minutes(s.created ?? 0)
  const channel = s.channel ?? "email"
  const category = s.category ?? "open"
  const requester = (s.requester ?? "jane") as ContactId
  const message = (id: string, text: string, visibility: "public" | "internal"): Message => ({
    id: id as MessageId,
    visibility,
    author: visibility === "public" ? { _tag: "contact", id: requester } : { _tag: "agent", id: "mary" as never },
    channel,
    at: created,
    text,
    attachments: []
  })
  const organization = s.organization === undefined ? "acme" : s.organization
  return {
    id: s.id as TicketId,
    workspaceId: (s.workspace ?? "acme") as WorkspaceId,
    publicId: (s.publicId ?? 69369) as PublicId,
    version: 1,
    subject: s.subject,
    description: s.text,
    requester,
    channel,
    priority: "normal",
    status: category as StatusId,
    category,
    supportLevel: 1,
    tags: [],
    customFields: {},
    followers: [],
    messages: [
      message(`${s.id}-m0`, s.text, "public"),
      ...(s.replies ?? []).map((r, i) => message(`${s.id}-m${i + 1}`, r.text, r.visibility))
    ],
    links: (s.linkedTo ?? []).map((id) => ({ kind: "follow_up_of" as const, ticketId: id as TicketId })),
    createdAt: created,
    updatedAt: minutes(s.updated ?? s.created ?? 0),
    statusChangedAt: created,
    ...(organization === "" ? {} : { organization: organization as OrganizationId })
  }
}

const kinds = (suggestion: Duplicates.Suggestion | undefined) => suggestion?.reasons.map((r) => r.kind)
const sum = (reasons: ReadonlyArray<Duplicates.Reason>) => reasons.reduce((total, r) => total + r.weight, 0)

// -- the cross-channel story ----------------------------------------------------------------------

const email = ticket({
  id: "tkt_email",
  publicId: 69369,
  subject: "VPN disconnects every 10 minutes",
  text: "Hello, since this morning my VPN disconnects every 10 minutes and I have to log in again. Jane Sharpe",
  channel: "email"
})
const chat = ticket({
  id: "tkt_chat",
  publicId: 69412,
  subject: "my vpn keeps disconnecting",
  text: "Hi, my vpn keeps disconnecting, I have to log in again all the time",
  channel: "chat",
  created: 2 * hours
})
const colleague = ticket({
  id: "tkt_colleague",
  publicId: 69390,
  subject: "VPN disconnected again",
  text: "Same here: our VPN disconnected twice this morning while I was on a customer call.",
  requester: "omar",
  channel: "web",
  created: 1 * hours
})
const invoice = ticket({
  id: "tkt_invoice",
  publicId: 69401,
  subject: "Question about my invoice",
  text: "I was charged twice on invoice 4471 for the May subscription. Can you refund one charge?",
  created: 90
})

describe("suggest", () => {
  it("finds Jane's email when she opens a chat about the same VPN problem two hours later", () => {
    const [first] = Duplicates.suggest(chat, [email, invoice], { window: "7 days" })
    expect(first?.ticketId).toBe("tkt_email")
    expect(first?.publicId).toBe(69369)
    expect(kinds(first)).toEqual(["same_requester", "similar_subject", "similar_text", "recent", "other_channel"])
    expect(first?.score).toBeGreaterThanOrEqual(Duplicates.defaultMinScore)
    const details = Object.fromEntries(first?.reasons.map((r) => [r.kind, r.detail]) ?? [])
    expect(details.same_requester).toBe("same requester (contact jane)")
    expect(details.similar_subject).toBe("subject 58% similar: shared words disconnecting, vpn")
    expect(details.similar_text).toBe("text 45% similar: shared words disconnecting, log, vpn")
    expect(details.other_channel).toBe("opened by email 2 h before; this one came by chat")
    expect(details.recent).toBe("last active 2 h before this one was opened")
  })

  it("the channel change is information, not evidence: it weighs nothing", () => {
    const [first] = Duplicates.suggest(chat, [email])
    const otherChannel = first?.reasons.find((r) => r.kind === "other_channel")
    expect(otherChannel?.weight).toBe(0)
  })

  it("ranks a colleague reporting the same VPN problem, below Jane's own ticket", () => {
    const result = Duplicates.suggest(chat, [colleague, invoice, email])
    expect(result.map((s) => s.ticketId)).toEqual(["tkt_email", "tkt_colleague"])
    const [, second] = result
    expect(kinds(second)).toContain("same_organization")
    expect(kinds(second)).not.toContain("same_requester")
    expect(kinds(second)).toContain("similar_text")
    expect(second?.reasons.find((r) => r.kind === "same_organization")?.detail).toBe(
      "same organization (acme), another requester (contact omar)"
    )
  })

  it("a customer with two different problems is not a duplicate: same requester alone never reaches minScore", () => {
    expect(Duplicates.suggest(chat, [invoice])).toEqual([])
    expect(Duplicates.suggest(invoice, [email, chat])).toEqual([])
    // Even with similarity evidence switched off, requester plus recency stays below the default.
    const bare = Duplicates.defaultWeights.sameRequester + Duplicates.defaultWeights.recency
    expect(bare).toBeLessThan(Duplicates.defaultMinScore)
  })

  it("needs a similar subject or text, whatever the weights of requester and recency", () => {
    const result = Duplicates.suggest(chat, [invoice], { weights: { sameRequester: 1, recency: 1 }, minScore: 0 })
    expect(result).toEqual([])
  })

  it("never suggests the ticket itself", () => {
    expect(Duplicates.suggest(chat, [chat, { ...chat, version: 2 }])).toEqual([])
  })

  it("never suggests a solved or closed ticket", () => {
    const solved = { ...email, category: "solved" as const }
    const closed = { ...email, id: "tkt_closed" as TicketId, category: "closed" as const }
    expect(Duplicates.suggest(chat, [solved, closed])).toEqual([])
    const pending = { ...email, category: "pending" as const }
    expect(Duplicates.suggest(chat, [pending]).map((s) => s.ticketId)).toEqual(["tkt_email"])
  })

  it("never suggests another workspace's ticket", () => {
    const elsewhere = { ...email, workspaceId: "globex" as WorkspaceId }
    expect(Duplicates.suggest(chat, [elsewhere])).toEqual([])
  })

  it("never suggests a ticket whose activity lies outside the window", () => {
    const old = ticket({ ...sketchOf(email), created: -20 * days, updated: -15 * days })
    expect(Duplicates.suggest(chat, [old])).toEqual([])
    // Updated since: still within the default 14 days.
    const revived = ticket({ ...sketchOf(email), created: -20 * days, updated: -2 * days })
    expect(Duplicates.suggest(chat, [revived]).map((s) => s.ticketId)).toEqual(["tkt_email"])
    // A shorter window, given as a Duration input.
    expect(Duplicates.suggest(chat, [revived], { window: "1 day" })).toEqual([])
    expect(Duplicates.suggest(chat, [revived], { window: { days: 3 } })).toHaveLength(1)
  })

  it("never suggests a ticket already linked to it, whichever side holds the link", () => {
    const linkedFromChat = { ...chat, links: [{ kind: "follow_up_of" as const, ticketId: email.id }] }
    expect(Duplicates.suggest(linkedFromChat, [email])).toEqual([])
    const linkedFromEmail = { ...email, links: [{ kind: "followed_up_by" as const, ticketId: chat.id }] }
    expect(Duplicates.suggest(chat, [linkedFromEmail])).toEqual([])
  })

  it("compares public messages, not internal notes", () => {
    const printer = ticket({
      id: "tkt_printer",
      subject: "Printer on floor 3",
      text: "The printer on floor 3 is jammed.",
      requester: "lee",
      organization: "initech",
      replies: [{ text: "VPN keeps disconnecting, log in again, VPN disconnecting", visibility: "internal" }]
    })
    expect(Duplicates.suggest(chat, [printer])).toEqual([])
    const withPublicReply = ticket({
      ...sketchOf(printer),
      replies: [{ text: "VPN keeps disconnecting, log in again, VPN disconnecting", visibility: "public" }]
    })
    expect(Duplicates.suggest(chat, [withPublicReply], { minScore: 0.1 }).map((s) => s.ticketId)).toEqual([
      "tkt_printer"
    ])
  })

  it("returns at most `limit` suggestions, the best first", () => {
    const many = Array.from({ length: 5 }, (_, i) =>
      ticket({ ...sketchOf(email), id: `tkt_${i}`, publicId: 100 + i, created: -i * hours })
    )
    const result = Duplicates.suggest(chat, many, { limit: 3 })
    // Equal similarity: the most recent wins.
    expect(result.map((s) => s.ticketId)).toEqual(["tkt_0", "tkt_1", "tkt_2"])
    expect(Duplicates.suggest(chat, many, { limit: 0 })).toEqual([])
  })

  it("reads French: accents and plurals fold", () => {
    const fr = ticket({
      id: "tkt_fr",
      subject: "Déconnexions du VPN",
      text: "Bonjour, le VPN se déconnecte toutes les 10 minutes depuis ce matin.",
      channel: "email"
    })
    const frChat = ticket({
      id: "tkt_fr_chat",
      subject: "deconnexion vpn",
      text: "mon vpn se deconnecte encore",
      channel: "chat",
      created: 30
    })
    const [first] = Duplicates.suggest(frChat, [fr])
    expect(first?.ticketId).toBe("tkt_fr")
    expect(first?.reasons.find((r) => r.kind === "similar_subject")?.detail).toBe(
      "subject 100% similar: shared words deconnexion, vpn"
    )
  })
})

describe("terms and similarity", () => {
  it("disconnects, disconnecting and disconnected meet", () => {
    const [a, b, c] = ["disconnects", "disconnecting", "disconnected"].map((w) => Duplicates.terms(w))
    expect(a).toEqual(b)
    expect(b).toEqual(c)
    expect(a).toHaveLength(1)
  })

  it("drops English and French stop words and small numbers", () => {
    expect(Duplicates.terms("The VPN and my laptop, le VPN et mon portable, every 10 minutes")).toEqual([
      "vpn",
      "laptop",
      "vpn",
      "portabl",
      "every",
      "minut"
    ])
    expect(Duplicates.terms("the a and is le la de")).toEqual([])
    expect(Duplicates.terms("error 404 on invoice 4471")).toContain("4471")
  })

  it("scores unrelated texts 0 and related ones in between", () => {
    expect(Duplicates.similarity("VPN disconnects", "invoice charged twice")).toBe(0)
    const s = Duplicates.similarity(email.description, chat.description)
    expect(s).toBeGreaterThan(0.3)
    expect(s).toBeLessThan(1)
    expect(Duplicates.similarity("", "vpn")).toBe(0)
  })
})

// -- properties -----------------------------------------------------------------------------------

const vocabulary = [
  "vpn",
  "disconnects",
  "disconnecting",
  "invoice",
  "refund",
  "printer",
  "jammed",
  "password",
  "reset",
  "login",
  "déconnexion",
  "facture",
  "the",
  "my",
  "le",
  "10",
  "4471"
]
const phrase = (maxLength: number) =>
  fc.array(fc.constantFrom(...vocabulary), { minLength: 0, maxLength }).map((ws) => ws.join(" "))

const sketch = fc.record({
  subject: phrase(5),
  text: phrase(20),
  workspace: fc.constantFrom("acme", "acme", "acme", "globex"),
  requester: fc.constantFrom("jane", "omar", "lee"),
  organization: fc.constantFrom("acme", "initech", ""),
  channel: fc.constantFrom<Channel>("email", "chat", "web", "phone"),
  category: fc.constantFrom<StatusCategory>("new", "open", "open", "pending", "on_hold", "solved", "closed"),
  created: fc.integer({ min: -20 * days, max: 20 * days }),
  activeFor: fc.integer({ min: 0, max: 10 * days }),
  replies: fc.array(
    fc.record({ text: phrase(10), visibility: fc.constantFrom<"public" | "internal">("public", "internal") }),
    { maxLength: 3 }
  )
})

/** A new ticket and candidates with distinct ids (some linked to it, one sharing its id). */
const scenario = fc
  .tuple(sketch, fc.array(sketch, { maxLength: 30 }), fc.array(fc.nat(40), { maxLength: 3 }), fc.boolean())
  .map(([own, others, linkIndices, includeSelf]) => {
    const linkedTo = linkIndices.map((i) => `tkt_${i}`)
    const target = ticket({ ...own, id: "tkt_new", created: own.created, linkedTo })
    const candidates = others.map((o, i) =>
      ticket({ ...o, id: `tkt_${i}`, publicId: i + 1, updated: o.created + o.activeFor })
    )
    return { target, candidates: includeSelf ? [...candidates, target] : candidates }
  })

const options: fc.Arbitrary<Duplicates.Options> = fc.record(
  {
    minScore: fc.constantFrom(0, 0.2, 0.35, 0.6),
    limit: fc.integer({ min: 0, max: 12 }),
    window: fc.constantFrom<Duplicates.Options["window"]>("1 day", "14 days", "30 days", "Infinity")
  },
  { requiredKeys: [] }
)

describe("suggest, for any tickets", () => {
  it("scores lie in [0, 1] and equal the sum of their reasons' weights", () => {
    fc.assert(
      fc.property(scenario, options, ({ target, candidates }, opts) => {
        for (const s of Duplicates.suggest(target, candidates, opts)) {
          expect(s.score).toBeGreaterThanOrEqual(0)
          expect(s.score).toBeLessThanOrEqual(1)
          expect(Math.abs(s.score - sum(s.reasons))).toBeLessThan(1e-9)
          expect(s.reasons.every((r) => r.weight >= 0)).toBe(true)
        }
      }),
      { numRuns }
    )
  })

  it("is sorted by score, best first, holds at most `limit`, and only scores of at least minScore", () => {
    fc.assert(
      fc.property(scenario, options, ({ target, candidates }, opts) => {
        const result = Duplicates.suggest(target, candidates, opts)
        expect(result.length).toBeLessThanOrEqual(opts.limit ?? Duplicates.defaultLimit)
        for (let i = 1; i < result.length; i++)
          expect((result[i - 1] as Duplicates.Suggestion).score).toBeGreaterThanOrEqual(
            (result[i] as Duplicates.Suggestion).score
          )
        for (const s of result) expect(s.score).toBeGreaterThanOrEqual(opts.minScore ?? Duplicates.defaultMinScore)
      }),
      { numRuns }
    )
  })

  it("never suggests the ticket itself, a solved, closed, linked or foreign ticket, and always needs similarity", () => {
    fc.assert(
      fc.property(scenario, options, ({ target, candidates }, opts) => {
        const byId = new Map(candidates.map((c) => [c.id as string, c]))
        for (const s of Duplicates.suggest(target, candidates, opts)) {
          const c = byId.get(s.ticketId) as Ticket.Ticket
          expect(s.ticketId).not.toBe(target.id)
          expect(["solved", "closed"]).not.toContain(c.category)
          expect(c.workspaceId).toBe(target.workspaceId)
          expect(target.links.some((l) => l.ticketId === c.id)).toBe(false)
          expect(s.reasons.some((r) => r.kind === "similar_subject" || r.kind === "similar_text")).toBe(true)
        }
      }),
      { numRuns }
    )
  })

  it("is deterministic and does not depend on the order of the candidates", () => {
    const permuted = scenario.chain(({ target, candidates }) =>
      fc.tuple(
        fc.constant(target),
        fc.constant(candidates),
        fc.shuffledSubarray(candidates, { minLength: candidates.length, maxLength: candidates.length })
      )
    )
    fc.assert(
      fc.property(permuted, options, ([target, candidates, shuffled], opts) => {
        const result = Duplicates.suggest(target, candidates, opts)
        expect(Duplicates.suggest(target, candidates, opts)).toEqual(result)
        expect(Duplicates.suggest(target, shuffled, opts)).toEqual(result)
      }),
      { numRuns }
    )
  })

  it("scores 10,000 candidates in one call", () => {
    // Deterministic PRNG (mulberry32), so the generated set is the same on every run.
    let seed = 20250501
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const pick = () => vocabulary[Math.floor(random() * vocabulary.length)] as string
    const words = (n: number) => Array.from({ length: n }, pick).join(" ")
    const candidates = Array.from({ length: 10_000 }, (_, i) =>
      ticket({
        id: `tkt_${i}`,
        publicId: i + 1,
        subject: words(4),
        text: words(60),
        requester: ["jane", "omar", "lee"][i % 3] as string,
        created: -Math.floor(random() * 20 * days)
      })
    )
    const result = Duplicates.suggest(chat, candidates)
    expect(result.length).toBeGreaterThan(0)
    expect(result.length).toBeLessThanOrEqual(Duplicates.defaultLimit)
  })
})

const text = fc.oneof(phrase(12), fc.lorem({ maxCount: 12 }), fc.string({ unit: "grapheme", maxLength: 60 }))

describe("similarity, for any texts", () => {
  it("a text with at least one term is exactly as similar as possible to itself", () => {
    fc.assert(
      fc.property(text, (a) => {
        fc.pre(Duplicates.terms(a).length > 0)
        expect(Duplicates.similarity(a, a)).toBe(1)
      }),
      { numRuns }
    )
  })

  it("is symmetric and lies in [0, 1]", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const s = Duplicates.similarity(a, b)
        expect(Duplicates.similarity(b, a)).toBe(s)
        expect(s).toBeGreaterThanOrEqual(0)
        expect(s).toBeLessThanOrEqual(1)
      }),
      { numRuns }
    )
  })
})

function sketchOf(t: Ticket.Ticket): Sketch {
  return {
    id: t.id,
    publicId: t.publicId,
    subject: t.subject,
    text: t.description,
    requester: t.requester,
    organization: t.organization ?? "",
    channel: t.channel,
    category: t.category
  }
}
