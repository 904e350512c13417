import { fc, test } from "@fast-check/vitest"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Template from "../src/Template.js"
import { addressesOf, delivery, emailBody, rawOf } from "./support/mail.js"

const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)

describe("MailOut.compose, read back by a mail client", () => {
  it("sets the sender, recipient, reply address, threading and automatic-mail headers", async () => {
    const { parsed, envelope } = await run(rawOf(delivery(emailBody())))
    expect(addressesOf(parsed)).toEqual([
      "to:jane@example.com",
      "from:support@acme.test",
      "replyTo:support+t1042.abcdefghijklmnop@acme.test"
    ])
    expect(parsed.messageId).toBe("<t1042.abcdefghijklmnop.notification_tkt_1_3-abc@mail.acme.test>")
    expect(parsed.inReplyTo).toBe("<first@example.com>")
    expect(parsed.references).toBe("<first@example.com>")
    expect(parsed.headers.get("auto-submitted")).toBe("auto-replied")
    expect(parsed.headers.get("x-auto-response-suppress")).toBe("All")
    expect(parsed.headers.get("x-tessera-delivery")).toBe("notification:tkt_1:3/jane@example.com")
    expect(parsed.text?.trim()).toBe("Hello")
    expect(parsed.html).toBe("<p>Hello</p>")
    expect(envelope).toEqual({ from: "support@acme.test", to: ["jane@example.com"] })
  })

  it("an agent's reply does not call itself automatic", async () => {
    const { parsed } = await run(rawOf(delivery(emailBody({ autoSubmitted: "no" }))))
    expect(parsed.headers.has("auto-submitted")).toBe(false)
    expect(parsed.headers.has("x-auto-response-suppress")).toBe(false)
  })

  it("line breaks, encoded words, commas and angle brackets in names and subjects add no header and no recipient", async () => {
    const subject = "Hi\r\nBcc: evil@x.test =?utf-8?q?hi=0D=0ABcc:_evil2@x.test?= %0d%0aBcc: evil3@x.test"
    const { raw, parsed } = await run(
      rawOf(
        delivery(
          emailBody({
            subject,
            from: { address: "support@acme.test", name: 'Acme, "Support" <evil@x.test>\r\nBcc: evil4@x.test' },
            to: { address: "jane@example.com", name: "Jane =?utf-8?q?=0D=0ABcc:_evil5@x.test?=, <evil6@x.test>" }
          })
        )
      )
    )
    expect(addressesOf(parsed)).toEqual([
      "to:jane@example.com",
      "from:support@acme.test",
      "replyTo:support+t1042.abcdefghijklmnop@acme.test"
    ])
    expect(parsed.headers.has("bcc")).toBe(false)
    expect(raw).not.toMatch(/^bcc:/im)
    // The subject reads as the literal text, on one line: the encoded word was not decoded into a break.
    expect(parsed.subject).toBe(Template.headerSafe(subject))
    expect(parsed.subject).not.toMatch(/[\r\n]/)
    expect(parsed.subject).toContain("=?utf-8?q?hi=0D=0ABcc:_evil2@x.test?=")
    for (const a of [parsed.from, parsed.to].flatMap((x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]))) {
      for (const v of a.value) expect(v.name).not.toMatch(/[\r\n]/)
    }
  })

  it("refuses, for good, an address or Message-ID that is not plain", async () => {
    const bad = [
      emailBody({ to: { address: "jane@example.com\r\nBcc: evil@x.test" } }),
      emailBody({ to: { address: "jane@example.com, evil@x.test" } }),
      emailBody({ to: { address: "Jane <jane@example.com>" } }),
      emailBody({ replyTo: "support@acme.test\nBcc: evil@x.test" }),
      emailBody({ messageId: "a b@c" }),
      emailBody({ references: ["ok@x.test", "<a>\r\nBcc: evil@x.test"] }),
      { not: "a body" }
    ]
    for (const body of bad) {
      const error = await run(Effect.flip(rawOf(delivery(body))))
      expect(error).toMatchObject({ _tag: "DeliveryFailed", channel: "email", retryable: false })
    }
  })

  const hostile = fc.string({
    unit: fc.constantFrom(
      "a",
      "Z",
      " ",
      "\r",
      "\n",
      ",",
      ";",
      ":",
      "<",
      ">",
      '"',
      "=?",
      "?=",
      "@",
      "Bcc",
      "%0d%0a",
      "é",
      "\u2028",
      "\t"
    ),
    maxLength: 40
  })

  test.prop([hostile, hostile, hostile], { numRuns: 60 })(
    "no subject or display name, however hostile, changes who receives the mail or adds a header",
    async (subject, fromName, toName) => {
      const { parsed } = await run(
        rawOf(
          delivery(
            emailBody({
              subject,
              from: { address: "support@acme.test", name: fromName },
              to: { address: "jane@example.com", name: toName }
            })
          )
        )
      )
      expect(addressesOf(parsed)).toEqual([
        "to:jane@example.com",
        "from:support@acme.test",
        "replyTo:support+t1042.abcdefghijklmnop@acme.test"
      ])
      expect([...parsed.headers.keys()].filter((k) => ["bcc", "cc"].includes(k))).toEqual([])
      expect(parsed.subject ?? "").toBe(Template.headerSafe(subject))
    }
  )
})
