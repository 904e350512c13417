// bench/notify: the `webhooks` figure (issue #17). Webhooks delivered per second through
// `WebhookSender` (the SSRF check, JSON encoding, HMAC-SHA256 signing, node:http with a pinned
// address, the answer classified) against plain `fetch` POSTs of the same JSON payloads, both
// one at a time to the same local receiver. The receiver is a node:http server in a child
// process (so its work is not on either side's clock) that reads each body and answers 204; it
// counts what it got, and the bench fails unless every message of both sides arrived. Rounds
// alternate which side goes first after a warm-up; the figure is the median of the rounds.
// costRatio = time per webhook through ours / time per message sent directly (target <= 1.5).
// For information (the table, not the figure): the same POSTs through node:http with a
// keep-alive agent and nothing else, the transport `WebhookSender` uses; on Node 20 fetch is
// the slower of the two, so this says what signing and the guard cost on their own.
import { spawn } from "node:child_process"
import * as http from "node:http"
import type { Ids } from "@tessera/core"
import { type Notification, WebhookSender } from "@tessera/notify"
import { Effect } from "effect"
import { type Figure, percentile, type Row } from "../lib/report.js"

/** The options of `webhooks`. */
export interface Options {
  /** Messages per round and side (default 1,000). */
  readonly messages?: number
  /** Measured rounds (default 7). */
  readonly rounds?: number
  readonly log?: (message: string) => void
}

/** A figure with the cost ratio the issue asks for, and rows for the table (not in the JSON line). */
export type CostFigure = Figure & {
  readonly ratio: number
  readonly costRatio: number
  readonly details?: ReadonlyArray<Row>
}

// The receiver: plain CommonJS for `node -e`; GET /count answers how many POSTs it took.
const receiverSource = `
const http = require("node:http")
let posts = 0
const server = http.createServer((req, res) => {
  if (req.method === "GET") { res.writeHead(200).end(String(posts)); return }
  let size = 0
  req.on("data", (chunk) => { size += chunk.length })
  req.on("end", () => { if (size > 0) posts++; res.writeHead(size > 0 ? 204 : 400).end() })
})
server.keepAliveTimeout = 60000
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"))
`

const startReceiver = async () => {
  const child = spawn(process.execPath, ["-e", receiverSource], { stdio: ["ignore", "pipe", "inherit"] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the receiver exited (${code})`)))
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())))
  })
  child.removeAllListeners("exit")
  return {
    url: `http://127.0.0.1:${port}/hooks/tessera`,
    count: async () => Number(await (await fetch(`http://127.0.0.1:${port}/count`)).text()),
    stop: () => {
      if (child.pid !== undefined) process.kill(child.pid)
    }
  }
}

/** A notification payload the size of a real one: a reply with some text, its ticket, a rule. */
const payload = (i: number, round: number) => {
  const id = `notification:tk_${round}_${i}:4:webhook:bench`
  return {
    type: "notification",
    id,
    notification: `notification:tk_${round}_${i}:4`,
    template: "reply_added",
    workspaceId: "acme",
    ticket: { id: `tk_${round}_${i}`, publicId: 10_000 + i },
    rule: { id: "notify-crm", version: 2 },
    requestedAt: "2026-12-07T10:15:00.000Z",
    events: [
      {
        version: 3,
        event: {
          _tag: "ReplyAdded",
          v: 1,
          ticketId: `tk_${round}_${i}`,
          at: "2026-12-07T10:15:00.000Z",
          by: { _tag: "agent", id: "mary" },
          message: {
            id: `msg_${round}_${i}`,
            author: { _tag: "agent", id: "mary" },
            channel: "web",
            public: true,
            body: {
              text: `Hello Jane,\n\nthe replacement printer (#${i}) ships today; the tracking number follows by mail. ${"We are sorry for the trouble. ".repeat(12)}\n\nMary`,
              attachments: []
            }
          }
        }
      }
    ]
  }
}

const deliveryOf = (body: ReturnType<typeof payload>): Notification.Delivery => ({
  key: body.id,
  outboxId: body.notification,
  channel: "webhook",
  template: body.template,
  workspaceId: "acme" as Ids.WorkspaceId,
  ticketId: body.ticket.id as Ids.TicketId,
  publicId: body.ticket.publicId,
  recipient: { audience: "integration", address: "bench", language: "en", timeZone: "UTC", verified: true },
  body
})

const median = (samples: ReadonlyArray<number>) =>
  percentile(
    [...samples].sort((a, b) => a - b),
    50
  )

/**
 * Measures webhooks per second through `WebhookSender` against plain `fetch` of the same
 * payloads, in one run; returns the `webhooks` figure.
 */
export const webhooks = async (options: Options = {}): Promise<CostFigure> => {
  const count = options.messages ?? 1000
  const rounds = options.rounds ?? 7
  const log = options.log ?? (() => {})
  if (!Number.isInteger(count) || count < 10) throw new Error("messages must be an integer >= 10")
  if (!Number.isInteger(rounds) || rounds < 3) throw new Error("rounds must be an integer >= 3")
  const receiver = await startReceiver()
  try {
    const secret = "bench-webhook-secret-0123456789abcdef"
    const endpoints = { bench: { url: receiver.url, secrets: [secret], allow: ["127.0.0.1"] } }

    const direct = async (bodies: ReadonlyArray<ReturnType<typeof payload>>): Promise<number> => {
      const started = performance.now()
      for (const body of bodies) {
        const response = await fetch(receiver.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body)
        })
        await response.arrayBuffer()
        if (response.status !== 204) throw new Error(`fetch got HTTP ${response.status}`)
      }
      return bodies.length / ((performance.now() - started) / 1000)
    }

    const agent = new http.Agent({ keepAlive: true })
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.request(receiver.url, {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
        })
        request.on("error", reject)
        request.on("response", (response) => {
          response.resume()
          response.on("end", () => resolve(response.statusCode ?? 0))
        })
        request.end(body)
      })
    const plainHttp = async (bodies: ReadonlyArray<ReturnType<typeof payload>>): Promise<number> => {
      const started = performance.now()
      for (const body of bodies) {
        const status = await post(JSON.stringify(body))
        if (status !== 204) throw new Error(`node:http got HTTP ${status}`)
      }
      return bodies.length / ((performance.now() - started) / 1000)
    }

    const oursRates: Array<number> = []
    const directRates: Array<number> = []
    const httpRates: Array<number> = []
    let expected = 0
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const sender = yield* WebhookSender.make({ endpoints })
          const ours = (bodies: ReadonlyArray<ReturnType<typeof payload>>) =>
            Effect.gen(function* () {
              const deliveries = bodies.map(deliveryOf)
              const started = performance.now()
              yield* Effect.forEach(deliveries, sender.send, { discard: true })
              return bodies.length / ((performance.now() - started) / 1000)
            })
          const warm = Array.from({ length: Math.min(count, 200) }, (_, i) => payload(i, -1))
          log(`warm-up (${warm.length} messages each)`)
          yield* ours(warm)
          yield* Effect.promise(() => direct(warm))
          yield* Effect.promise(() => plainHttp(warm))
          expected += 3 * warm.length
          for (let r = 0; r < rounds; r++) {
            const bodies = Array.from({ length: count }, (_, i) => payload(i, r))
            // Alternate which goes first, so neither always runs on a warmer or colder heap.
            if (r % 2 === 0) {
              oursRates.push(yield* ours(bodies))
              directRates.push(yield* Effect.promise(() => direct(bodies)))
              httpRates.push(yield* Effect.promise(() => plainHttp(bodies)))
            } else {
              httpRates.push(yield* Effect.promise(() => plainHttp(bodies)))
              directRates.push(yield* Effect.promise(() => direct(bodies)))
              oursRates.push(yield* ours(bodies))
            }
            expected += 3 * count
            log(
              `round ${r + 1}/${rounds}: WebhookSender ${oursRates.at(-1)?.toFixed(0)}/s, fetch ${directRates.at(-1)?.toFixed(0)}/s, node:http ${httpRates.at(-1)?.toFixed(0)}/s`
            )
          }
        })
      )
    )
    const received = await receiver.count()
    if (received !== expected) throw new Error(`the receiver got ${received} messages, expected ${expected}`)
    agent.destroy()
    const value = median(oursRates)
    const baselineValue = median(directRates)
    const httpValue = median(httpRates)
    return {
      value,
      unit: "webhooks/s",
      baseline: "plain fetch POST of the same JSON payloads, one at a time, same local receiver",
      baselineValue,
      ratio: value / baselineValue,
      costRatio: baselineValue / value,
      details: [
        {
          side: "WebhookSender (guard, JSON, HMAC, node:http)",
          "msg/s": value,
          "µs/msg": 1e6 / value,
          vsFetch: baselineValue / value
        },
        { side: "fetch (the baseline)", "msg/s": baselineValue, "µs/msg": 1e6 / baselineValue, vsFetch: 1 },
        {
          side: "node:http keep-alive, nothing else (information)",
          "msg/s": httpValue,
          "µs/msg": 1e6 / httpValue,
          vsFetch: baselineValue / httpValue
        }
      ]
    }
  } finally {
    receiver.stop()
  }
}
