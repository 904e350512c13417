/**
 * The default path over real SMTP on loopback: `createIntake`'s `handler` behind the SMTP listener,
 * attachments and raw originals on files. Mail that cannot be parsed (a truncated multipart nested
 * past the depth limit, binary garbage with no sender) is answered 250 and ends on the review
 * queue with its raw bytes, read back from the store equal to what was sent; good mail is a ticket.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Ids, MemoryHelpdesk } from "@tessera/core"
import { Effect, Option, Stream } from "effect"
import nodemailer from "nodemailer"
import { afterAll, describe, expect, it } from "vitest"
import { createIntake, FileAttachmentStore, SmtpSource } from "../src/index.js"
import { own, workspaceId } from "./support/mail.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-receive-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A multipart nested 30 deep (the limit is 20), cut off before any part closes. */
const truncatedDeep = (): Buffer => {
  const lines = [
    "From: Jane <jane@customer.test>",
    "To: support@acme.test",
    "Subject: nested",
    "Message-ID: <deep@customer.test>",
    "MIME-Version: 1.0"
  ]
  for (let depth = 0; depth < 30; depth++) {
    lines.push(`Content-Type: multipart/mixed; boundary="b${depth}"`, "", `--b${depth}`)
  }
  lines.push("Content-Type: text/plain", "", "and then the connection")
  return Buffer.from(`${lines.join("\r\n")}\r\n`)
}

/** Bytes that are no mail at all: no header, no sender (CRLF lines, so SMTP carries them as they are). */
const garbage = (): Buffer => {
  const lines: Array<string> = []
  for (let line = 0; line < 40; line++) {
    lines.push(Array.from({ length: 70 }, (_, i) => String.fromCharCode(33 + ((line * 31 + i * 7) % 94))).join(""))
  }
  return Buffer.concat([Buffer.from([0xff, 0xfe, 0x01, 0x80]), Buffer.from(`${lines.join("\r\n")}\r\n`, "latin1")])
}

describe("receive over SMTP", () => {
  it("keeps mail it cannot parse on the review queue with its raw bytes, and takes good mail in", async () => {
    const attachments = await Effect.runPromise(FileAttachmentStore.make({ directory: join(dir, "attachments") }))
    const mail = await createIntake({
      secrets: ["receive-signing-key-0123456789abcdef"],
      own,
      helpdesk: MemoryHelpdesk.layer({ workspaceId }, { ids: "sequential", firstPublicId: 69369 }),
      attachments
    })
    const outcomes: Array<string> = []
    const smtp = await SmtpSource.listen({ port: 0, route: { "acme.test": workspaceId } }, (raw, envelope) =>
      mail.handler(raw, envelope).then((received) => outcomes.push(received.outcome._tag))
    )
    try {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: smtp.port,
        secure: false,
        ignoreTLS: true
      })
      const envelope = { from: "jane@customer.test", to: ["support@acme.test"] }
      const sent = [truncatedDeep(), garbage()]
      for (const raw of sent) {
        const info = await transport.sendMail({ envelope, raw })
        expect(info.response).toMatch(/^250 /)
      }
      const good = await transport.sendMail({
        from: "jane@customer.test",
        to: "support@acme.test",
        subject: "Printer on fire",
        text: "It is on fire."
      })
      expect(good.response).toMatch(/^250 /)

      expect(outcomes).toEqual(["Held", "Held", "Opened"])
      const held = await mail.review.list()
      expect(held.map((h) => h.reason)).toEqual(["unparseable", "no-sender"])
      expect(held[0]?.error?._tag).toBe("TooDeep")
      for (const [index, hold] of held.entries()) {
        const found = await Effect.runPromise(attachments.get(workspaceId as Ids.WorkspaceId, hold.rawLocation ?? ""))
        if (Option.isNone(found)) throw new Error(`raw original ${hold.rawLocation} is not in the store`)
        const bytes = Buffer.concat([...(await Effect.runPromise(Stream.runCollect(found.value)))])
        expect(bytes.equals(sent[index] as Buffer)).toBe(true)
      }
      console.log(`receive over SMTP: ${held.length} held with their raw bytes, 1 ticket`)
    } finally {
      await smtp.close()
      await mail.close()
    }
  })
})
