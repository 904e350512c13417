import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { fc, test } from "@fast-check/vitest"
import { IntakeGuard, MemoryIntakeGuard } from "@tessera/core"
import { Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import * as WebhookReplay from "../src/WebhookReplay.js"
import * as WebhookSignature from "../src/WebhookSignature.js"
import * as WebhookVerify from "../src/WebhookVerify.js"

const secretA = "whsec-a-0123456789abcdef0123456789abcdef"
const secretB = "whsec-b-0123456789abcdef0123456789abcdef"
const keysOf = (list: ReadonlyArray<string>) => Effect.runSync(WebhookSignature.secrets(list))
const t0 = 1_796_000_000
const body = JSON.stringify({ type: "notification", id: "notification:tk_1:2:webhook:crm", ticket: { publicId: 1001 } })
const delivery = "notification:tk_1:2:webhook:crm"

/** A request as a node receiver sees it: lower-case header names, the raw body. */
const signed = (
  secrets: ReadonlyArray<string>,
  options: { timestamp?: number; body?: string; delivery?: string } = {}
) => {
  const headers = WebhookSignature.sign(keysOf(secrets), {
    timestamp: options.timestamp ?? t0,
    delivery: options.delivery ?? delivery,
    body: options.body ?? body
  })
  return {
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(options.body ?? body)
  }
}

const at = (seconds: number) => TestClock.setTime(seconds * 1000)

describe("WebhookSignature", () => {
  it("signs HMAC-SHA256 over the version, timestamp and delivery key lines, then the exact body bytes", () => {
    const headers = WebhookSignature.sign(keysOf([secretA]), { timestamp: t0, delivery, body })
    const expected = createHmac("sha256", secretA).update(`tessera-v1\n${t0}\n${delivery}\n${body}`).digest("hex")
    expect(headers).toEqual({ "Tessera-Signature": `t=${t0},v1=${expected}`, "Tessera-Delivery": delivery })
    const content = WebhookSignature.signedContent(t0, delivery, Buffer.from(body))
    expect(createHmac("sha256", secretA).update(content).digest("hex")).toBe(expected)
  })

  it("refuses missing or short secrets", () => {
    for (const list of [[], ["short"], [secretA, "0123456789"]]) {
      expect(Result.isFailure(WebhookSignature.secretsResult(list))).toBe(true)
    }
    expect(Result.isFailure(WebhookSignature.secretsResult("nope" as never))).toBe(true)
  })

  it.each([
    ["", '"" is not key=value'],
    ["t=1", "no v1 signature"],
    [`v1=${"a".repeat(64)}`, "no t"],
    [`t=abc,v1=${"a".repeat(64)}`, "t is not a number of seconds"],
    [`t=1,t=2,v1=${"a".repeat(64)}`, "t given twice"],
    ["t=1,v1=zz", "v1 is not 64 lower-case hex digits"],
    [`t=1,v1=${"A".repeat(64)}`, "v1 is not 64 lower-case hex digits"],
    ["t=1;v1=x", "t is not a number of seconds"],
    ["t=1,v1", '"v1" is not key=value']
  ])("reads %j as malformed: %s", (value, reason) => {
    expect(WebhookSignature.parseHeader(value)).toEqual(Result.fail(reason))
  })

  it("skips unknown schemes and keeps every v1", () => {
    const parsed = WebhookSignature.parseHeader(`t=5, v2=xyz, v1=${"a".repeat(64)},v1=${"b".repeat(64)}`)
    expect(parsed).toEqual(Result.succeed({ timestamp: 5, signatures: ["a".repeat(64), "b".repeat(64)] }))
  })

  test.prop([fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 299 }), fc.integer({ min: 1, max: 255 })])(
    "a signature verifies its body and no body that differs in a single byte",
    (bytes, index, flip) => {
      const keys = keysOf([secretA])
      const headers = WebhookSignature.sign(keys, { timestamp: t0, delivery, body: bytes })
      const parsed = WebhookSignature.parseHeader(headers["Tessera-Signature"] ?? "")
      if (Result.isFailure(parsed)) throw new Error(parsed.failure)
      expect(WebhookSignature.matching(keys.accepted, parsed.success, delivery, bytes)).toBeDefined()
      fc.pre(bytes.length > 0)
      const tampered = Uint8Array.from(bytes)
      const i = index % bytes.length
      tampered[i] = ((tampered[i] ?? 0) ^ flip) & 255
      expect(WebhookSignature.matching(keys.accepted, parsed.success, delivery, tampered)).toBeUndefined()
      expect(
        WebhookSignature.matching(keys.accepted, { ...parsed.success, timestamp: t0 + 1 }, delivery, bytes)
      ).toBeUndefined()
      expect(WebhookSignature.matching(keys.accepted, parsed.success, `${delivery}x`, bytes)).toBeUndefined()
    }
  )
})

describe("WebhookVerify", () => {
  it.effect("accepts a signed request and gives its delivery key, timestamp and JSON", () =>
    Effect.gen(function* () {
      yield* at(t0 + 10)
      const verifier = yield* WebhookVerify.make({ secrets: [secretA] })
      const verified = yield* verifier.verify(signed([secretA]))
      expect(verified).toEqual({ delivery, timestamp: t0, body, payload: JSON.parse(body) })
    })
  )

  it.effect("refuses a tampered body, timestamp or delivery key, and a secret it does not hold", () =>
    Effect.gen(function* () {
      yield* at(t0)
      const verifier = yield* WebhookVerify.make({ secrets: [secretA] })
      const good = signed([secretA])
      const refusals = [
        { ...good, body: Buffer.from(body.replace("1001", "1002")) },
        {
          ...good,
          headers: {
            ...good.headers,
            "tessera-signature": good.headers["tessera-signature"]?.replace(`t=${t0}`, `t=${t0 + 1}`)
          }
        },
        { ...good, headers: { ...good.headers, "tessera-delivery": "notification:tk_1:3:webhook:crm" } },
        signed([secretB])
      ]
      for (const request of refusals) {
        expect(yield* Effect.flip(verifier.verify(request))).toMatchObject({ _tag: "BadSignature" })
      }
      // None of them was remembered: the genuine request still goes through once.
      expect((yield* verifier.verify(good)).delivery).toBe(delivery)
    })
  )

  it.effect("names what is missing or malformed", () =>
    Effect.gen(function* () {
      yield* at(t0)
      const verifier = yield* WebhookVerify.make({ secrets: [secretA] })
      const good = signed([secretA])
      const errorOf = (request: WebhookVerify.Request) => Effect.flip(verifier.verify(request))
      expect(yield* errorOf({ headers: {}, body })).toMatchObject({
        _tag: "MissingHeader",
        header: "Tessera-Signature"
      })
      expect(
        yield* errorOf({ headers: { "tessera-signature": good.headers["tessera-signature"] }, body })
      ).toMatchObject({
        _tag: "MissingHeader",
        header: "Tessera-Delivery"
      })
      expect(yield* errorOf({ headers: { ...good.headers, "tessera-signature": "v1=00" }, body })).toMatchObject({
        _tag: "Malformed",
        what: "Tessera-Signature"
      })
      expect(yield* errorOf({ headers: { ...good.headers, "tessera-delivery": ["a", "b"] }, body })).toMatchObject({
        _tag: "MissingHeader"
      })
      expect(yield* errorOf({ headers: good.headers, body: JSON.parse(body) })).toMatchObject({
        _tag: "Malformed",
        what: "body"
      })
      const notJson = signed([secretA], { body: "not json" })
      expect(yield* errorOf(notJson)).toMatchObject({ _tag: "Malformed", what: "body" })
      expect(yield* errorOf(null as never)).toMatchObject({ _tag: "MissingHeader" })
      // A fetch-style Headers object works as well as node's record.
      const fetchHeaders = new Headers(good.headers)
      expect((yield* verifier.verify({ headers: fetchHeaders, body: good.body })).timestamp).toBe(t0)
    })
  )

  it.effect("tolerates five minutes either way by default, and refuses beyond as too old or too new", () =>
    Effect.gen(function* () {
      const verifier = yield* WebhookVerify.make({ secrets: [secretA] })
      const request = (timestamp: number) => signed([secretA], { timestamp })
      yield* at(t0)
      expect((yield* verifier.verify(request(t0 - 300))).timestamp).toBe(t0 - 300)
      expect((yield* verifier.verify(request(t0 + 300))).timestamp).toBe(t0 + 300)
      expect(yield* Effect.flip(verifier.verify(request(t0 - 301)))).toMatchObject({
        _tag: "TooOld",
        timestamp: t0 - 301,
        now: t0,
        toleranceSeconds: 300
      })
      expect(yield* Effect.flip(verifier.verify(request(t0 + 301)))).toMatchObject({ _tag: "TooNew" })
      const strict = yield* WebhookVerify.make({ secrets: [secretA], toleranceSeconds: 30 })
      expect(yield* Effect.flip(strict.verify(request(t0 - 31)))).toMatchObject({
        _tag: "TooOld",
        toleranceSeconds: 30
      })
    })
  )

  it.effect("refuses a replay within the tolerance, and after it refuses the copy as too old", () =>
    Effect.gen(function* () {
      yield* at(t0)
      const verifier = yield* WebhookVerify.make({ secrets: [secretA] })
      const request = signed([secretA])
      yield* verifier.verify(request)
      expect(yield* Effect.flip(verifier.verify(request))).toMatchObject({ _tag: "Replayed", delivery })
      yield* at(t0 + 299)
      expect(yield* Effect.flip(verifier.verify(request))).toMatchObject({ _tag: "Replayed" })
      yield* at(t0 + 301)
      expect(yield* Effect.flip(verifier.verify(request))).toMatchObject({ _tag: "TooOld" })
      // The sender's retry of the same delivery is signed anew: accepted, with the same key.
      const retry = signed([secretA], { timestamp: t0 + 301 })
      expect((yield* verifier.verify(retry)).delivery).toBe(delivery)
    })
  )

  it.effect("rotation: the receiver holding the new and the old secret accepts both senders", () =>
    Effect.gen(function* () {
      yield* at(t0)
      const during = yield* WebhookVerify.make({ secrets: [secretB, secretA] })
      expect((yield* during.verify(signed([secretA]))).delivery).toBe(delivery)
      expect((yield* during.verify(signed([secretB, secretA], { body: "{}" }))).body).toBe("{}")
      const after = yield* WebhookVerify.make({ secrets: [secretB] })
      expect(yield* Effect.flip(after.verify(signed([secretA], { body: "[]" })))).toMatchObject({
        _tag: "BadSignature"
      })
    })
  )

  it.effect("receivers sharing an IntakeGuard refuse a request replayed to another one", () =>
    Effect.gen(function* () {
      yield* at(t0)
      const guard = yield* IntakeGuard.IntakeGuard
      const first = yield* WebhookVerify.make({ secrets: [secretA], seen: WebhookReplay.fromIntakeGuard(guard) })
      const second = yield* WebhookVerify.make({ secrets: [secretA], seen: WebhookReplay.fromIntakeGuard(guard) })
      const request = signed([secretA])
      yield* first.verify(request)
      expect(yield* Effect.flip(second.verify(request))).toMatchObject({ _tag: "Replayed" })
      // Each has its own memory otherwise.
      const alone = yield* WebhookVerify.make({ secrets: [secretA] })
      expect((yield* alone.verify(request)).delivery).toBe(delivery)
    }).pipe(Effect.provide(MemoryIntakeGuard.layer))
  )

  it.effect("the in-memory seen-set stays within its size and forgets expired keys first", () =>
    Effect.gen(function* () {
      const seen = WebhookReplay.memory({ maxEntries: 3 })
      expect(yield* seen.remember("a", 1000)).toBe(true)
      expect(yield* seen.remember("a", 1000)).toBe(false)
      yield* seen.remember("b", 1000)
      yield* seen.remember("c", 1000)
      yield* seen.remember("d", 1000) // full: "a", the oldest, goes
      expect(yield* seen.remember("b", 1000)).toBe(false)
      expect(yield* seen.remember("a", 1000)).toBe(true)
      yield* TestClock.adjust(1001)
      expect(yield* seen.remember("c", 1000)).toBe(true)
    })
  )

  it("refuses a configuration it cannot use", () => {
    expect(() => WebhookVerify.createVerifier({ secrets: ["short"] })).toThrow(
      expect.objectContaining({ _tag: "InvalidSecrets" })
    )
    expect(() => WebhookVerify.createVerifier({ secrets: [secretA], toleranceSeconds: 0 })).toThrow(
      expect.objectContaining({ _tag: "Malformed", what: "toleranceSeconds" })
    )
  })
})

describe("WebhookVerify.createVerifier (no Effect)", () => {
  it("resolves verified requests and rejects with the tagged errors, on the clock it is given", async () => {
    let now = t0 * 1000
    const verifier = WebhookVerify.createVerifier({ secrets: [secretA], now: () => now })
    const request = signed([secretA])
    await expect(verifier.verify(request)).resolves.toMatchObject({ delivery, timestamp: t0 })
    await expect(verifier.verify(request)).rejects.toMatchObject({ _tag: "Replayed" })
    await expect(verifier.verify(signed([secretB]))).rejects.toBeInstanceOf(WebhookVerify.BadSignature)
    now = (t0 + 600) * 1000
    await expect(verifier.verify(signed([secretA], { body: "{}" }))).rejects.toMatchObject({
      _tag: "TooOld",
      now: t0 + 600
    })
  })

  it("takes a seen-set that answers with promises", async () => {
    const keys = new Map<string, number>()
    const verifier = WebhookVerify.createVerifier({
      secrets: [secretA],
      now: () => t0 * 1000,
      seen: {
        remember: async (key, ttlMillis) => {
          if (keys.has(key)) return false
          keys.set(key, ttlMillis)
          return true
        }
      }
    })
    await verifier.verify(signed([secretA]))
    await expect(verifier.verify(signed([secretA]))).rejects.toMatchObject({ _tag: "Replayed" })
    // Kept until the timestamp leaves the tolerance.
    expect([...keys.values()]).toEqual([301_000])
  })
})
