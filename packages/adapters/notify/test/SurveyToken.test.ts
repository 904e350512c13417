import { describe, expect, it } from "@effect/vitest"
import { Signature } from "@tessera/email"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import * as SurveyToken from "../src/SurveyToken.js"

const keyOf = (label: string) => Effect.runSync(Signature.keys([`${label}-0123456789abcdef0123456789abcdef`]))
const old = keyOf("2025")
const rotated = Effect.runSync(
  Signature.keys(["2026-0123456789abcdef0123456789abcdef", "2025-0123456789abcdef0123456789abcdef"])
)
const onlyNew = keyOf("2026")
const claims = { workspaceId: "acme", ticketId: "tkt_69369", recipient: "con_jane" }
const start = Date.parse("2025-05-02T08:00:00Z")

describe("survey tokens", () => {
  it.effect("a token made now verifies until its expiry, then is expired, with its ticket", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const token = yield* SurveyToken.make(rotated, claims, "7 days")
      expect(token).toMatch(/^s1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
      const expiresAt = start + Duration.toMillis(Duration.days(7))
      expect(yield* SurveyToken.verify(rotated, token)).toEqual({ ...claims, expiresAt })
      yield* TestClock.setTime(expiresAt - 1)
      expect((yield* SurveyToken.verify(rotated, token)).ticketId).toBe("tkt_69369")
      yield* TestClock.setTime(expiresAt)
      const expired = yield* Effect.flip(SurveyToken.verify(rotated, token))
      expect(expired).toBeInstanceOf(SurveyToken.SurveyTokenExpired)
      expect(expired).toMatchObject({ ticketId: "tkt_69369", expiresAt })
      expect(expired.message).toContain("2025-05-09T08:00:00.000Z")
    })
  )

  // #17: a retried survey mail must carry the link of its first attempt.
  it.effect("a token issued at a given time is the same whenever it is made, and counts its validity from then", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start + 5 * 3600_000)
      const first = yield* SurveyToken.make(rotated, { ...claims, issuedAt: start }, "7 days")
      yield* TestClock.setTime(start + 50 * 3600_000)
      const again = yield* SurveyToken.make(rotated, { ...claims, issuedAt: start }, "7 days")
      expect(again).toBe(first)
      expect((yield* SurveyToken.verify(rotated, again)).expiresAt).toBe(start + Duration.toMillis(Duration.days(7)))
      const refused = yield* Effect.flip(SurveyToken.make(rotated, { ...claims, issuedAt: Number.NaN }))
      expect(refused._tag).toBe("InvalidSurveyInput")
    })
  )

  it.effect("keys rotate as for reply addresses: the first signs, every accepted key verifies", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const before = yield* SurveyToken.make(old, claims)
      const after = yield* SurveyToken.make(rotated, claims)
      expect((yield* SurveyToken.verify(rotated, before)).recipient).toBe("con_jane")
      expect((yield* SurveyToken.verify(onlyNew, after)).recipient).toBe("con_jane")
      // Once the old key is retired, its links stop working.
      expect(yield* Effect.flip(SurveyToken.verify(onlyNew, before))).toBeInstanceOf(
        SurveyToken.SurveyTokenBadSignature
      )
      // The default validity is 30 days.
      expect((yield* SurveyToken.verify(rotated, after)).expiresAt).toBe(start + 30 * 24 * 3600 * 1000)
    })
  )

  it.effect("an altered token fails: another recipient, ticket or expiry in the body breaks the signature", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const token = yield* SurveyToken.make(rotated, claims)
      const [, , mac] = token.split(".")
      const signed = yield* SurveyToken.verify(rotated, token)
      for (const forged of [
        { ...signed, recipient: "con_mallory" },
        { ...signed, ticketId: "tkt_1" },
        { ...signed, expiresAt: start + 10 * 365 * 24 * 3600 * 1000 }
      ]) {
        const body = Buffer.from(JSON.stringify(forged)).toString("base64url")
        const error = yield* Effect.flip(SurveyToken.verify(rotated, `s1.${body}.${mac}`))
        expect(error._tag).toBe("SurveyTokenBadSignature")
      }
    })
  )

  it.effect("property: changing any one character of a token makes it fail", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const token = yield* SurveyToken.make(rotated, claims)
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
      const samples = fc.sample(fc.tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet)), {
        numRuns: 300,
        seed: 17
      })
      let changed = 0
      for (const [at, c] of samples) {
        if (token[at] === c) continue
        changed++
        const outcome = yield* Effect.result(
          SurveyToken.verify(rotated, `${token.slice(0, at)}${c}${token.slice(at + 1)}`)
        )
        expect(outcome._tag).toBe("Failure")
      }
      expect(changed).toBeGreaterThan(250)
    })
  )

  it.effect("property: garbage is refused as malformed or badly signed, never thrown", () =>
    Effect.gen(function* () {
      const inputs = fc.sample(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.stringMatching(/^s1\.[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{43}$/),
          fc.constant(Signature.token(rotated, "acme", 69369))
        ),
        { numRuns: 300, seed: 17 }
      )
      const tags = new Set<string>()
      for (const input of inputs) {
        const error = yield* Effect.flip(SurveyToken.verify(rotated, input))
        tags.add(error._tag)
      }
      expect([...tags].sort()).toEqual(["SurveyTokenBadSignature", "SurveyTokenMalformed"])
      const long = yield* Effect.flip(SurveyToken.verify(rotated, `s1.${"a".repeat(5000)}.${"b".repeat(43)}`))
      expect(long).toMatchObject({ _tag: "SurveyTokenMalformed", reason: "longer than 2048 characters" })
    })
  )

  it.effect("make refuses empty ids and validities that are not positive and finite", () =>
    Effect.gen(function* () {
      for (const [input, validity] of [
        [{ ...claims, ticketId: "" }, "1 day"],
        [{ ...claims, recipient: "x".repeat(321) }, "1 day"],
        [claims, 0],
        [claims, "Infinity"],
        [claims, -5]
      ] as const) {
        const error = yield* Effect.flip(SurveyToken.make(rotated, input, validity))
        expect(error._tag).toBe("InvalidSurveyInput")
      }
    })
  )

  it.effect("surveyUrl puts the token in the query of an http(s) page, keeping what is there", () =>
    Effect.gen(function* () {
      const token = "s1.abc.def"
      expect(yield* SurveyToken.surveyUrl("https://help.acme.test/survey?lang=fr#top", token)).toBe(
        "https://help.acme.test/survey?lang=fr&token=s1.abc.def#top"
      )
      for (const bad of ["javascript:alert(1)", "/survey", "", "ftp://acme.test/"]) {
        expect((yield* Effect.flip(SurveyToken.surveyUrl(bad, token)))._tag).toBe("InvalidSurveyInput")
      }
    })
  )
})
