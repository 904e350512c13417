import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as TagPolicy from "../../src/tags/TagPolicy.js"
import * as ConfigError from "../../src/values/ConfigError.js"
import * as Tag from "../../src/values/Tag.js"

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}
const err = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error("expected a failure")
  return result.failure
}

const rawTag = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 150 }),
  fc.string({ unit: "binary", maxLength: 150 }),
  fc
    .array(fc.constantFrom(" ", "-", ".", "!", "_", "A", "é", "É", "ß", "İ", "ﬁ", "㎒", "ポ", "й", "🔥", "\u0301"), {
      maxLength: 40
    })
    .map((parts) => parts.join(""))
)

describe("Tag.canonicalize", () => {
  it.each([
    [" Billing ", "billing"],
    ["Facturé", "facture"],
    ["password-reset", "password_reset"],
    ["Password  Reset!", "password_reset"],
    ["ﬁle", "file"],
    ["v2.1-beta", "v2_1_beta"],
    ["c++", "c++"],
    ["🔥 Hot", "🔥_hot"],
    ["日本語 サポート", "日本語_サポート"],
    ["...", ""]
  ])("canonicalises %j to %j", (raw, tag) => {
    expect(Tag.canonicalize(raw)).toBe(tag)
  })

  it("canonicalising a tag twice is the same as canonicalising it once", () => {
    fc.assert(
      fc.property(rawTag, (raw) => Tag.canonicalize(Tag.canonicalize(raw)) === Tag.canonicalize(raw)),
      { numRuns: 1000 }
    )
  })

  it("a canonical tag is already normalised, and a valid Tag unless empty", () => {
    fc.assert(
      fc.property(rawTag, (raw) => {
        const tag = Tag.canonicalize(raw)
        return Tag.normalize(tag) === tag && (tag === "" || Tag.canonicalizeAll([tag])[0] === tag)
      }),
      { numRuns: 500 }
    )
  })
})

describe("TagPolicy.make", () => {
  it("resolves aliases transitively and canonicalises every tag", () => {
    const policy = ok(
      TagPolicy.make({
        aliases: { Facturation: "invoice", invoice: "Billing", "pass-word": "password reset" },
        groups: { product: ["VPN", "printer"], money: ["billing"] },
        taxonomy: { mode: "warn", tags: ["billing", "password_reset", "facturation"] }
      })
    )
    expect([...policy.aliases]).toEqual([
      ["facturation", "billing"],
      ["invoice", "billing"],
      ["pass_word", "password_reset"]
    ])
    expect([...policy.groupOf]).toEqual([
      ["vpn", "product"],
      ["printer", "product"],
      ["billing", "money"]
    ])
    expect([...(policy.taxonomy ?? [])].sort()).toEqual(["billing", "password_reset", "printer", "vpn"])
  })

  /** The problems of a policy refused, as `[path, message]`. */
  const problems = (input: unknown) => {
    const error = err(TagPolicy.make(input))
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(error.config).toBe("tag-policy")
    return error.problems.map((p) => [p.path, p.message] as const)
  }
  const paths = (input: unknown) => problems(input).map(([path]) => path)

  it("refuses an unknown key, with its path", () => {
    expect(paths({ taxonomy: { mode: "warn", tags: [], strict: true } })).toEqual([["taxonomy", "strict"]])
    expect(paths({ alias: {} })).toEqual([["alias"]])
  })

  it("refuses a wrong mode and a tag that normalises to nothing, with their paths", () => {
    expect(paths({ taxonomy: { mode: "loud", tags: [] } })).toEqual([["taxonomy", "mode"]])
    expect(paths({ groups: { product: ["vpn", " - "] } })).toEqual([["groups", "product", 1]])
  })

  it("refuses an alias given two targets", () => {
    expect(problems({ aliases: { Facturation: "billing", facturation: "invoice" } })).toEqual([
      [["aliases", "facturation"], "the alias facturation already points to billing"]
    ])
  })

  it("refuses an alias cycle, naming it", () => {
    expect(problems({ aliases: { x: "y", A: "b", b: "c", c: "a" } })).toEqual([
      [["aliases", "A"], "the aliases form a cycle: a -> b -> c -> a"]
    ])
  })

  it("refuses a tag in two groups, at its second listing", () => {
    expect(problems({ groups: { product: ["vpn", "printer"], network: ["wifi", "VPN"] } })).toEqual([
      [["groups", "network", 1], "the tag vpn is in two groups: product and network"]
    ])
  })

  it("an alias of a grouped tag counts as that tag", () => {
    expect(problems({ aliases: { vpns: "vpn" }, groups: { a: ["vpn"], b: ["vpns"] } })).toEqual([
      [["groups", "b", 0], "the tag vpn is in two groups: a and b"]
    ])
  })

  it("lists every problem at once: schema, aliases, cycles, groups and taxonomy, each with its path", () => {
    const error = err(
      TagPolicy.make({
        aliases: { x: "y", y: "x", p: "q", q: "p", Facturation: "billing", facturation: "invoice", "?": "billing" },
        groups: { product: ["vpn", 7], network: ["VPN", " "] },
        taxonomy: { mode: "strict!", tags: ["billing", "…"] },
        extra: true
      })
    )
    expect(error.message).toMatch(/^Invalid tag-policy configuration: /)
    expect(error.problems.map((p) => p.path)).toEqual([
      ["extra"],
      ["groups", "product", 1],
      ["taxonomy", "mode"],
      ["aliases", "facturation"],
      ["aliases", "?"],
      ["aliases", "x"],
      ["aliases", "p"],
      ["groups", "network", 0],
      ["groups", "network", 1],
      ["taxonomy", "tags", 1]
    ])
  })
})

// Random alias maps over a small alphabet, so that chains and cycles are common.
const aliasMap = fc
  .array(fc.tuple(fc.constantFrom("a", "b", "c", "d", "e", "f"), fc.constantFrom("a", "b", "c", "d", "e", "f")), {
    maxLength: 8
  })
  .map((pairs) => new Map(pairs as unknown as ReadonlyArray<[Tag.Tag, Tag.Tag]>))

describe("TagPolicy.resolveAliases", () => {
  it("a -> b -> c gives c", () => {
    const resolved = ok(
      TagPolicy.resolveAliases([
        ["a", "b"],
        ["b", "c"]
      ] as unknown as ReadonlyArray<[Tag.Tag, Tag.Tag]>)
    )
    expect([...resolved]).toEqual([
      ["a", "c"],
      ["b", "c"]
    ])
  })

  it("a random alias map either resolves to a fixed point or is refused with a cycle of its own edges", () => {
    fc.assert(
      fc.property(aliasMap, (map) => {
        const result = TagPolicy.resolveAliases(map)
        const edges = new Map([...map].filter(([from, to]) => from !== to))
        if (Result.isSuccess(result)) {
          for (const [from, target] of result.success) {
            // A fixed point: a target is never itself an alias.
            if (result.success.has(target)) return false
            // Following the map from the alias reaches the target within |map| steps.
            let current = from
            for (let i = 0; i < edges.size && edges.has(current); i++) current = edges.get(current) as Tag.Tag
            if (current !== target) return false
          }
          return [...edges.keys()].every((k) => result.success.has(k))
        }
        const { cycle } = result.failure
        return (
          cycle.length >= 3 &&
          cycle[0] === cycle[cycle.length - 1] &&
          new Set(cycle.slice(0, -1)).size === cycle.length - 1 &&
          cycle.slice(0, -1).every((t, i) => edges.get(t as Tag.Tag) === cycle[i + 1])
        )
      }),
      { numRuns: 500 }
    )
  })
})

describe("TagPolicy.applyPolicy", () => {
  const policy = ok(
    TagPolicy.make({
      aliases: { facturation: "billing" },
      groups: { product: ["vpn", "printer"] },
      taxonomy: { mode: "warn", tags: ["billing", "refund"] }
    })
  )

  it("canonicalises, resolves aliases and drops duplicates, keeping first-seen order", () => {
    expect(ok(TagPolicy.applyPolicy(policy, [" VPN", "Facturation", "billing", "", "Printer"]))).toEqual({
      tags: ["vpn", "billing", "printer"],
      groups: ["product"],
      warnings: []
    })
  })

  it("warns about unknown tags in warn mode", () => {
    expect(ok(TagPolicy.applyPolicy(policy, ["Billing", "Misc stuff"])).warnings).toEqual([
      { _tag: "UnknownTag", tag: "misc_stuff", raw: "Misc stuff" }
    ])
  })

  it("refuses unknown tags in strict mode, naming them all", () => {
    const strict = { ...policy, mode: "strict" as const }
    expect(err(TagPolicy.applyPolicy(strict, ["misc", "billing", "other"]))).toMatchObject({
      _tag: "UnknownTags",
      tags: ["misc", "other"]
    })
  })

  it("accepts anything when the taxonomy is off", () => {
    const off = ok(TagPolicy.make({ taxonomy: { mode: "off", tags: ["billing"] } }))
    expect(ok(TagPolicy.applyPolicy(off, ["misc"]))).toEqual({ tags: ["misc"], groups: [], warnings: [] })
  })

  it("applying a policy to its own output changes nothing", () => {
    const policies = [policy, ok(TagPolicy.make({ aliases: { a: "b", b: "c", "d e": "f-g" } })), TagPolicy.empty]
    const raws = fc.array(fc.oneof(rawTag, fc.constantFrom("a", "B", "d e", "Facturation", "VPN ", "f g")), {
      maxLength: 12
    })
    fc.assert(
      fc.property(fc.constantFrom(...policies), raws, (p, raw) => {
        const once = ok(TagPolicy.applyPolicy(p, raw))
        const twice = ok(TagPolicy.applyPolicy(p, once.tags))
        return (
          JSON.stringify(twice.tags) === JSON.stringify(once.tags) &&
          once.tags.every((t) => Tag.canonicalize(t) === t && !p.aliases.has(t))
        )
      }),
      { numRuns: 500 }
    )
  })
})
