/**
 * Email in, ticket out: an SMTP listener on loopback takes Jane Sharpe's mail into a help desk on
 * SQLite (parse, intake), the help desk acknowledges it with a signed Message-ID and reply address,
 * and Jane's reply to the acknowledgement lands on the same ticket. Jane's mail client is
 * nodemailer; the acknowledgement is printed instead of sent.
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createHelpdesk, Helpdesk, IdGenerator } from "@tessera/core"
import { createIntake, FileAttachmentStore, FileReviewQueue, Signature, SmtpSource } from "@tessera/email"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import nodemailer from "nodemailer"

const secret = "example-signing-key-0123456789abcdef" // in production: a secret of your own
const support = "support@acme.test"

export const main = async (print: (line: string) => void = console.log): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-example-email-"))
  const url = `sqlite:${join(dir, "helpdesk.db")}`
  // #region wiring
  const attachments = await Effect.runPromise(FileAttachmentStore.make({ directory: join(dir, "attachments") }))
  const mail = await createIntake({
    secrets: [secret],
    own: { addresses: [support], messageIdDomains: ["mail.acme.test"] },
    helpdesk: Helpdesk.layer({ workspaceId: "acme" }).pipe(
      Layer.provideMerge(Layer.merge(SqlStore.layerUrl({ url, firstPublicId: 69369 }), IdGenerator.layerTimeOrdered))
    ),
    attachments, // raw originals and attachments; mail that cannot be parsed is held with its raw bytes
    review: FileReviewQueue.layer({ directory: join(dir, "review") }) // held mail, kept across restarts
  })
  const keys = await Effect.runPromise(Signature.keys([secret]))
  const acknowledgements: Array<{ to: string; messageId: string; replyTo: string; subject: string }> = []

  const smtp = await SmtpSource.listen({ port: 0, route: { "acme.test": "acme" } }, async (raw, envelope) => {
    const { outcome, acknowledge, message } = await mail.handler(raw, envelope) // 250 once this resolved
    if ("ticket" in outcome) print(`${message?.from?.address}: ${outcome._tag} #${outcome.ticket.publicId}`)
    if (acknowledge && "ticket" in outcome && message?.from !== undefined) {
      const publicId = outcome.ticket.publicId
      acknowledgements.push({
        to: message.from.address,
        messageId: Signature.messageId(keys, {
          workspaceId: "acme",
          publicId,
          unique: `ack${acknowledgements.length + 1}`,
          domain: "mail.acme.test"
        }),
        replyTo: Signature.replyAddress(keys, { workspaceId: "acme", publicId, mailbox: support }),
        subject: `[#${publicId}] ${outcome.ticket.subject}`
      })
    }
  })
  // #endregion wiring

  const jane = nodemailer.createTransport({ host: "127.0.0.1", port: smtp.port, secure: false, ignoreTLS: true })
  await jane.sendMail({
    from: "Jane Sharpe <jane.sharpe@example.com>",
    to: support,
    subject: "Printer on fire",
    text: "The printer on the third floor is on fire."
  })
  const ack = acknowledgements[0]
  if (ack === undefined) throw new Error("the help desk did not acknowledge Jane's mail")
  print(`acknowledgement to ${ack.to}: "${ack.subject}", reply to ${ack.replyTo.replace(/\+.*@/, "+<token>@")}`)

  // Jane answers the acknowledgement: her client quotes it and sets In-Reply-To.
  await jane.sendMail({
    from: "Jane Sharpe <jane.sharpe@example.com>",
    to: ack.replyTo,
    subject: `Re: ${ack.subject}`,
    inReplyTo: `<${ack.messageId}>`,
    references: [`<${ack.messageId}>`],
    text: "It is out now, but the room smells of smoke.\n\nOn Monday, Support wrote:\n> We got your message."
  })
  await smtp.close()
  await mail.close()

  // What the SQLite file holds, read by a help desk opened on it anew.
  const helpdesk = await createHelpdesk({ workspaceId: "acme", database: url })
  const ticket = await helpdesk.asSystem("demo").get(69369)
  const requester = await helpdesk.getContact(ticket.requester)
  print(`#${ticket.publicId} "${ticket.subject}" (${ticket.status}), requester ${requester.emails.join(", ")}`)
  for (const message of (await helpdesk.asSystem("demo").messages(69369)).items)
    print(`  ${message.visibility}: ${message.text}`)
  await helpdesk.close()
  rmSync(dir, { recursive: true, force: true })
}

// Run the story when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
