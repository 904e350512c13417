/**
 * `@tessera/email` intake with the Redis intake guard: three help desks (three app nodes) on one
 * SQLite file, each with the guard on one Redis. The same message taken in by all three at once
 * opens one ticket, and a sender's rate limit counts the messages every node took in.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Helpdesk, IdGenerator, MemoryAttachmentStore, TicketStore } from "@tessera/core"
import { Intake, MemoryReviewQueue, Parse, Signature } from "@tessera/email"
import { RedisClient, RedisIntakeGuard } from "@tessera/redis"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { dropPrefix, redisUrl, uniquePrefix } from "./support/localRedis.js"

const workspaceId = "acme"
const keys = Effect.runSync(Signature.keys(["redis-guard-signing-key-0123456789abcdef"]))
const own = { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] }
const dirs: Array<string> = []
const prefixes: Array<string> = []
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  for (const prefix of prefixes) await dropPrefix(redisUrl(), prefix)
})

/** One app node: intake over a help desk on the shared SQLite file, the guard on Redis. */
const node = (file: string, prefix: string, rateLimit?: Intake.Options["rateLimit"]) =>
  ManagedRuntime.make(
    Layer.mergeAll(
      Intake.layer({ keys, own, ...(rateLimit === undefined ? {} : { rateLimit }) }),
      RedisIntakeGuard.layer().pipe(Layer.provideMerge(RedisClient.layer({ url: redisUrl(), prefix }))),
      MemoryReviewQueue.layer,
      MemoryAttachmentStore.layer
    ).pipe(
      Layer.provideMerge(
        Helpdesk.layer({ workspaceId }).pipe(
          Layer.provideMerge(Layer.merge(SqlStore.layerUrl({ url: `sqlite:${file}` }), IdGenerator.layerTimeOrdered))
        )
      )
    )
  )

const mail = (messageId: string, from = "jane@example.com") =>
  new TextEncoder().encode(
    [
      `From: Jane <${from}>`,
      "To: support@acme.test",
      `Subject: Printer jams ${messageId}`,
      `Message-ID: <${messageId}@example.com>`,
      "Date: Mon, 7 Dec 2026 09:00:00 +0000",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "The printer on floor 2 jams on every page.",
      ""
    ].join("\r\n")
  )

const takeIn = (runtime: ReturnType<typeof node>, raw: Uint8Array) =>
  runtime.runPromise(
    Effect.flatMap(Parse.parseInbound(raw, { workspaceId, deliveredTo: ["support@acme.test"] }), Intake.intake)
  )

const setup = (rateLimit?: Intake.Options["rateLimit"]) => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-guard-"))
  dirs.push(dir)
  const prefix = uniquePrefix("intake")
  prefixes.push(prefix)
  const file = join(dir, "desk.db")
  return {
    prefix,
    nodes: [node(file, prefix, rateLimit), node(file, prefix, rateLimit), node(file, prefix, rateLimit)]
  }
}

describe("email intake with the Redis intake guard", () => {
  it("the same message taken in by three nodes at once opens one ticket", async () => {
    const { prefix, nodes } = setup()
    // The first node migrates the file before the others open it.
    await nodes[0]?.runPromise(Effect.void)
    const results = await Promise.all(nodes.map((n) => takeIn(n, mail("same-1"))))
    const outcomes = results.map((r) => r.outcome._tag).sort()
    const tickets = await nodes[0]?.runPromise(
      Effect.flatMap(TicketStore.TicketStore, (store) => store.readAll(0, 1_000))
    )
    const opened = (tickets ?? []).filter((e) => e.event._tag === "TicketOpened")
    // The guard on Redis recorded what the message became.
    const remembered = await nodes[1]?.runPromise(
      Effect.flatMap(RedisClient.RedisClient, ({ redis }) =>
        Effect.promise(() =>
          redis.keys(`${prefix}guard:claim:*`).then((ks) => Promise.all(ks.map((k) => redis.get(k))))
        )
      )
    )
    console.log(`one message, three nodes: outcomes ${outcomes.join(", ")}; tickets opened ${opened.length}`)
    expect(outcomes).toEqual(["Duplicate", "Duplicate", "Opened"])
    expect(opened).toHaveLength(1)
    expect(remembered).toEqual([expect.stringMatching(/^D\|\d+\|.*"tag":"Opened"/)])
    for (const n of nodes) await n.dispose()
  })

  it("a sender's rate limit counts the messages of every node", async () => {
    const { nodes } = setup({ perSender: 2, windowMillis: 60 * 60 * 1000 })
    await nodes[0]?.runPromise(Effect.void)
    const outcomes: Array<string> = []
    // One message per node, one after another: with a guard per process each would be its first.
    for (const [i, n] of nodes.entries())
      outcomes.push((await takeIn(n, mail(`rate-${i}`, "flood@example.com"))).outcome._tag)
    console.log(`three messages from one sender on three nodes, limit 2: ${outcomes.join(", ")}`)
    expect(outcomes).toEqual(["Opened", "Opened", "Held"])
    for (const n of nodes) await n.dispose()
  })
})
