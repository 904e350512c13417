/**
 * End to end, on a help desk kept in a SQLite file: mail sent over SMTP (nodemailer) to the
 * listener becomes a ticket and is acknowledged; the reply to the acknowledgement (its signed
 * Message-ID and reply address) lands on the same ticket; an out-of-office reply is taken in but
 * never acknowledged; a re-delivery is a duplicate. Then the IMAP poller, against a private
 * Dovecot, is killed (SIGKILL) half way through a batch and run again: no ticket twice.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Helpdesk } from "@tessera/core"
import { Effect } from "effect"
import { ImapFlow } from "imapflow"
import nodemailer, { type SendMailOptions } from "nodemailer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SmtpSource } from "../src/index.js"
import { type Acknowledgement, handler, layer, mailbox, type Taken, workspaceId } from "./support/desk.js"
import { type Dovecot, startDovecot } from "./support/dovecot.js"

let dir = ""
let dovecot: Dovecot

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tessera-email-e2e-"))
  dovecot = await startDovecot()
}, 30_000)
afterAll(async () => {
  await dovecot?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const tickets = (url: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const desk = yield* Helpdesk.Helpdesk
      const page = yield* desk.asSystem("test").list({ limit: 100 })
      return yield* Effect.forEach(page.items, (item) =>
        Effect.map(desk.asSystem("test").messages(item.id), (messages) => ({
          publicId: item.publicId,
          subject: item.subject,
          messages: messages.items.length
        }))
      )
    }).pipe(Effect.provide(layer(url)))
  )

describe("email end to end on SQLite", () => {
  it("SMTP: a mail becomes a ticket, the reply to its acknowledgement lands on it, an out-of-office is never acknowledged", async () => {
    const url = `sqlite:${join(dir, "smtp.db")}`
    const acknowledgements: Array<Acknowledgement> = []
    const taken: Array<Taken> = []
    const program = Effect.gen(function* () {
      const listener = yield* SmtpSource.make(
        { port: 0, route: { "acme.test": workspaceId } },
        handler(acknowledgements, (t) => Effect.sync(() => taken.push(t)))
      )
      const smtp = nodemailer.createTransport({
        host: "127.0.0.1",
        port: listener.port,
        secure: false,
        ignoreTLS: true
      })
      const send = (message: SendMailOptions) => Effect.promise(() => smtp.sendMail(message))

      // 1. Jane writes to support: a new ticket, acknowledged.
      yield* send({
        from: "Jane Sharpe <jane.sharpe@example.com>",
        to: mailbox,
        subject: "Printer on fire",
        messageId: "<first@example.com>",
        text: "The printer on the third floor is on fire."
      })
      // 2. She replies to the acknowledgement: its Message-ID in In-Reply-To, its reply address.
      const ack = acknowledgements[0]
      if (ack === undefined) throw new Error("no acknowledgement")
      yield* send({
        from: "Jane Sharpe <jane.sharpe@example.com>",
        to: ack.replyTo,
        subject: `Re: ${ack.subject}`,
        messageId: "<second@example.com>",
        inReplyTo: `<${ack.messageId}>`,
        references: [`<${ack.messageId}>`],
        text: "It is out now, but it smells.\n\nOn Mon, Support wrote:\n> We got your message."
      })
      // 3. Her out-of-office answers the acknowledgement too.
      yield* send({
        from: "Jane Sharpe <jane.sharpe@example.com>",
        to: ack.replyTo,
        subject: "Out of office: Re: Printer on fire",
        messageId: "<ooo@example.com>",
        inReplyTo: `<${ack.messageId}>`,
        headers: { "Auto-Submitted": "auto-replied" },
        text: "I am out of the office until Monday."
      })
      // 4. The first mail delivered again (a sending server that missed our 250).
      yield* send({
        from: "Jane Sharpe <jane.sharpe@example.com>",
        to: mailbox,
        subject: "Printer on fire",
        messageId: "<first@example.com>",
        text: "The printer on the third floor is on fire."
      })
    })
    await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(layer(url))))

    expect(taken.map((t) => [t.messageId, t.outcome, t.acknowledged])).toEqual([
      ["first@example.com", "Opened", true],
      ["second@example.com", "Replied", true],
      ["ooo@example.com", "Replied", false],
      ["first@example.com", "Duplicate", false]
    ])
    const publicId = taken[0]?.publicId
    expect(taken.slice(1, 3).map((t) => t.publicId)).toEqual([publicId, publicId])
    // No acknowledgement answers the out-of-office.
    expect(acknowledgements.map((a) => a.to)).toEqual(["jane.sharpe@example.com", "jane.sharpe@example.com"])
    // What the SQLite file holds, read by a help desk opened anew: one ticket, three messages.
    expect(await tickets(url)).toEqual([{ publicId, subject: "Printer on fire", messages: 3 }])
  })

  it("IMAP: a poller killed half way through a batch and run again creates no ticket twice", async () => {
    const total = 8
    const db = join(dir, "imap.db")
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false
    })
    await client.connect()
    for (let i = 1; i <= total; i++) {
      await client.append(
        "INBOX",
        `From: Customer ${i} <customer${i}@example.com>\r\nTo: ${mailbox}\r\nMessage-ID: <imap-${i}@example.com>\r\nSubject: Question ${i}\r\n\r\nQuestion number ${i}.\r\n`
      )
    }
    await client.logout()

    const here = fileURLToPath(new URL(".", import.meta.url))
    const worker = (pauseMillis: number) => {
      const lines: Array<Record<string, unknown>> = []
      const child = execFile(
        process.execPath,
        ["--conditions=@tessera/source", "--import", "tsx", join(here, "support/deskWorker.ts")],
        {
          cwd: join(here, "../../../.."),
          env: {
            ...process.env,
            WORKER_PORT: String(dovecot.port),
            WORKER_USER: dovecot.user,
            WORKER_PASS: dovecot.password,
            WORKER_DB: db,
            WORKER_PAUSE_MS: String(pauseMillis)
          }
        }
      )
      let buffer = ""
      child.stdout?.on("data", (d: Buffer) => {
        buffer += d.toString("utf8")
        const parts = buffer.split("\n")
        buffer = parts.pop() ?? ""
        for (const line of parts) if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>)
      })
      let stderr = ""
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString("utf8")
      })
      const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal, stderr }))
      )
      return { child, lines, done }
    }

    // The first run waits 500 ms after each intake before the poller marks the message; the kill
    // lands right after the fourth ticket was written, before its message was marked.
    const first = worker(500)
    while (first.lines.length < total / 2) {
      if (first.child.exitCode !== null) throw new Error(`worker ended early: ${(await first.done).stderr}`)
      await new Promise((r) => setTimeout(r, 10))
    }
    first.child.kill("SIGKILL")
    expect((await first.done).signal).toBe("SIGKILL")
    const openedFirst = first.lines.filter((l) => l.outcome === "Opened").length

    const second = worker(0)
    const { code, stderr } = await second.done
    expect(code, stderr).toBe(0)
    const outcomes = second.lines.filter((l) => "outcome" in l).map((l) => `${l.messageId}: ${l.outcome}`)
    const stored = await tickets(`sqlite:${db}`)
    console.log(
      `IMAP end to end: ${total} messages; first run opened ${openedFirst} tickets before SIGKILL; ` +
        `the re-run took ${outcomes.length} (${outcomes.filter((o) => o.endsWith("Duplicate")).length} recognised as duplicates); ` +
        `tickets in SQLite: ${stored.length}`
    )
    // The message killed between intake and marking came back and was recognised by its Message-ID.
    expect(outcomes[0]).toBe(`imap-${openedFirst}@example.com: Duplicate`)
    expect(outcomes.slice(1).every((o) => o.endsWith("Opened"))).toBe(true)
    expect(outcomes).toHaveLength(total - openedFirst + 1)
    // One ticket per message, each with its one message.
    expect(stored.map((t) => t.subject).sort()).toEqual(
      Array.from({ length: total }, (_, i) => `Question ${i + 1}`).sort()
    )
    expect(stored.every((t) => t.messages === 1)).toBe(true)
  }, 150_000)
})
