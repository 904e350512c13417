/**
 * A workspace's tag policy: aliases (`facturation` -> `billing`, resolved transitively), tag
 * groups (a tag belongs to at most one) and an optional taxonomy enforced off / warn / strict.
 * Policies are plain JSON checked by a Schema (`make`: one `InvalidConfig` listing every problem
 * with its path; unknown keys, alias cycles and a tag in two groups are refused). Applying a
 * policy is pure; the help desk enforces a strict taxonomy on the tags it is given
 * (`TagNotAllowed`); finding drift in existing tickets is `TagAudit`'s job.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { field, list, record, string } from "../internal/loose.js"
import * as ConfigError from "../values/ConfigError.js"
import { canonicalize, type Tag } from "../values/Tag.js"

/**
 * How the taxonomy is enforced: `off` accepts any tag, `warn` accepts unknown tags with a
 * warning, `strict` refuses them.
 *
 * @category models
 * @since 0.1.0
 */
export const Mode = Schema.Literals(["off", "warn", "strict"])
/** @category models @since 0.1.0 */
export type Mode = typeof Mode.Type

/**
 * A tag policy as JSON. Every tag in it is raw (canonicalised on `make`): `aliases` maps an
 * alias to its target, `groups` maps a group name to its tags, `taxonomy` lists the known tags
 * (group members are known too).
 *
 * @category models
 * @since 0.1.0
 */
export const Spec = Schema.Struct({
  aliases: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  groups: Schema.optionalKey(Schema.Record(Schema.String, Schema.Array(Schema.String))),
  taxonomy: Schema.optionalKey(
    Schema.Struct({
      mode: Mode,
      tags: Schema.Array(Schema.String)
    })
  )
})
/** @category models @since 0.1.0 */
export type Spec = typeof Spec.Type

/**
 * A checked policy, ready to apply: aliases already resolved to their final canonical tag, and
 * group members and taxonomy tags canonical and alias-resolved.
 *
 * @category models
 * @since 0.1.0
 */
export interface TagPolicy {
  /** Each alias and the tag it finally resolves to (never itself an alias). */
  readonly aliases: ReadonlyMap<Tag, Tag>
  /** Each grouped tag and its group's name. */
  readonly groupOf: ReadonlyMap<Tag, string>
  /** Each group's tags, in the order the policy lists them. */
  readonly groups: ReadonlyMap<string, ReadonlyArray<Tag>>
  readonly mode: Mode
  /** The known tags (taxonomy plus group members), or `undefined` without a taxonomy. */
  readonly taxonomy: ReadonlySet<Tag> | undefined
}

/**
 * The policy that accepts every tag as it is: no aliases, no groups, no taxonomy.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty: TagPolicy = {
  aliases: new Map(),
  groupOf: new Map(),
  groups: new Map(),
  mode: "off",
  taxonomy: undefined
}

const Path = Schema.Array(Schema.Union([Schema.String, Schema.Number]))

/**
 * Aliases that lead back to themselves. `cycle` starts and ends with the same tag
 * (`["a", "b", "a"]`); `path` points at the alias in the JSON where the cycle was entered.
 *
 * @category errors
 * @since 0.1.0
 */
export class AliasCycle extends Schema.TaggedError<AliasCycle>()("AliasCycle", {
  path: Path,
  cycle: Schema.Array(Schema.String)
}) {
  override get message() {
    return `Tag aliases form a cycle at ${JSON.stringify(this.path)}: ${this.cycle.join(" -> ")}`
  }
}

/**
 * Tags a strict taxonomy does not know, canonical, in the order given.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownTags extends Schema.TaggedError<UnknownTags>()("UnknownTags", {
  tags: Schema.Array(Schema.String)
}) {
  override get message() {
    return `Unknown tags (strict taxonomy): ${this.tags.join(", ")}`
  }
}

/**
 * Tags a help desk refused because its taxonomy is strict and does not know them: `tags` as they
 * were given, and the ticket they were for (absent when it was being opened). Nothing was
 * written. Never retryable: the same tags are refused again until the taxonomy knows them.
 *
 * @category errors
 * @since 0.1.0
 */
export class TagNotAllowed extends Schema.TaggedError<TagNotAllowed>()("TagNotAllowed", {
  tags: Schema.Array(Schema.String),
  ticketId: Schema.optionalKey(Schema.String)
}) {
  /** The same tags are refused again: add them to the taxonomy, or use known ones. */
  get retryable() {
    return false
  }
  override get message() {
    const on = this.ticketId === undefined ? "" : ` on ticket ${this.ticketId}`
    return `Tags not in the taxonomy (strict)${on}: ${this.tags.join(", ")}`
  }
}

/**
 * Resolves alias pairs (alias, target; both canonical) to each alias's final target, following
 * chains (`a -> b -> c` gives `a -> c`, `b -> c`). A pair whose sides are equal is ignored.
 * Chains that loop are refused with the cycle; every tag is visited a bounded number of times,
 * so this terminates on any input.
 *
 * @category combinators
 * @since 0.1.0
 */
export const resolveAliases = (
  pairs: Iterable<readonly [Tag, Tag]>
): Result.Result<ReadonlyMap<Tag, Tag>, AliasCycle> => {
  const next = new Map<Tag, Tag>()
  for (const [from, to] of pairs) if (from !== to) next.set(from, to)
  const resolved = new Map<Tag, Tag>()
  for (const start of next.keys()) {
    if (resolved.has(start)) continue
    const chain: Array<Tag> = []
    const onChain = new Map<Tag, number>()
    let current: Tag = start
    let target: Tag | undefined
    for (;;) {
      const known = resolved.get(current)
      if (known !== undefined) {
        target = known
        break
      }
      const step = next.get(current)
      if (step === undefined) {
        target = current
        break
      }
      const seenAt = onChain.get(current)
      if (seenAt !== undefined) {
        const cycle = [...chain.slice(seenAt), current]
        return Result.fail(new AliasCycle({ path: ["aliases", cycle[0] as string], cycle }))
      }
      onChain.set(current, chain.length)
      chain.push(current)
      current = step
    }
    for (const tag of chain) resolved.set(tag, target)
  }
  return Result.succeed(resolved)
}

/** The entries of a JSON object whose values are `R`s, in order; anything else reads as absent. */
const entries = <R>(value: unknown, read: (v: unknown) => R | undefined): ReadonlyArray<readonly [string, R]> =>
  Object.entries(record(value) ?? {}).flatMap(([key, v]) => {
    const r = read(v)
    return r === undefined ? [] : [[key, r] as const]
  })

/**
 * Checks a policy from untrusted JSON (parsed) and compiles it. Unknown keys are refused, so a
 * misspelt `taxonomy` does not silently turn enforcement off; so are tags that normalise to
 * nothing, an alias given two different targets, alias cycles and a tag in two groups. Every
 * problem is listed, each with its path, in one `InvalidConfig` (`config: "tag-policy"`).
 *
 * @example
 * ```ts
 * const policy = TagPolicy.make({ aliases: { facturation: "invoice", invoice: "billing" } })
 * // Result.succeed: aliases facturation -> billing, invoice -> billing
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (input: unknown): Result.Result<TagPolicy, ConfigError.InvalidConfig> => {
  const decoded = Schema.decodeUnknownResult(Spec)(input, { errors: "all", onExcessProperty: "error" })
  const problems: Array<ConfigError.Problem> = Result.isFailure(decoded)
    ? [...ConfigError.problems(decoded.failure.issue)]
    : []
  const problem = (path: ReadonlyArray<string | number>, message: string) => problems.push({ path, message })
  // The rest reads the raw document, so that its problems are listed with the schema's: a part
  // of the wrong shape reads as absent (the schema has reported it).

  const pairs: Array<readonly [Tag, Tag]> = []
  const rawKeyOf = new Map<Tag, string>()
  for (const [rawFrom, rawTo] of entries(field(input, "aliases"), string)) {
    const from = canonicalize(rawFrom) as Tag
    const to = canonicalize(rawTo) as Tag
    if (from === "") problem(["aliases", rawFrom], "the alias is not a usable tag")
    else if (to === "") problem(["aliases", rawFrom], `the target ${JSON.stringify(rawTo)} is not a usable tag`)
    else {
      const earlier = pairs.find(([f]) => f === from)
      if (earlier !== undefined && earlier[1] !== to) {
        problem(["aliases", rawFrom], `the alias ${from} already points to ${earlier[1]}`)
        continue
      }
      if (!rawKeyOf.has(from)) rawKeyOf.set(from, rawFrom)
      pairs.push([from, to])
    }
  }
  // Each cycle is reported, then left out so that the next one can be found: every round drops
  // at least one pair, so this ends.
  let acyclic: ReadonlyArray<readonly [Tag, Tag]> = pairs
  let aliases: ReadonlyMap<Tag, Tag> = new Map()
  for (;;) {
    const resolved = resolveAliases(acyclic)
    if (Result.isSuccess(resolved)) {
      aliases = resolved.success
      break
    }
    const { cycle } = resolved.failure
    const first = cycle[0] as Tag
    problem(["aliases", rawKeyOf.get(first) ?? first], `the aliases form a cycle: ${cycle.join(" -> ")}`)
    const inCycle = new Set<string>(cycle)
    acyclic = acyclic.filter(([from]) => !inCycle.has(from))
  }
  const resolve = (tag: Tag): Tag => aliases.get(tag) ?? tag

  const groupOf = new Map<Tag, string>()
  const groups = new Map<string, ReadonlyArray<Tag>>()
  for (const [name, members] of entries(field(input, "groups"), (v) => (Array.isArray(v) ? v : undefined))) {
    const tags: Array<Tag> = []
    for (const [i, raw] of members.entries()) {
      if (typeof raw !== "string") continue
      const canonical = canonicalize(raw) as Tag
      if (canonical === "") {
        problem(["groups", name, i], "not a usable tag")
        continue
      }
      const tag = resolve(canonical)
      const other = groupOf.get(tag)
      if (other === name) continue
      if (other !== undefined) {
        problem(["groups", name, i], `the tag ${tag} is in two groups: ${other} and ${name}`)
        continue
      }
      groupOf.set(tag, name)
      tags.push(tag)
    }
    groups.set(name, tags)
  }

  const taxonomySpec = field(input, "taxonomy")
  const taxonomy = taxonomySpec === undefined ? undefined : new Set<Tag>(groupOf.keys())
  for (const [i, raw] of list(field(taxonomySpec, "tags")).entries()) {
    if (typeof raw !== "string") continue
    const canonical = canonicalize(raw) as Tag
    if (canonical === "") problem(["taxonomy", "tags", i], "not a usable tag")
    else taxonomy?.add(resolve(canonical))
  }

  if (Result.isFailure(decoded) || problems.length > 0) {
    const found = problems.length > 0 ? problems : [{ path: [], message: "does not decode" }]
    return Result.fail(ConfigError.invalid("tag-policy", found))
  }
  return Result.succeed({ aliases, groupOf, groups, mode: decoded.success.taxonomy?.mode ?? "off", taxonomy })
}

/**
 * A tag accepted with a warning: the taxonomy (mode `warn`) does not know it.
 *
 * @category models
 * @since 0.1.0
 */
export interface UnknownTagWarning {
  readonly _tag: "UnknownTag"
  readonly tag: Tag
  /** The tag as given, before canonicalisation and aliases. */
  readonly raw: string
}

/**
 * What `applyPolicy` gives: canonical, alias-resolved, distinct tags in first-seen order, the
 * groups they belong to, and warnings.
 *
 * @category models
 * @since 0.1.0
 */
export interface Applied {
  readonly tags: ReadonlyArray<Tag>
  readonly groups: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<UnknownTagWarning>
}

/**
 * The canonical form of one raw tag under a policy: canonicalised, then alias-resolved; `""`
 * when the input is not a usable tag.
 *
 * @category combinators
 * @since 0.1.0
 */
export const resolve = (policy: TagPolicy, raw: string): string => {
  const canonical = canonicalize(raw) as Tag
  return policy.aliases.get(canonical) ?? canonical
}

/**
 * Whether the policy knows a canonical tag: always without a taxonomy.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isKnown = (policy: TagPolicy, tag: Tag): boolean =>
  policy.taxonomy === undefined || policy.taxonomy.has(tag)

/**
 * Applies a policy to raw tags: canonicalises them, resolves aliases, drops empty tags and
 * duplicates, and checks the taxonomy (unknown tags warn in `warn` mode and are refused, all
 * named, in `strict` mode). Applying it to its own output changes nothing.
 *
 * @category combinators
 * @since 0.1.0
 */
export const applyPolicy = (policy: TagPolicy, rawTags: ReadonlyArray<string>): Result.Result<Applied, UnknownTags> => {
  const tags: Array<Tag> = []
  const groups: Array<string> = []
  const warnings: Array<UnknownTagWarning> = []
  const seen = new Set<Tag>()
  for (const raw of rawTags) {
    const tag = resolve(policy, raw) as Tag
    if (tag === "" || seen.has(tag)) continue
    seen.add(tag)
    tags.push(tag)
    const group = policy.groupOf.get(tag)
    if (group !== undefined && !groups.includes(group)) groups.push(group)
    if (policy.mode !== "off" && !isKnown(policy, tag)) warnings.push({ _tag: "UnknownTag", tag, raw })
  }
  if (policy.mode === "strict" && warnings.length > 0) {
    return Result.fail(new UnknownTags({ tags: warnings.map((w) => w.tag) }))
  }
  return Result.succeed({ tags, groups, warnings })
}
