/**
 * Hostile and broken messages never make intake throw or fail: whatever the addresses, ids,
 * tokens, subjects, bodies and attachment metadata, it answers with an outcome (a ticket, a
 * hold, a duplicate), because a message it cannot use is held for review, never lost.
 */
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit } from "effect"
import { expect, it } from "vitest"
import type * as Inbound from "../src/Inbound.js"
import { intake } from "../src/Intake.js"
import { layer, mail } from "./support/mail.js"

const text = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom("", " ", "\u0000", "__proto__", "constructor", "t69369.", "t0", "[#69369]", "a".repeat(2000))
)
const address = fc.oneof(
  fc.emailAddress(),
  text,
  fc.constantFrom("support@acme.test", "x@mail.acme.test", "a\u0000b@c.d")
)

const attachment: fc.Arbitrary<Inbound.InboundAttachment> = fc.record({
  fileName: fc.oneof(text, fc.constantFrom("../x", "a\u0000b", "")),
  contentType: text,
  size: fc.oneof(fc.nat(), fc.constantFrom(-1, Number.NaN, Number.MAX_VALUE)),
  sha256: fc.constant("00"),
  location: text,
  contentId: fc.option(text, { nil: undefined }),
  inline: fc.boolean()
})

const hostile = fc.record({
  from: fc.option(fc.record({ name: text, address }), { nil: undefined }),
  cc: fc.array(fc.record({ name: text, address }), { maxLength: 3 }),
  subject: text,
  text,
  visibleText: text,
  html: fc.option(text, { nil: undefined }),
  attachments: fc.array(attachment, { maxLength: 3 }),
  kind: fc.constantFrom("human" as const, "auto-reply" as const, "bounce" as const, "list" as const),
  messageId: fc.option(text, { nil: undefined }),
  inReplyTo: fc.array(text, { maxLength: 3 }),
  references: fc.array(text, { maxLength: 3 }),
  subjectNumber: fc.option(fc.oneof(fc.integer(), fc.constant(69369)), { nil: undefined }),
  plusTokens: fc.array(text, { maxLength: 3 }),
  headers: fc.array(fc.record({ name: text, value: text }), { maxLength: 3 })
})

const seen = new Set<string>()

test.prop([fc.array(hostile, { minLength: 1, maxLength: 3 })], { numRuns: 40 })(
  "intake answers every message with an outcome, never a failure or a throw",
  async (messages) => {
    const exit = await Effect.runPromiseExit(
      Effect.forEach(messages, (m) => {
        const base = mail("seed@customer.test")
        return intake({
          ...base,
          from: m.from,
          cc: m.cc,
          subject: m.subject,
          text: m.text,
          visibleText: m.visibleText,
          html: m.html,
          attachments: m.attachments,
          classification: { kind: m.kind, reasons: [] },
          headers: m.headers,
          threading: {
            messageId: m.messageId,
            inReplyTo: m.inReplyTo,
            references: m.references,
            subjectNumber: m.subjectNumber,
            plusTokens: m.plusTokens
          }
        })
      }).pipe(Effect.provide(layer()))
    )
    expect(Exit.isSuccess(exit), Exit.isFailure(exit) ? String(exit.cause) : "").toBe(true)
    if (Exit.isSuccess(exit)) for (const r of exit.value) seen.add(r.outcome._tag)
  }
)

it("the hostile messages made tickets and holds both", () => {
  expect(seen.has("Opened")).toBe(true)
  expect(seen.has("Held")).toBe(true)
})
