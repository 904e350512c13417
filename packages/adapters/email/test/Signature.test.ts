import { describe, expect, it } from "@effect/vitest"
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Option } from "effect"
import * as Signature from "../src/Signature.js"
import { keys, oldKeyOnly, workspaceId } from "./support/mail.js"

const verifies = (k: Signature.Keys, ws: string, text: string) => {
  const parsed = Signature.parse(text)
  return Option.isSome(parsed) && Signature.verify(k, ws, parsed.value)
}

describe("Signature", () => {
  it("a token names its ticket and verifies in its workspace only", () => {
    const token = Signature.token(keys, workspaceId, 69369)
    expect(token).toMatch(/^t69369\.[a-z2-7]{16}$/)
    expect(verifies(keys, workspaceId, token)).toBe(true)
    expect(verifies(keys, "globex", token)).toBe(false)
    expect(verifies(keys, workspaceId, token.replace("t69369", "t69370"))).toBe(false)
    expect(verifies(keys, workspaceId, "t69369")).toBe(false)
  })

  it("reply addresses and Message-IDs carry the token where intake reads it", () => {
    const address = Signature.replyAddress(keys, { workspaceId, publicId: 69369, mailbox: "support@acme.test" })
    expect(address).toMatch(/^support\+t69369\.[a-z2-7]{16}@acme\.test$/)
    const plus = address.slice(address.indexOf("+") + 1, address.indexOf("@"))
    expect(verifies(keys, workspaceId, plus)).toBe(true)
    const id = Signature.messageId(keys, { workspaceId, publicId: 69369, unique: "out/1 x", domain: "mail.acme.test" })
    expect(id).toMatch(/^t69369\.[a-z2-7]{16}\.out_1_x@mail\.acme\.test$/)
    expect(verifies(keys, workspaceId, id)).toBe(true)
    // Some mail systems fold the case of what they pass on.
    expect(verifies(keys, workspaceId, id.toUpperCase())).toBe(true)
  })

  it("after a rotation, tokens of the old key still verify while it is accepted, and not after", () => {
    const old = Signature.token(oldKeyOnly, workspaceId, 42)
    expect(verifies(keys, workspaceId, old)).toBe(true)
    const retired = Effect.runSync(Signature.keys(["current-2026-key-0123456789abcdef"]))
    expect(verifies(retired, workspaceId, old)).toBe(false)
    expect(Signature.token(keys, workspaceId, 42)).not.toBe(old)
  })

  it("refuses no keys and short keys", () => {
    expect(Exit.isFailure(Effect.runSyncExit(Signature.keys([])))).toBe(true)
    const short = Effect.runSyncExit(Signature.keys(["x".repeat(40), "too short"]))
    expect(short).toMatchObject({ _tag: "Failure" })
    expect(String(Exit.isFailure(short) ? short.cause : "")).toContain("key 1 is shorter than 32 bytes")
  })

  it("parses only what looks like a token", () => {
    expect(Signature.parse("t69369.abc")).toEqual(Option.some({ publicId: 69369, mac: "abc" }))
    expect(Signature.parse("t69369")).toEqual(Option.some({ publicId: 69369, mac: undefined }))
    for (const text of ["x69369", "t0", "t", "69369", "t1234567890123456789", "t12abc", ""])
      expect(Signature.parse(text)).toEqual(Option.none())
  })

  test.prop([
    fc.integer({ min: 1, max: 999_999_999 }),
    fc.nat(15),
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567")
  ])("changing any character of a MAC makes the token fail", (publicId, at, char) => {
    const token = Signature.token(keys, workspaceId, publicId)
    const start = token.indexOf(".") + 1
    const tampered = token.slice(0, start + at) + char + token.slice(start + at + 1)
    expect(verifies(keys, workspaceId, tampered)).toBe(tampered === token)
  })

  test.prop([fc.string({ maxLength: 40 })])("a random string verifies for no ticket", (text) => {
    expect(verifies(keys, workspaceId, text)).toBe(false)
  })
})
