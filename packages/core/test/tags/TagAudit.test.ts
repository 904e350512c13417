import { Result } from "effect"
import { describe, expect, it } from "vitest"
import * as TagAudit from "../../src/tags/TagAudit.js"
import * as TagPolicy from "../../src/tags/TagPolicy.js"

const policyResult = TagPolicy.make({
  aliases: { facturation: "billing" },
  groups: { product: ["vpn", "printer", "laptop"] },
  taxonomy: {
    mode: "warn",
    tags: ["billing", "refund", "password_reset", "vip", "login", "email", "wifi", "onboarding", "outage", "sso"]
  }
})
if (Result.isFailure(policyResult)) throw new Error(String(policyResult.failure))
const policy = policyResult.success

// Deterministic PRNG (mulberry32), so the generated set is the same on every run.
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

// Real tags with a Zipf-like weight; none is a near-duplicate of another (vpn/vip stay apart).
const vocabulary = [
  "vpn",
  "login",
  "email",
  "wifi",
  "printer",
  "laptop",
  "onboarding",
  "outage",
  "sso",
  "vip",
  "refund",
  "security",
  "mobile",
  "api",
  "export",
  "feature_request",
  "bug",
  "spam",
  "calendar",
  "hardware"
]
// Planted drift: the exact number of tickets carrying each spelling.
const planted: ReadonlyArray<readonly [string, number]> = [
  ["billing", 500],
  ["Billing ", 12],
  ["biling", 7],
  ["billings", 3],
  ["password-reset", 300],
  ["password reset", 40],
  ["pasword reset", 6],
  ["facturation", 25] // an alias: the policy rewrites it, so it is not drift
]

const generate = (count: number) => {
  const random = prng(20260501)
  const tickets = Array.from({ length: count }, (_, i) => ({ id: `T-${i}`, tags: [] as Array<string> }))
  for (const ticket of tickets) {
    const n = Math.floor(random() * 3)
    for (let j = 0; j < n; j++) {
      const rank = Math.floor(vocabulary.length * random() ** 2)
      const tag = vocabulary[rank] as string
      if (!ticket.tags.includes(tag)) ticket.tags.push(tag)
    }
    // A long tail of one-off tags (order and article numbers): thousands of distinct tags.
    if (random() < 0.3) ticket.tags.push(`order_${1000 + Math.floor(random() * 9000)}`)
    if (random() < 0.1) ticket.tags.push(`kb_${Math.floor(random() * 2000)}`)
  }
  // Plant each spelling on distinct tickets chosen by stride, so counts are exact.
  let cursor = 0
  for (const [tag, times] of planted) {
    for (let k = 0; k < times; k++) {
      const ticket = tickets[(cursor * 7919) % count] as { tags: Array<string> }
      cursor++
      ticket.tags.push(tag)
    }
  }
  return tickets
}

describe("TagAudit.stem", () => {
  it.each([
    ["billings", "bill"],
    ["billing", "bill"],
    ["invoices", "invoic"],
    ["invoice", "invoic"],
    ["bureaux", "bureau"],
    ["journaux", "journal"],
    ["bloquees", "bloqu"],
    ["access", "access"],
    ["status", "status"],
    ["password_resets", "password_reset"],
    ["vpn", "vpn"]
  ])("stems %j to %j", (tag, stem) => {
    expect(TagAudit.stem(tag)).toBe(stem)
  })
})

describe("TagAudit.isNearDuplicate", () => {
  it.each([
    ["billing", "biling", true],
    ["billing", "billings", true],
    ["password_reset", "pasword_reset", true],
    ["password_reset", "passwordreset", true],
    ["vpn", "vip", false], // three letters or fewer: no edit distance at all
    ["email", "gmail", false], // typos rarely hit the first letter
    ["windows_10", "windows_11", false], // different digits are different things
    ["login", "logout", false]
  ])("%j and %j: %j", (a, b, expected) => {
    expect(TagAudit.isNearDuplicate(a, b)).toBe(expected)
  })
})

describe("TagAudit.audit", () => {
  const tickets = generate(10_000)
  const report = TagAudit.audit(tickets, { policy, rareBelow: 5 })

  // How fast is not asserted here (tests never time: the machines are shared and noisy); the
  // near-duplicate search compares only tags that share a deletion variant, never every pair.
  it("reads 10,000 tickets with thousands of distinct tags", () => {
    expect(report.tickets).toBe(10_000)
    expect(report.tags.length).toBeGreaterThan(3_000)
  })

  it("finds exactly the planted near-duplicates, with their counts and the most used as canonical", () => {
    expect(report.nearDuplicates).toEqual([
      {
        suggested: "billing",
        total: 522,
        variants: [
          { tag: "billing", count: 500 },
          { tag: "Billing ", count: 12 },
          { tag: "biling", count: 7 },
          { tag: "billings", count: 3 }
        ]
      },
      {
        suggested: "password_reset",
        total: 346,
        variants: [
          { tag: "password-reset", count: 300 },
          { tag: "password reset", count: 40 },
          { tag: "pasword reset", count: 6 }
        ]
      }
    ])
  })

  it("counts an alias as its target and never reports it as drift", () => {
    expect(report.tags.find((t) => t.tag === "billing")?.count).toBe(500 + 12 + 25)
    expect(report.unknown.map((t) => t.tag)).not.toContain("facturation")
  })

  it("lists the tags the taxonomy does not know, with counts", () => {
    const unknown = new Map(report.unknown.map((t) => [t.tag, t.count]))
    expect(unknown.get("biling")).toBe(7)
    expect(unknown.get("billings")).toBe(3)
    expect(unknown.get("pasword_reset")).toBe(6)
    expect(unknown.has("security")).toBe(true)
    expect(unknown.has("vpn")).toBe(false) // group members are known
    expect(unknown.has("billing")).toBe(false)
  })

  it("lists rarely used tags, least used first", () => {
    const rare = new Map(report.rare.map((t) => [t.tag, t.count]))
    expect(rare.get("billings")).toBe(3)
    expect(rare.has("biling")).toBe(false) // 7 tickets: not rare below 5
    expect(rare.has("billing")).toBe(false)
    expect(report.rare.every((t) => t.count < 5)).toBe(true)
    const counts = report.rare.map((t) => t.count)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
  })

  it("lists taxonomy tags no ticket carries", () => {
    expect(report.unused).toEqual([])
    const wider = TagPolicy.make({ taxonomy: { mode: "warn", tags: ["billing", "chargeback", "Zebra"] } })
    if (Result.isFailure(wider)) throw new Error("policy refused")
    expect(TagAudit.audit([{ id: "1", tags: ["billing"] }], { policy: wider.success }).unused).toEqual([
      "chargeback",
      "zebra"
    ])
  })

  it("never pairs two taxonomy tags, and reports nothing against no taxonomy", () => {
    const both = TagPolicy.make({ taxonomy: { mode: "warn", tags: ["printer", "printers"] } })
    if (Result.isFailure(both)) throw new Error("policy refused")
    const tickets = [
      { id: "1", tags: ["printer"] },
      { id: "2", tags: ["printers"] }
    ]
    expect(TagAudit.audit(tickets, { policy: both.success }).nearDuplicates).toEqual([])
    const bare = TagAudit.audit(tickets)
    expect(bare.nearDuplicates.map((g) => g.variants.length)).toEqual([2])
    expect(bare.unknown).toEqual([])
    expect(bare.unused).toEqual([])
  })

  it("audits thousands of distinct alphabetic tags, finding no near-duplicates among random words", () => {
    const random = prng(7)
    const letters = "abcdefghijklmnopqrstuvwxyz"
    const word = () =>
      Array.from({ length: 6 + Math.floor(random() * 10) }, () => letters[Math.floor(random() * 26)]).join("")
    const many = Array.from({ length: 10_000 }, (_, i) => ({ id: `${i}`, tags: [word()] }))
    const result = TagAudit.audit(many)
    expect(result.tags.length).toBeGreaterThan(9_000)
    // A group only ever holds words each a near-duplicate of another in it.
    for (const group of result.nearDuplicates) {
      const tags = group.variants.map((v) => v.tag)
      for (const tag of tags) {
        expect(tags.some((other) => other !== tag && TagAudit.isNearDuplicate(tag, other))).toBe(true)
      }
    }
  })
})
