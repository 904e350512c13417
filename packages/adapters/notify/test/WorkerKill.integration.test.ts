/**
 * #17's fault test: a worker process draining a SQLite outbox into a real HTTP receiver on
 * loopback is killed with SIGKILL in the middle of a batch (while a delivery is in flight), then
 * restarted. Every notification is delivered; the receiver's repeats all share an idempotency key
 * it saw before; none is lost; each ticket records its notification once. Counts are printed.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Helpdesk, Outbox } from "@tessera/core"
import { Context, DateTime, Effect, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as Children from "./fault/children.js"
import { helpdeskOn } from "./sql.js"

const tickets = 100
/** Each ticket's acknowledgement goes to two recipients. */
const expectedKeys = tickets * 2
/** The receiver kills the first worker while this request (a delivery in flight) waits for its answer. */
const killAt = 70

const dir = mkdtempSync(join(tmpdir(), "tessera-notify-kill-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = ""
    request.setEncoding("utf8")
    request.on("data", (chunk: string) => {
      body += chunk
    })
    request.on("end", () => resolve(body))
    request.on("error", reject)
  })

const until = async (what: string, done: () => boolean | Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe("a worker process killed in the middle of a batch", () => {
  it("delivers every notification after a restart; repeats share their key, none is lost", async () => {
    const url = `sqlite:${join(dir, "outbox.db")}`
    const desk = helpdeskOn(url)
    const ids = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const helpdesk = Context.get(yield* Layer.build(desk), Helpdesk.Helpdesk)
          return yield* Effect.forEach(
            Array.from({ length: tickets }, (_, i) => i),
            (i) =>
              Effect.map(
                helpdesk.open({
                  requester: { email: `customer${i}@example.com` },
                  subject: `Question ${i}`,
                  text: "Hello",
                  channel: "email"
                }),
                (t) => t.id
              )
          )
        })
      )
    )
    const expected = new Set(
      ids.flatMap((id) => [`notification:${id}:2:jane@example.com`, `notification:${id}:2:lin@example.com`])
    )

    const received = new Map<string, number>()
    const strays: Array<string> = []
    let requests = 0
    let first: Children.Child | undefined
    const server = createServer(async (request, response) => {
      const body = JSON.parse(await readBody(request)) as { readonly key?: string }
      const key = request.headers["idempotency-key"]
      requests++
      if (typeof key !== "string" || body.key !== key || !expected.has(key)) strays.push(String(key))
      else received.set(key, (received.get(key) ?? 0) + 1)
      if (requests === killAt && first !== undefined) {
        // Mid-batch: this delivery reached us, but the worker never hears back.
        first.process.kill("SIGKILL")
        return
      }
      response.end("ok")
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const receiver = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
    const script = fileURLToPath(new URL("./fault/worker.child.ts", import.meta.url))
    const children: Array<Children.Child> = []
    try {
      first = await Children.start(script, [url, receiver])
      children.push(first)
      await first.exited
      expect(first.process.signalCode, `the first worker was killed (stderr: ${first.stderr()})`).toBe("SIGKILL")
      const beforeRestart = received.size
      expect(beforeRestart, "killed before it was done").toBeLessThan(expectedKeys)

      const second = await Children.start(script, [url, receiver])
      children.push(second)
      await until(`every key at the receiver (stderr: ${second.stderr()})`, () => received.size === expectedKeys)
      // Its last records and completions land shortly after the last delivery.
      const recordsOf = () =>
        Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const helpdesk = Context.get(yield* Layer.build(desk), Helpdesk.Helpdesk)
              return yield* Effect.forEach(ids, (id) =>
                Effect.map(
                  helpdesk.asSystem("test").history(id),
                  (history) => history.filter((e) => e._tag === "NotificationDelivered").length
                )
              )
            })
          )
        )
      await until("every notification recorded", async () => (await recordsOf()).every((n) => n >= 1))
      second.process.kill("SIGKILL")
      await second.exited

      const left = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const outbox = Context.get(yield* Layer.build(desk), Outbox.Outbox)
            return yield* outbox.claim("notification", DateTime.makeUnsafe(Date.parse("2100-01-01")), 1000, 1)
          })
        )
      )
      const repeats = [...received.values()].reduce((sum, n) => sum + n - 1, 0)
      const records = await recordsOf()
      console.log(
        `fault test: ${tickets} notifications, ${expectedKeys} deliveries; first worker killed at request ${killAt} ` +
          `with ${beforeRestart} keys received; after the restart ${received.size} keys received, ${requests} requests, ` +
          `${repeats} repeats (all of keys already received), ${strays.length} strays, ${left.length} messages left, ` +
          `${records.filter((n) => n === 1).length} tickets with one delivery record`
      )
      expect(strays, "every request carried a known key, in header and body alike").toEqual([])
      expect(received.size, "none lost").toBe(expectedKeys)
      expect(repeats, "the delivery in flight at the kill went again").toBeGreaterThan(0)
      expect(requests).toBe(expectedKeys + repeats)
      expect(left, "the outbox is drained").toEqual([])
      expect(new Set(records), "each notification recorded once").toEqual(new Set([1]))
    } finally {
      for (const child of children)
        if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL")
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }, 60_000)
})
