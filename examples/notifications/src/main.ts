/**
 * Notifications out: Jane Sharpe's ticket, in a help desk with the default notifications
 * (`NotifyTriggers.rules`), produces an acknowledgement, Mary's reply, a "still on it" update
 * when the next reply is at risk, and a survey when the ticket is solved. The notifier
 * (`Notifier.make`) delivers each to an SMTP sink on loopback, which prints what arrived. The
 * help desk's clock is a TestClock, so two business days pass in an instant.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Actor, BusinessCalendar, Helpdesk, MemoryHelpdesk, SlaPolicy } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Notifier, NotifyTriggers } from "@tessera/notify"
import { Duration, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import { simpleParser } from "mailparser"
import { SMTPServer } from "smtp-server"

const secret = "example-signing-key-0123456789abcdef" // in production: a secret of your own

/** An SMTP sink on 127.0.0.1 (a free port) that keeps every message, raw. */
const smtpSink = Effect.acquireRelease(
  Effect.callback<{ server: SMTPServer; port: number; received: Array<Buffer> }>((resume) => {
    const received: Array<Buffer> = []
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Array<Buffer> = []
        stream.on("data", (c: Buffer) => chunks.push(c))
        stream.on("end", () => {
          received.push(Buffer.concat(chunks))
          callback()
        })
      }
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address()
      resume(Effect.succeed({ server, port: typeof address === "object" && address ? address.port : 0, received }))
    })
  }),
  ({ server }) => Effect.promise(() => new Promise<void>((done) => server.close(() => done())))
)

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
const sla = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: paris.success } }

export const program = (print: (line: string) => void) =>
  Effect.gen(function* () {
    const sink = yield* smtpSink
    const desk = yield* Helpdesk.Helpdesk
    yield* desk.saveAgent({ id: "agt_mary", name: "Mary Major", email: "mary@acme.test" })
    yield* desk.saveContact({ id: "con_jane", name: "Jane Sharpe", emails: ["jane.sharpe@example.com"] })
    const mary = Actor.agent("agt_mary")

    // #region notifier
    const notifier = yield* Notifier.make({
      mail: { smtp: { host: "127.0.0.1", port: sink.port, secure: false, ignoreTLS: true } },
      from: { address: "support@acme.test", name: "Acme Support" },
      keys: yield* Signature.keys([secret]),
      email: { messageIdDomain: "mail.acme.test", sla, recipients: { defaultTimeZone: "Europe/Paris" } },
      survey: { base: "https://help.acme.test/survey" }
    })
    // #endregion notifier

    /** Delivers what waits, then prints each message the sink took. */
    let shown = 0
    const deliver = (step: string) =>
      Effect.gen(function* () {
        const report = yield* notifier.drainOnce
        print(`-- ${step}: ${report.delivered} delivered`)
        for (const raw of sink.received.slice(shown)) {
          const mail = yield* Effect.promise(() => simpleParser(raw))
          const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).map((a) => a.text).join(", ")
          print(`Subject: ${mail.subject}`)
          print(`To: ${to}`)
          print(`In-Reply-To: ${mail.inReplyTo ?? "(none)"}`)
          print(`References: ${[mail.references ?? []].flat().join(" ") || "(none)"}`)
          print(`Auto-Submitted: ${mail.headers.get("auto-submitted") ?? "(none)"}`)
          for (const line of (mail.text ?? "").trimEnd().split("\n")) print(`  | ${line}`)
        }
        shown = sink.received.length
      })

    // Monday 7 December 2026, 09:30 in Paris: Jane's mail opens a ticket.
    yield* TestClock.setTime(Date.parse("2026-12-07T08:30:00Z"))
    const ticket = yield* desk.open({
      requester: { id: "con_jane" },
      by: { _tag: "contact", id: "con_jane" },
      subject: "Printer on fire",
      text: "The printer on the third floor is on fire.",
      channel: "email",
      email: { messageId: "<jane-1@example.com>", references: [] }
    })
    yield* deliver("acknowledgement")

    yield* TestClock.adjust(Duration.minutes(40))
    yield* desk.reply({ ticket: ticket.id, by: mary, text: "Please unplug it; a technician is on the way." })
    yield* deliver("Mary's reply")

    // Jane answers, then nobody writes for two days: the next reply's warning is reached.
    yield* TestClock.adjust(Duration.minutes(20))
    yield* desk.reply({
      ticket: ticket.id,
      by: { _tag: "contact", id: "con_jane" },
      text: "Done. When will the technician come?",
      email: { messageId: "<jane-2@example.com>", references: ["<jane-1@example.com>"] }
    })
    yield* TestClock.adjust(Duration.days(2))
    yield* desk.runDueTimers()
    yield* deliver("still on it")

    yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
    yield* deliver("survey")

    const history = yield* desk.asSystem("demo").history(ticket.id)
    print(
      `#${ticket.publicId}: ${history.filter((e) => e._tag === "NotificationDelivered").length} notifications recorded delivered`
    )
  }).pipe(
    Effect.scoped,
    Effect.provide(
      Layer.merge(
        MemoryHelpdesk.layer(
          { workspaceId: "acme" },
          { ids: "sequential", firstPublicId: 69369, sla, triggers: { rules: NotifyTriggers.rules() } }
        ),
        TestClock.layer()
      )
    )
  )

export const main = (print: (line: string) => void = console.log): Promise<void> => Effect.runPromise(program(print))

// Run the story when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
