// bench/notify: the `delivery` figure (issue #17). Notifications delivered per second by the
// outbox worker (`Notifier.make` on a help desk in memory with the default notifications: claim
// a batch, read the ticket and the directory, render the acknowledgement, sign and thread it,
// send it over a pooled SMTP transport, record `NotificationDelivered` on the ticket, complete
// the outbox message) against nodemailer sending the same messages directly (the options the
// worker's SMTP sender built, recorded on their way out), over the same kind of pooled transport
// with as many messages in flight as the worker's concurrency, to the same SMTP sink. The sink is
// smtp-server in a child process (so its work is on neither side's clock) that counts messages;
// the bench fails unless every message of both sides arrived. The tickets of a round are opened
// before its clock starts. Rounds alternate which side goes first after three full-size warm-up
// rounds of each side; the figure is the median of the rounds. costRatio = time per notification through the worker / time per
// message sent directly (target <= 1.5). The details also give each side's CPU time per message
// in this process (median of the rounds), which a loaded machine moves far less than wall time.
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Notifier, NotifyTriggers, Worker } from "@tessera/notify"
import { Effect } from "effect"
import nodemailer, { type SendMailOptions } from "nodemailer"
import { percentile } from "../lib/report.js"
import type { CostFigure } from "./webhooks.js"

/** The options of `delivery`. */
export interface Options {
  /** Notifications per round and side (default 1,000). */
  readonly messages?: number
  /** Measured rounds (default 7). */
  readonly rounds?: number
  readonly log?: (message: string) => void
}

// The sink: CommonJS for `node -e`; it prints its SMTP port then its HTTP port (GET = the count).
const sinkSource = (smtpServer: string) => `
const { SMTPServer } = require(${JSON.stringify(smtpServer)})
const http = require("node:http")
let messages = 0
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, _session, callback) {
    stream.on("data", () => {})
    stream.on("end", () => { messages++; callback() })
  }
})
const counter = http.createServer((_req, res) => res.writeHead(200).end(String(messages)))
smtp.listen(0, "127.0.0.1", () =>
  counter.listen(0, "127.0.0.1", () =>
    process.stdout.write(smtp.server.address().port + " " + counter.address().port + "\\n")))
`

const startSink = async () => {
  const child = spawn(process.execPath, ["-e", sinkSource(createRequire(import.meta.url).resolve("smtp-server"))], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const [smtpPort, httpPort] = await new Promise<[number, number]>((resolve, reject) => {
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the SMTP sink exited (${code})`)))
    child.stdout.once("data", (chunk: Buffer) => {
      const [a, b] = chunk.toString().trim().split(" ").map(Number)
      resolve([a ?? 0, b ?? 0])
    })
  })
  child.removeAllListeners("exit")
  return {
    smtp: { host: "127.0.0.1", port: smtpPort, secure: false, ignoreTLS: true },
    count: async () => Number(await (await fetch(`http://127.0.0.1:${httpPort}/`)).text()),
    stop: () => {
      if (child.pid !== undefined) process.kill(child.pid)
    }
  }
}

/** Full-size rounds each side runs before the measured ones (see `delivery`). */
const warmRounds = 3

const median = (samples: ReadonlyArray<number>) =>
  percentile(
    [...samples].sort((a, b) => a - b),
    50
  )

/**
 * Measures notifications per second through the outbox worker against nodemailer sending the
 * same messages directly, in one run; returns the `delivery` figure.
 */
export const delivery = async (options: Options = {}): Promise<CostFigure> => {
  const count = options.messages ?? 1000
  const rounds = options.rounds ?? 7
  const log = options.log ?? (() => {})
  if (!Number.isInteger(count) || count < 10) throw new Error("messages must be an integer >= 10")
  if (!Number.isInteger(rounds) || rounds < 3) throw new Error("rounds must be an integer >= 3")
  const sink = await startSink()
  const keys = await Effect.runPromise(Signature.keys(["bench-mail-signing-key-0123456789abcdef"]))
  const concurrency = Worker.defaults.concurrency
  // CPU time of this process per message, each round (the sink's is in its own process): what a
  // loaded machine moves little, unlike the wall time the figure is made of.
  const oursCpu: Array<number> = []
  const directCpu: Array<number> = []
  const cpuPerMessage = (since: NodeJS.CpuUsage, n: number) => {
    const used = process.cpuUsage(since)
    return (used.user + used.system) / n
  }
  // What the worker's sender gave nodemailer in the last round: what the direct side sends.
  let recorded: Array<SendMailOptions> = []

  try {
    /** One round through the worker: n tickets opened (untimed), then drained until empty. */
    const ours = (n: number, round: number) =>
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
        const transporter = nodemailer.createTransport({ ...sink.smtp, pool: true })
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
          // Every message of a round goes to Jane: the loop caps still count each one (their
          // cost is the worker's), but no cap a round could reach stops them.
          loopCaps: { perTicket: 20, perRecipient: Number.MAX_SAFE_INTEGER, windowMillis: 3_600_000 }
        })
        const started = performance.now()
        const cpuStarted = process.cpuUsage()
        let delivered = 0
        for (;;) {
          const report = yield* notifier.drainOnce
          if (report.retried + report.deadLettered + report.left > 0) throw new Error("the worker failed a delivery")
          delivered += report.delivered
          if (report.claimed === 0) break
        }
        const elapsed = performance.now() - started
        oursCpu.push(cpuPerMessage(cpuStarted, n))
        transporter.close()
        if (delivered !== n) throw new Error(`the worker delivered ${delivered} notifications, expected ${n}`)
        recorded = sent
        return n / (elapsed / 1000)
      }).pipe(
        Effect.scoped,
        Effect.provide(
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            // The memory store keeps events as given (`roundTrip: false`): its JSON round trip is a
            // test double's check, which no durable store makes, and not the worker's work.
            { ids: "sequential", roundTrip: false, triggers: { rules: NotifyTriggers.rules() } }
          )
        ),
        Effect.runPromise
      )

    /** The same messages straight through nodemailer, `concurrency` in flight. */
    const direct = async (messages: ReadonlyArray<SendMailOptions>): Promise<number> => {
      const transporter = nodemailer.createTransport({ ...sink.smtp, pool: true })
      const started = performance.now()
      const cpuStarted = process.cpuUsage()
      let next = 0
      const lane = async () => {
        while (next < messages.length) {
          const message = messages[next++] as SendMailOptions
          const info = await transporter.sendMail(message)
          if (info.rejected.length > 0) throw new Error("the sink refused a message")
        }
      }
      await Promise.all(Array.from({ length: concurrency }, lane))
      const elapsed = performance.now() - started
      directCpu.push(cpuPerMessage(cpuStarted, messages.length))
      transporter.close()
      return messages.length / (elapsed / 1000)
    }

    const oursRates: Array<number> = []
    const directRates: Array<number> = []
    let expected = 0
    // The figure is a long-running worker's steady rate. A fresh process needs a few thousand
    // notifications before the worker's long code path (help desk, Effect, Schema, rendering)
    // settles in the JIT: after 200, the rounds of one run went 497, 651, 650, 822, 943, 944 and
    // 754/s, nodemailer's 1,004 to 1,334/s. So both sides first run `warmRounds` full rounds.
    for (let w = 0; w < warmRounds; w++) {
      log(`warm-up ${w + 1}/${warmRounds} (${count} notifications each)`)
      await ours(count, -1 - w)
      await direct(recorded)
      expected += 2 * count
    }
    oursCpu.length = 0
    directCpu.length = 0
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        oursRates.push(await ours(count, r))
        directRates.push(await direct(recorded))
      } else {
        const previous = recorded
        directRates.push(await direct(previous))
        oursRates.push(await ours(count, r))
      }
      expected += 2 * count
      log(
        `round ${r + 1}/${rounds}: worker ${oursRates.at(-1)?.toFixed(0)}/s, nodemailer ${directRates.at(-1)?.toFixed(0)}/s`
      )
    }
    const received = await sink.count()
    if (received !== expected) throw new Error(`the sink got ${received} messages, expected ${expected}`)
    const value = median(oursRates)
    const baselineValue = median(directRates)
    return {
      value,
      unit: "notifications/s",
      baseline: `nodemailer sending the same messages directly, pooled, ${concurrency} in flight, same local SMTP sink`,
      baselineValue,
      ratio: value / baselineValue,
      costRatio: baselineValue / value,
      details: [
        {
          side: "outbox worker (claim, render, sign, SMTP, record, complete)",
          "msg/s": value,
          "µs/msg": 1e6 / value,
          vsNodemailer: baselineValue / value,
          "CPU µs/msg": median(oursCpu),
          "CPU vsNodemailer": median(oursCpu) / median(directCpu)
        },
        {
          side: "nodemailer direct (the baseline)",
          "msg/s": baselineValue,
          "µs/msg": 1e6 / baselineValue,
          vsNodemailer: 1,
          "CPU µs/msg": median(directCpu),
          "CPU vsNodemailer": 1
        }
      ]
    }
  } finally {
    sink.stop()
  }
}
