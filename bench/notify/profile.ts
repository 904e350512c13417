// Profiles the outbox worker's drain (the `delivery` figure's own side) on a help desk in memory,
// with nodemailer's stream transport (the whole message built, no network):
// `node --import tsx --conditions=@tessera/source bench/notify/profile.ts [--messages N]
// [--rounds N] [--out FILE]`. Only the drains are profiled (the tickets are opened first); the last
// round's profile is written as a .cpuprofile for Chrome's or VS Code's viewer. It also prints the
// CPU time per notification against nodemailer sending the same messages over the same transport:
// a cost ratio that a loaded machine moves little (the bench's figure is wall time over SMTP).
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { parseArgs } from "node:util"
import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Notifier, NotifyTriggers } from "@tessera/notify"
import { Effect } from "effect"
import nodemailer, { type SendMailOptions } from "nodemailer"

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "1000" },
    rounds: { type: "string", default: "5" },
    out: { type: "string", default: "notify.cpuprofile" }
  }
})
const keys = await Effect.runPromise(Signature.keys(["bench-mail-signing-key-0123456789abcdef"]))
const session = new Session()
session.connect()
await session.post("Profiler.enable")
let drained = 0
let millis = 0
let cpu = 0
let directCpu = 0

const round = (n: number, round: number, profile: boolean) =>
  Effect.gen(function* () {
    const desk = yield* Helpdesk.Helpdesk
    yield* desk.saveContact({ id: "con_jane", name: "Jane Sharpe", emails: ["jane.sharpe@example.com"] })
    for (let i = 0; i < n; i++) {
      yield* desk.open({
        requester: { id: "con_jane" },
        subject: `Printer on fire (${round}/${i})`,
        text: `The printer on floor ${i} is on fire. ${"It smells of smoke. ".repeat(10)}`,
        channel: "web"
      })
    }
    const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true })
    const sent: Array<SendMailOptions> = []
    const send = transporter.sendMail.bind(transporter)
    transporter.sendMail = ((message: SendMailOptions) => {
      sent.push(message)
      return send(message)
    }) as typeof transporter.sendMail
    const notifier = yield* Notifier.make({
      mail: { transporter },
      from: { address: "support@acme.test", name: "Acme Support" },
      keys,
      email: { messageIdDomain: "mail.acme.test" },
      // As in delivery.ts: every message goes to Jane, so no cap a round could reach may stop them.
      loopCaps: { perTicket: 20, perRecipient: Number.MAX_SAFE_INTEGER, windowMillis: 3_600_000 }
    })
    if (profile) yield* Effect.promise(() => session.post("Profiler.start"))
    const started = performance.now()
    const cpuStarted = process.cpuUsage()
    for (;;) {
      const report = yield* notifier.drainOnce
      if (report.retried + report.deadLettered + report.left > 0) throw new Error("the worker failed a delivery")
      drained += report.delivered
      if (report.claimed === 0) break
    }
    millis += performance.now() - started
    const used = process.cpuUsage(cpuStarted)
    cpu += (used.user + used.system) / 1000
    if (profile) {
      const { profile: taken } = yield* Effect.promise(() => session.post("Profiler.stop"))
      writeFileSync(values.out, JSON.stringify(taken))
    }
    const direct = nodemailer.createTransport({ streamTransport: true, buffer: true })
    const directStarted = process.cpuUsage()
    yield* Effect.promise(() => Promise.all(sent.map((message) => direct.sendMail(message))))
    const directUsed = process.cpuUsage(directStarted)
    directCpu += (directUsed.user + directUsed.system) / 1000
  }).pipe(
    Effect.scoped,
    Effect.provide(
      MemoryHelpdesk.layer(
        { workspaceId: "acme" },
        { ids: "sequential", roundTrip: false, triggers: { rules: NotifyTriggers.rules() } }
      )
    ),
    Effect.runPromise
  )

const rounds = Number(values.rounds)
await round(200, -1, false)
drained = 0
millis = 0
cpu = 0
directCpu = 0
for (let r = 0; r < rounds; r++) await round(Number(values.messages), r, r === rounds - 1)
console.log(
  `${drained} notifications, ${((1000 * millis) / drained).toFixed(0)} µs each (${((1000 * cpu) / drained).toFixed(0)} µs of CPU; nodemailer alone ${((1000 * directCpu) / drained).toFixed(0)} µs of CPU, CPU cost ratio ${(cpu / directCpu).toFixed(2)}); profile of the last round in ${values.out}`
)
