import { describe, expect, it } from "@effect/vitest"
import { MemoryIntakeGuard } from "@tessera/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as LoopGuard from "../src/LoopGuard.js"
import { mail, own } from "./support/mail.js"

const caps: LoopGuard.Caps = { perTicket: 3, perRecipient: 2, windowMillis: 10 * 60 * 1000 }

describe("LoopGuard", () => {
  it("only human mail from others may be answered automatically", () => {
    expect(LoopGuard.verdict(mail("jane@customer.test"), own)).toEqual({
      own: undefined,
      automated: false,
      answerable: true,
      reasons: []
    })
    const ooo = LoopGuard.verdict(
      mail("jane@customer.test", { classification: { kind: "auto-reply", reasons: ["Auto-Submitted: auto-replied"] } }),
      own
    )
    expect(ooo).toMatchObject({ automated: true, answerable: false })
    expect(ooo.reasons).toContain("Auto-Submitted: auto-replied")
    expect(LoopGuard.verdict(mail("SUPPORT@acme.test"), own)).toMatchObject({ own: "address", answerable: false })
    expect(
      LoopGuard.verdict(mail("jane@customer.test", { threading: { messageId: "t9.abc.1@MAIL.acme.test" } }), own)
    ).toMatchObject({ own: "message", answerable: false })
    // Replying to our mail puts our Message-ID in References: that is not our own mail.
    expect(
      LoopGuard.verdict(mail("jane@customer.test", { threading: { references: ["t9.abc.1@mail.acme.test"] } }), own)
    ).toMatchObject({ own: undefined, answerable: true })
  })

  it.effect("caps system messages per ticket and per recipient in a window", () =>
    Effect.gen(function* () {
      const send = (ticketId: string, recipient: string) =>
        LoopGuard.allowSystemMessage({ workspaceId: "acme", ticketId, recipient }, caps)
      expect((yield* send("t1", "jane@customer.test")).allowed).toBe(true)
      expect((yield* send("t1", "JANE+x@customer.test")).allowed).toBe(true)
      expect(yield* send("t1", "jane@customer.test")).toEqual({ allowed: false, exceeded: ["recipient"] })
      expect(yield* send("t1", "carl@customer.test")).toEqual({ allowed: false, exceeded: ["ticket"] })
      expect((yield* send("t2", "carl@customer.test")).allowed).toBe(true)
      expect((yield* send("t2", "dora@customer.test")).allowed).toBe(true)
      // Another workspace counts apart.
      expect(
        (yield* LoopGuard.allowSystemMessage(
          { workspaceId: "globex", ticketId: "t1", recipient: "jane@customer.test" },
          caps
        )).allowed
      ).toBe(true)
      yield* TestClock.adjust("10 minutes")
      expect(yield* send("t1", "jane@customer.test")).toEqual({ allowed: true, exceeded: [] })
    }).pipe(Effect.provide(MemoryIntakeGuard.layer))
  )
})
