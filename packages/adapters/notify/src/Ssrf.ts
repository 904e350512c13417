/**
 * The guard that keeps webhooks from becoming a server-side request forgery: a target URL is
 * refused unless its scheme is http(s) and every address its host resolves to is public
 * (loopback, private, link-local, unique-local, shared CGNAT, multicast, broadcast and reserved
 * ranges are not, nor IPv6 forms embedding them), or allowed by an explicit allow-list. The host
 * is resolved once and the address checked is the one connected to (`pinnedLookup`), so DNS
 * cannot answer differently between the check and the connection. Sending is `WebhookSender`'s.
 */

import type { LookupAddress, LookupOptions } from "node:dns"
import { lookup as dnsLookup } from "node:dns/promises"
import { Effect, Schema } from "effect"

/**
 * An IP address as a number: 32 bits for IPv4, 128 bits for IPv6.
 *
 * @category models
 * @since 0.1.0
 */
export type Address = { readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: bigint }

/**
 * What an address is for, after the IANA special-purpose registries: only `public` is
 * reachable without an allow-list entry.
 *
 * @category models
 * @since 0.1.0
 */
export type Kind =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "unique-local"
  | "multicast"
  | "broadcast"
  | "documentation"
  | "reserved"

/**
 * A range of addresses (`10.0.0.0/8`, `fc00::/7`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Cidr {
  readonly address: Address
  readonly prefix: number
}

// -- parsing -----------------------------------------------------------------------------------

const v4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

const parseV4 = (text: string): number | undefined => {
  if (!v4Pattern.test(text)) return undefined
  return text.split(".").reduce((acc, part) => acc * 256 + Number(part), 0)
}

const parseV6 = (text: string): bigint | undefined => {
  // A dotted IPv4 tail (`::ffff:127.0.0.1`) stands for the last two groups.
  let body = text
  const lastColon = body.lastIndexOf(":")
  if (lastColon >= 0 && body.slice(lastColon + 1).includes(".")) {
    const v4 = parseV4(body.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    body = `${body.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`
  }
  const halves = body.split("::")
  if (halves.length > 2) return undefined
  const groups = (half: string): Array<number> | undefined => {
    if (half === "") return []
    const out: Array<number> = []
    for (const group of half.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined
      out.push(Number.parseInt(group, 16))
    }
    return out
  }
  const head = groups(halves[0] ?? "")
  const rest = halves.length === 2 ? groups(halves[1] ?? "") : []
  if (head === undefined || rest === undefined) return undefined
  const given = head.length + rest.length
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined
  const all = [...head, ...new Array<number>(8 - given).fill(0), ...rest]
  return all.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n)
}

/**
 * Parses an IP address written strictly: dotted-quad IPv4, or IPv6 (RFC 4291, with or without
 * brackets, a dotted IPv4 tail allowed, a `%zone` ignored); `undefined` for anything else. Odd
 * IPv4 spellings (`2130706433`, `0177.0.0.1`) are not addresses here: URLs are normalised by the
 * WHATWG URL parser before they get this far, which reads them as the address they mean.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseAddress = (text: string): Address | undefined => {
  const v4 = parseV4(text)
  if (v4 !== undefined) return { family: 4, value: v4 }
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text
  const unzoned = bare.includes("%") ? bare.slice(0, bare.indexOf("%")) : bare
  if (!unzoned.includes(":")) return undefined
  const v6 = parseV6(unzoned)
  return v6 === undefined ? undefined : { family: 6, value: v6 }
}

/**
 * Writes an address the way `node:net` and URLs do (`127.0.0.1`, `::ffff:7f00:1`, compressed).
 *
 * @category constructors
 * @since 0.1.0
 */
export const formatAddress = (address: Address): string => {
  if (address.family === 4) {
    const v = address.value
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".")
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address.value >> BigInt(112 - 16 * i)) & 0xffffn))
  // The longest run of two or more zero groups becomes `::` (RFC 5952).
  let best = { start: -1, length: 0 }
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best.start < 0) return hex.join(":")
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`
}

/**
 * Parses a CIDR range (`10.0.0.0/8`, `fc00::/7`) or one address (a range of one).
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseCidr = (text: string): Cidr | undefined => {
  const slash = text.indexOf("/")
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash))
  if (address === undefined) return undefined
  const bits = address.family === 4 ? 32 : 128
  if (slash < 0) return { address, prefix: bits }
  const prefixText = text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  return prefix <= bits ? { address, prefix } : undefined
}

/**
 * Whether `address` lies in `range` (an IPv4 address is never in an IPv6 range, nor the other way).
 *
 * @category predicates
 * @since 0.1.0
 */
export const contains = (range: Cidr, address: Address): boolean => {
  if (range.address.family === 4 && address.family === 4) {
    const shift = 32 - range.prefix
    return shift === 32 || Math.floor(range.address.value / 2 ** shift) === Math.floor(address.value / 2 ** shift)
  }
  if (range.address.family === 6 && address.family === 6) {
    const shift = BigInt(128 - range.prefix)
    return range.address.value >> shift === address.value >> shift
  }
  return false
}

// -- classification ----------------------------------------------------------------------------

const range = (text: string): Cidr => {
  const parsed = parseCidr(text)
  if (parsed === undefined) throw new Error(`bad built-in range ${text}`)
  return parsed
}

// Most specific first: the first range an address falls in names its kind.
const v4Ranges: ReadonlyArray<readonly [Cidr, Kind]> = [
  [range("255.255.255.255/32"), "broadcast"],
  [range("0.0.0.0/8"), "unspecified"],
  [range("10.0.0.0/8"), "private"],
  [range("100.64.0.0/10"), "shared"],
  [range("127.0.0.0/8"), "loopback"],
  [range("169.254.0.0/16"), "link-local"],
  [range("172.16.0.0/12"), "private"],
  [range("192.0.0.0/24"), "reserved"],
  [range("192.0.2.0/24"), "documentation"],
  [range("192.88.99.0/24"), "reserved"],
  [range("192.168.0.0/16"), "private"],
  [range("198.18.0.0/15"), "reserved"],
  [range("198.51.100.0/24"), "documentation"],
  [range("203.0.113.0/24"), "documentation"],
  [range("224.0.0.0/4"), "multicast"],
  [range("240.0.0.0/4"), "reserved"]
]

// IPv6 ranges that carry an IPv4 address: it is that address which is reached (a mapped address
// on a dual-stack socket, a NAT64 gateway, a 6to4 relay), so it is what gets classified.
const embedding: ReadonlyArray<readonly [Cidr, (value: bigint) => number]> = [
  [range("::ffff:0:0/96"), (v) => Number(v & 0xffffffffn)],
  [range("64:ff9b::/96"), (v) => Number(v & 0xffffffffn)],
  [range("2002::/16"), (v) => Number((v >> 80n) & 0xffffffffn)],
  // IPv4-compatible (deprecated); `::` and `::1` are matched before.
  [range("::/96"), (v) => Number(v & 0xffffffffn)]
]

const v6Ranges: ReadonlyArray<readonly [Cidr, Kind]> = [
  [range("::/128"), "unspecified"],
  [range("::1/128"), "loopback"],
  [range("64:ff9b:1::/48"), "private"],
  [range("100::/64"), "reserved"],
  [range("2001:db8::/32"), "documentation"],
  [range("2001::/23"), "reserved"],
  [range("fc00::/7"), "unique-local"],
  [range("fe80::/10"), "link-local"],
  [range("fec0::/10"), "private"],
  [range("ff00::/8"), "multicast"]
]

const globalUnicast = range("2000::/3")

/**
 * What an address is for. IPv6 addresses that embed an IPv4 address (IPv4-mapped, NAT64,
 * 6to4, IPv4-compatible) are classified by that IPv4 address; IPv6 outside `2000::/3` (global
 * unicast) is never public.
 *
 * @category predicates
 * @since 0.1.0
 */
export const classify = (address: Address): Kind => {
  if (address.family === 4) {
    for (const [cidr, kind] of v4Ranges) if (contains(cidr, address)) return kind
    return "public"
  }
  for (const [cidr, kind] of v6Ranges.slice(0, 2)) if (contains(cidr, address)) return kind
  for (const [cidr, inner] of embedding) {
    if (contains(cidr, address)) return classify({ family: 4, value: inner(address.value) })
  }
  for (const [cidr, kind] of v6Ranges.slice(2)) if (contains(cidr, address)) return kind
  return contains(globalUnicast, address) ? "public" : "reserved"
}

// -- allow-list --------------------------------------------------------------------------------

/**
 * Targets allowed although not public: host names (matched exactly, case and a trailing dot
 * aside: every address they resolve to is allowed) and addresses or CIDR ranges.
 *
 * @category models
 * @since 0.1.0
 */
export interface AllowList {
  readonly hosts: ReadonlyArray<string>
  readonly ranges: ReadonlyArray<Cidr>
}

/**
 * An allow-list entry is neither a host name, an address nor a CIDR range.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidAllowList extends Schema.TaggedError<InvalidAllowList>()("InvalidAllowList", {
  entry: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Not a host name, an address or a CIDR range in the SSRF allow-list: ${JSON.stringify(this.entry)}`
  }
}

/**
 * Nothing allowed but public addresses.
 *
 * @category constructors
 * @since 0.1.0
 */
export const publicOnly: AllowList = { hosts: [], ranges: [] }

const hostName = (name: string): string => name.toLowerCase().replace(/\.$/, "")
const hostPattern = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/

/**
 * Reads an allow-list: `"127.0.0.1"`, `"10.0.0.0/8"`, `"::1"`, `"hooks.internal"`.
 *
 * @example
 * const allow = yield* Ssrf.allowList(["127.0.0.1"])
 *
 * @category constructors
 * @since 0.1.0
 */
export const allowList = (entries: ReadonlyArray<string>): Effect.Effect<AllowList, InvalidAllowList> =>
  Effect.suspend(() => {
    const hosts: Array<string> = []
    const ranges: Array<Cidr> = []
    for (const entry of entries) {
      const cidr = typeof entry === "string" ? parseCidr(entry.trim()) : undefined
      if (cidr !== undefined) {
        ranges.push(cidr)
        continue
      }
      const name = typeof entry === "string" ? hostName(entry.trim()) : ""
      if (!hostPattern.test(name)) return Effect.fail(new InvalidAllowList({ entry: String(entry) }))
      hosts.push(name)
    }
    return Effect.succeed({ hosts, ranges })
  })

/**
 * Two allow-lists as one.
 *
 * @category combinators
 * @since 0.1.0
 */
export const union = (a: AllowList, b: AllowList): AllowList => ({
  hosts: [...a.hosts, ...b.hosts],
  ranges: [...a.ranges, ...b.ranges]
})

// -- the guard ---------------------------------------------------------------------------------

/**
 * A target the guard refuses, for good: a scheme other than http(s), a malformed URL, a
 * `localhost` name, or an address that is not public and not allowed.
 *
 * @category errors
 * @since 0.1.0
 */
export class TargetRefused extends Schema.TaggedError<TargetRefused>()("TargetRefused", {
  url: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Webhook target refused (${this.reason}): ${this.url}`
  }
}

/**
 * The target's host did not resolve; DNS may answer on a later attempt.
 *
 * @category errors
 * @since 0.1.0
 */
export class TargetUnresolved extends Schema.TaggedError<TargetUnresolved>()("TargetUnresolved", {
  url: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Webhook target did not resolve (${this.reason}): ${this.url}`
  }
}

/**
 * A resolved address: what DNS answered for a host.
 *
 * @category models
 * @since 0.1.0
 */
export interface Resolved {
  readonly address: string
  readonly family: 4 | 6
}

/**
 * How host names are resolved: every address of a host. Injected so that tests can play a DNS
 * server that changes its answer.
 *
 * @category models
 * @since 0.1.0
 */
export type Resolver = (hostname: string) => Effect.Effect<ReadonlyArray<Resolved>, string>

/**
 * The operating system's resolver (`dns.lookup` with `all: true`, as node:http would use).
 *
 * @category constructors
 * @since 0.1.0
 */
export const systemResolver: Resolver = (hostname) =>
  Effect.tryPromise({
    try: () => dnsLookup(hostname, { all: true }),
    catch: (error) => (error instanceof Error ? error.message : String(error))
  }).pipe(Effect.map((answers) => answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))))

/**
 * A target that passed the guard: the URL, and the one address to connect to.
 *
 * @category models
 * @since 0.1.0
 */
export interface Target {
  readonly url: URL
  readonly address: string
  readonly family: 4 | 6
}

/**
 * What `check` needs: the allow-list and, for tests, a resolver.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly allow?: AllowList
  readonly resolver?: Resolver
}

const isLocalhostName = (name: string): boolean => name === "localhost" || name.endsWith(".localhost")

/**
 * Checks a target URL and resolves its host once: succeeds with the address to connect to when
 * the scheme is http(s) and every address the host resolves to is public or allowed.
 *
 * @example
 * const target = yield* Ssrf.check("http://127.0.0.1:8080/hook", { allow: yield* Ssrf.allowList(["127.0.0.1"]) })
 *
 * @category constructors
 * @since 0.1.0
 */
export const check = (
  url: string | URL,
  options: Options = {}
): Effect.Effect<Target, TargetRefused | TargetUnresolved> =>
  Effect.gen(function* () {
    const text = String(url)
    const refuse = (reason: string) => new TargetRefused({ url: text, reason })
    let parsed: URL
    try {
      // The WHATWG parser is what node:http reads the URL with, so the host checked is the host
      // connected to; it also turns `2130706433` or `0177.0.0.1` into `127.0.0.1`.
      parsed = new URL(text)
    } catch {
      return yield* refuse("not a URL")
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      return yield* refuse(`scheme ${parsed.protocol} is not http or https`)
    }
    const allow = options.allow ?? publicOnly
    const name = hostName(parsed.hostname)
    const hostAllowed = allow.hosts.includes(name)
    const literal = parseAddress(parsed.hostname)
    if (literal === undefined && isLocalhostName(name) && !hostAllowed) return yield* refuse("localhost")
    const answers: ReadonlyArray<Resolved> =
      literal !== undefined
        ? [{ address: formatAddress(literal), family: literal.family }]
        : yield* (options.resolver ?? systemResolver)(name).pipe(
            Effect.mapError((reason) => new TargetUnresolved({ url: text, reason }))
          )
    const [first] = answers
    if (first === undefined) return yield* new TargetUnresolved({ url: text, reason: "no address" })
    for (const answer of answers) {
      const address = parseAddress(answer.address)
      if (address === undefined) return yield* refuse(`resolved to an unreadable address ${answer.address}`)
      if (hostAllowed || allow.ranges.some((r) => contains(r, address))) continue
      const kind = classify(address)
      if (kind !== "public") return yield* refuse(`${answer.address} is ${kind}`)
    }
    return { url: parsed, address: first.address, family: first.family }
  })

/**
 * The `lookup` option for node:http and node:https that answers with the checked address only,
 * whatever DNS says now: the connection goes where the guard looked.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pinnedLookup =
  (target: Target) =>
  (
    _hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | Array<LookupAddress>, family?: number) => void
  ): void => {
    if (options.all === true) callback(null, [{ address: target.address, family: target.family }])
    else callback(null, target.address, target.family)
  }
