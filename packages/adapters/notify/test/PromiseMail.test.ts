import { describe, expect, it } from "vitest"
import * as PromiseMail from "../src/PromiseMail.js"
import { delivery, emailBody } from "./support/mail.js"

describe("PromiseMail", () => {
  it("saving a template resolves with it, a typo rejects with the tagged error listing it", async () => {
    const book = await PromiseMail.templates()
    const saved = await book.save({
      kind: "reply",
      language: "de",
      subject: "Re: {{ticket.subject}}",
      text: "{{reply.text}}",
      html: "{{reply.text}}"
    })
    expect(book.find("reply", "de-AT")).toEqual(saved)
    await expect(
      book.save({ kind: "reply", language: "en", subject: "{{ticket.subjetc}}", text: "x", html: "x" })
    ).rejects.toMatchObject({
      _tag: "InvalidTemplate",
      problems: [{ part: "subject", placeholder: "ticket.subjetc", reason: "unknown" }]
    })
  })

  it("a sender rejects with the same DeliveryFailed and closes", async () => {
    const sender = await PromiseMail.smtpSender({ smtp: { host: "127.0.0.1", port: 2, connectionTimeout: 1000 } })
    await expect(sender.send(delivery(emailBody({ to: { address: "not an address" } })))).rejects.toMatchObject({
      _tag: "DeliveryFailed",
      retryable: false
    })
    await sender.close()
  })
})
