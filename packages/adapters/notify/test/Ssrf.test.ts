import { BlockList } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit } from "effect"
import * as Ssrf from "../src/Ssrf.js"

const allow = (entries: ReadonlyArray<string>) => Effect.runSync(Ssrf.allowList(entries))

/** Checks a URL with a resolver that must not be asked (IP literals and refused names). */
const checkLiteral = (url: string, allowed: ReadonlyArray<string> = []) =>
  Effect.runSync(
    Effect.exit(
      Ssrf.check(url, {
        allow: allow(allowed),
        resolver: (name) => Effect.fail(`the resolver was asked for ${name}`)
      })
    )
  )

const refusal = (url: string, allowed: ReadonlyArray<string> = []): string | undefined => {
  const exit = checkLiteral(url, allowed)
  if (Exit.isSuccess(exit)) return undefined
  const error = exit.cause.reasons[0]
  return error !== undefined && "error" in error ? (error.error as Ssrf.TargetRefused).reason : "defect"
}

const v4 = (text: string) => {
  const address = Ssrf.parseAddress(text)
  if (address === undefined || address.family !== 4) throw new Error(`not IPv4: ${text}`)
  return address.value
}
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".")

describe("Ssrf.check", () => {
  // Each line: a URL a server-side request forgery would use, and the kind the guard names.
  const refused: ReadonlyArray<readonly [string, string]> = [
    ["http://127.0.0.1/", "loopback"],
    ["http://127.0.0.1./", "loopback"],
    ["http://127.1/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://0x7f000001/", "loopback"],
    ["http://017700000001/", "loopback"],
    ["http://0177.0.0.1/", "loopback"],
    ["http://0x7f.1/", "loopback"],
    ["http://127.000.000.001/", "loopback"],
    ["http://%31%32%37.0.0.1/", "loopback"],
    ["http://\u2460\u2461\u2466.0.0.1/", "loopback"],
    ["http://[::1]/", "loopback"],
    ["http://[0:0:0:0:0:0:0:1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[0:0:0:0:0:ffff:7f00:1]/", "loopback"],
    ["http://[::127.0.0.1]/", "loopback"],
    ["http://[64:ff9b::7f00:1]/", "loopback"],
    ["http://[2002:7f00:1::]/", "loopback"],
    ["http://10.1.2.3/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://172.31.255.255/", "private"],
    ["http://192.168.1.1:8080/", "private"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://[::ffff:c0a8:101]/", "private"],
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["http://[::ffff:a9fe:a9fe]/", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[febf::1]/", "link-local"],
    ["http://[fc00::1]/", "unique-local"],
    ["http://[fd12:3456::1]/", "unique-local"],
    ["http://100.64.0.1/", "shared"],
    ["http://100.127.255.254/", "shared"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://0/", "unspecified"],
    ["http://0.1.2.3/", "unspecified"],
    ["http://[::]/", "unspecified"],
    ["http://224.0.0.1/", "multicast"],
    ["http://239.255.255.250/", "multicast"],
    ["http://[ff02::1]/", "multicast"],
    ["http://255.255.255.255/", "broadcast"],
    ["http://240.0.0.1/", "reserved"],
    ["http://192.0.2.1/", "documentation"],
    ["http://[2001:db8::1]/", "documentation"],
    ["http://[100::1]/", "reserved"],
    ["http://[4000::1]/", "reserved"]
  ]

  it.each(refused)("refuses %s (%s)", (url, kind) => {
    expect(refusal(url)).toMatch(new RegExp(`is ${kind}$`))
  })

  it.each([
    ["http://localhost/", "localhost"],
    ["http://LOCALHOST:8080/", "localhost"],
    ["http://localhost./", "localhost"],
    ["http://api.localhost/", "localhost"],
    ["file:///etc/passwd", "scheme file: is not http or https"],
    ["ftp://example.com/", "scheme ftp: is not http or https"],
    ["gopher://127.0.0.1:6379/_INFO", "scheme gopher: is not http or https"],
    ["javascript:alert(1)", "scheme javascript: is not http or https"],
    ["http://[fe80::1%25eth0]/", "not a URL"],
    ["http://256.0.0.1/", "not a URL"],
    ["not a url", "not a URL"]
  ])("refuses %s without asking DNS (%s)", (url, reason) => {
    expect(refusal(url)).toBe(reason)
  })

  it("public addresses pass and are the address to connect to", () => {
    for (const [url, address] of [
      ["https://93.184.216.34/hook", "93.184.216.34"],
      ["http://8.8.8.8:8080/", "8.8.8.8"],
      ["http://[2606:4700::1111]/", "2606:4700::1111"],
      ["http://[::ffff:8.8.8.8]/", "::ffff:808:808"],
      ["http://134744072/", "8.8.8.8"]
    ] as const) {
      const exit = checkLiteral(url)
      expect(Exit.isSuccess(exit) && exit.value.address).toBe(address)
    }
  })

  it("an allow-list entry lets exactly its targets through (tests allow 127.0.0.1 explicitly)", () => {
    expect(refusal("http://127.0.0.1:4000/hook", ["127.0.0.1"])).toBeUndefined()
    // The same address spelled otherwise is still that address.
    expect(refusal("http://2130706433:4000/", ["127.0.0.1"])).toBeUndefined()
    expect(refusal("http://127.0.0.2/", ["127.0.0.1"])).toBe("127.0.0.2 is loopback")
    expect(refusal("http://[::1]/", ["127.0.0.1"])).toBe("::1 is loopback")
    // An IPv4 entry does not cover IPv6 forms of it: allow them by name when wanted.
    expect(refusal("http://[::ffff:127.0.0.1]/", ["127.0.0.1"])).toBe("::ffff:7f00:1 is loopback")
    expect(refusal("http://10.20.30.40/", ["10.0.0.0/8"])).toBeUndefined()
    expect(refusal("http://10.20.30.40/", ["10.20.0.0/24"])).toBe("10.20.30.40 is private")
    expect(refusal("http://[fd00::5]/", ["fd00::/8"])).toBeUndefined()
    // localhost is refused by name unless the name itself is allowed.
    expect(refusal("http://localhost/", ["127.0.0.1"])).toBe("localhost")
  })

  it("refuses an allow-list entry that is no host, address or range", () => {
    for (const entry of ["10.0.0.0/33", "::1/129", "http://x", "a b", "", "1.2.3.4/x"]) {
      const exit = Effect.runSync(Effect.exit(Ssrf.allowList([entry])))
      expect(Exit.isFailure(exit), entry).toBe(true)
    }
  })

  it.effect("resolves a name once and refuses it when any address it has is not public", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const resolver =
        (answers: ReadonlyArray<string>): Ssrf.Resolver =>
        (name) => {
          asked.push(name)
          return Effect.succeed(answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })))
        }
      const ok = yield* Ssrf.check("https://hooks.example.com./x", { resolver: resolver(["93.184.216.34"]) })
      expect([ok.address, ok.family, ok.url.hostname]).toEqual(["93.184.216.34", 4, "hooks.example.com."])
      expect(asked).toEqual(["hooks.example.com"])
      const mixed = yield* Effect.flip(
        Ssrf.check("https://hooks.example.com/", { resolver: resolver(["93.184.216.34", "10.0.0.7"]) })
      )
      expect(mixed).toMatchObject({ _tag: "TargetRefused", reason: "10.0.0.7 is private" })
      const mapped = yield* Effect.flip(
        Ssrf.check("https://rebind.example/", { resolver: resolver(["::ffff:169.254.169.254"]) })
      )
      expect(mapped).toMatchObject({ _tag: "TargetRefused", reason: "::ffff:169.254.169.254 is link-local" })
      // A host allowed by name may resolve anywhere.
      const named = yield* Ssrf.check("http://hooks.internal:9000/", {
        resolver: resolver(["10.1.2.3"]),
        allow: allow(["Hooks.Internal."])
      })
      expect(named.address).toBe("10.1.2.3")
      const unresolved = yield* Effect.flip(
        Ssrf.check("http://nowhere.example/", { resolver: () => Effect.fail("ENOTFOUND") })
      )
      expect(unresolved).toMatchObject({ _tag: "TargetUnresolved", retryable: true })
      const empty = yield* Effect.flip(Ssrf.check("http://nowhere.example/", { resolver: resolver([]) }))
      expect(empty._tag).toBe("TargetUnresolved")
    })
  )
})

describe("Ssrf addresses", () => {
  // Every special IPv4 range, with a kind the guard must give any address in it.
  const specialV4: ReadonlyArray<readonly [string, number, string]> = [
    ["0.0.0.0", 8, "unspecified"],
    ["10.0.0.0", 8, "private"],
    ["100.64.0.0", 10, "shared"],
    ["127.0.0.0", 8, "loopback"],
    ["169.254.0.0", 16, "link-local"],
    ["172.16.0.0", 12, "private"],
    ["192.168.0.0", 16, "private"],
    ["224.0.0.0", 4, "multicast"]
  ]
  const inRange = ([base, prefix]: readonly [string, number, string]) =>
    fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((offset) => v4(base) + offset)

  /** The ways a URL can spell one IPv4 address. */
  const spellings = (n: number): ReadonlyArray<string> => {
    const [a, b, c, d] = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
    const hi = ((n >>> 16) & 0xffff).toString(16)
    const lo = (n & 0xffff).toString(16)
    return [
      dotted(n),
      `${dotted(n)}.`,
      String(n),
      `0x${n.toString(16)}`,
      `0${n.toString(8)}`,
      [a, b, c, d].map((x) => `0${x.toString(8)}`).join("."),
      [a, b, c, d].map((x) => `0x${x.toString(16)}`).join("."),
      `${a}.${(n & 0xffffff) >>> 0}`,
      `${a}.${b}.${(n & 0xffff) >>> 0}`,
      `[::ffff:${dotted(n)}]`,
      `[::ffff:${hi}:${lo}]`,
      `[0:0:0:0:0:ffff:${hi}:${lo}]`,
      `[64:ff9b::${hi}:${lo}]`,
      `[2002:${hi}:${lo}::1]`
    ]
  }

  test.prop([fc.constantFrom(...specialV4).chain((r) => fc.tuple(fc.constant(r[2]), inRange(r)))], { numRuns: 200 })(
    "every spelling of a private, loopback, link-local, shared or multicast IPv4 address is refused as what it is",
    ([kind, n]) => {
      for (const spelling of spellings(n)) {
        expect(refusal(`http://${spelling}:8080/x`), spelling).toMatch(new RegExp(`is ${kind}$`))
      }
    }
  )

  // The oracle: node's own BlockList, fed the special ranges independently of the module (one
  // list per family: BlockList matches IPv4 addresses against IPv6 rules through ::ffff:0:0/96).
  const oracle = new BlockList()
  const oracle6 = new BlockList()
  for (const [base, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.88.99.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4]
  ] as const) {
    oracle.addSubnet(base, prefix, "ipv4")
  }
  for (const [base, prefix] of [
    ["::", 8],
    ["100::", 64],
    ["2001::", 23],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8],
    ["64:ff9b:1::", 48]
  ] as const) {
    oracle6.addSubnet(base, prefix, "ipv6")
  }
  const outsideGlobal = (groups: ReadonlyArray<number>) => ((groups[0] ?? 0) & 0xe000) !== 0x2000

  // Random addresses and addresses drawn near the special ranges, so both answers occur often.
  const nearSpecial = fc
    .tuple(
      fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255),
      fc.integer({ min: 0, max: 2 ** 24 - 1 })
    )
    .map(([a, rest]) => a * 2 ** 24 + rest)

  it("an IPv4 address is public exactly when node's BlockList of the special ranges does not hold it", () => {
    const seen = { public: 0, refused: 0 }
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), nearSpecial), (n) => {
        const open = Ssrf.classify({ family: 4, value: n }) === "public"
        seen[open ? "public" : "refused"]++
        expect(open, dotted(n)).toBe(!oracle.check(dotted(n), "ipv4"))
      }),
      { numRuns: 3000 }
    )
    expect(seen.public).toBeGreaterThan(300)
    expect(seen.refused).toBeGreaterThan(300)
  })

  const v6Groups = fc
    .tuple(
      fc.constantFrom(
        0x0000,
        0x0064,
        0x0100,
        0x2001,
        0x2002,
        0x2606,
        0x3fff,
        0x4000,
        0xfc00,
        0xfd12,
        0xfe80,
        0xfec0,
        0xff02
      ),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 7, maxLength: 7 })
    )
    .map(([first, rest]) => [first, ...rest])

  it("an IPv6 address not embedding IPv4 is public exactly when it is global unicast and BlockList does not hold it", () => {
    const seen = { public: 0, refused: 0 }
    fc.assert(
      fc.property(v6Groups, (groups) => {
        const embeds = groups[0] === 0x2002 || (groups[0] === 0x64 && groups[1] === 0xff9b) || groups[0] === 0
        if (embeds) return
        const text = groups.map((g) => g.toString(16)).join(":")
        const address = Ssrf.parseAddress(text)
        if (address === undefined || address.family !== 6) throw new Error(`unparsed ${text}`)
        const open = Ssrf.classify(address) === "public"
        seen[open ? "public" : "refused"]++
        expect(open, text).toBe(!outsideGlobal(groups) && !oracle6.check(text, "ipv6"))
      }),
      { numRuns: 3000 }
    )
    expect(seen.public).toBeGreaterThan(300)
    expect(seen.refused).toBeGreaterThan(300)
  })

  test.prop([
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
    fc.integer({ min: 0, max: 2 })
  ])("an IPv6 address parses and prints as the WHATWG URL parser writes it, whatever the spelling", (groups, style) => {
    const full = groups.map((g) => g.toString(16).padStart(style === 1 ? 4 : 1, "0")).join(":")
    const text =
      style === 2 ? Ssrf.formatAddress({ family: 6, value: groups.reduce((a, g) => (a << 16n) | BigInt(g), 0n) }) : full
    const parsed = Ssrf.parseAddress(text)
    expect(parsed === undefined ? undefined : Ssrf.formatAddress(parsed)).toBe(
      new URL(`http://[${full}]/`).hostname.slice(1, -1)
    )
  })

  it("reads and refuses address spellings strictly", () => {
    expect(Ssrf.parseAddress("::ffff:1.2.3.4")).toEqual({ family: 6, value: 0xffff01020304n })
    expect(Ssrf.parseAddress("[::1]")).toEqual({ family: 6, value: 1n })
    expect(Ssrf.parseAddress("fe80::1%eth0")).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n })
    for (const bad of [
      "1.2.3",
      "01.2.3.4",
      "1.2.3.256",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      ":1:2",
      "12345::",
      "::ffff:1.2.3",
      "g::1",
      ""
    ]) {
      expect(Ssrf.parseAddress(bad), bad).toBeUndefined()
    }
    expect(Ssrf.parseCidr("10.0.0.0/8")).toEqual({ address: { family: 4, value: 0x0a000000 }, prefix: 8 })
    const everything = Ssrf.parseCidr("0.0.0.0/0")
    const everything6 = Ssrf.parseCidr("::/0")
    if (everything === undefined || everything6 === undefined) throw new Error("/0 ranges must parse")
    expect(Ssrf.contains(everything, { family: 4, value: 0xffffffff })).toBe(true)
    expect(Ssrf.contains(everything6, { family: 4, value: 1 })).toBe(false)
  })
})
