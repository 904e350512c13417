/**
 * The IMAP poller against a real Dovecot (Debian's dovecot-imapd, a private instance started for
 * this file): messages taken in order and marked only after the handler succeeded, moved instead
 * when configured, left for the next poll on a passing failure, set aside on a permanent one, the
 * scheduled poller, and the restart after a SIGKILL half way through a batch, without a duplicate.
 */
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { AttachmentStore, type Ids, MemoryAttachmentStore } from "@tessera/core"
import { Effect, Exit, Layer, Option, Scope, Stream } from "effect"
import { ImapFlow } from "imapflow"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { ImapSource, MailSource, Receive, ReviewQueue } from "../src/index.js"
import { type Dovecot, startDovecot } from "./support/dovecot.js"
import { layer as intakeLayer } from "./support/mail.js"
import { text } from "./support/smtp.js"

let dovecot: Dovecot
let counter = 0

beforeAll(async () => {
  dovecot = await startDovecot()
}, 30_000)
afterAll(async () => {
  await dovecot?.stop()
})

const session = async <A>(body: (client: ImapFlow) => Promise<A>): Promise<A> => {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false
  })
  await client.connect()
  try {
    return await body(client)
  } finally {
    await client.logout()
  }
}

const deliver = (count: number, size = 0): Promise<ReadonlyArray<string>> =>
  session(async (client) => {
    const ids: Array<string> = []
    for (let i = 0; i < count; i++) {
      const id = `m${++counter}@customer.test`
      ids.push(id)
      await client.append(
        "INBOX",
        `From: Jane <jane@customer.test>\r\nTo: support@acme.test\r\nCc: bob@customer.test\r\nMessage-ID: <${id}>\r\nSubject: Message ${counter}\r\n\r\nBody ${counter}\r\n${"x".repeat(size)}\r\n`
      )
    }
    return ids
  })

/** Message-IDs of a folder with their flags. */
const folder = (path: string): Promise<ReadonlyArray<{ id: string; flags: ReadonlyArray<string> }>> =>
  session(async (client) => {
    const lock = await client.getMailboxLock(path)
    try {
      const all = await client.search({ all: true }, { uid: true })
      if (all === false || all === undefined || all.length === 0) return []
      const messages = await client.fetchAll(all, { envelope: true, flags: true, uid: true }, { uid: true })
      return messages.map((m) => ({
        id: m.envelope?.messageId?.replace(/[<>]/g, "") ?? "",
        flags: [...(m.flags ?? [])].sort()
      }))
    } finally {
      lock.release()
    }
  })

const clearInbox = () =>
  session(async (client) => {
    for (const path of ["INBOX", "Processed", "Refused"]) {
      const exists = (await client.list()).some((m) => m.path === path)
      if (!exists) continue
      const lock = await client.getMailboxLock(path)
      try {
        await client.messageDelete("1:*")
      } finally {
        lock.release()
      }
    }
  })

const options = (extra: Partial<ImapSource.Options> = {}): ImapSource.Options => ({
  host: dovecot.host,
  port: dovecot.port,
  secure: false,
  auth: { user: dovecot.user, pass: dovecot.password },
  workspaceId: "acme",
  ...extra
})

interface Seen {
  readonly id: string
  readonly envelope: MailSource.Envelope
}

const recorder =
  (seen: Array<Seen>): MailSource.Handler =>
  (raw, envelope) =>
    Effect.promise(() => text(raw)).pipe(
      Effect.map((message) => seen.push({ id: /^Message-ID:\s*<([^>]+)>/im.exec(message)?.[1] ?? "", envelope }))
    )

describe("ImapSource against Dovecot", () => {
  beforeEach(clearInbox)

  it("takes unseen messages in UID order, with their envelope, and marks each \\Seen after the handler", async () => {
    const ids = await deliver(3)
    const seen: Array<Seen> = []
    const report = await Effect.runPromise(ImapSource.poll(options(), recorder(seen)))
    expect(report).toEqual({ taken: 3, retryLater: 0, refused: 0 })
    expect(seen.map((s) => s.id)).toEqual(ids)
    expect(seen[0]?.envelope).toEqual({
      from: "jane@customer.test",
      to: ["support@acme.test", "bob@customer.test"],
      workspaceId: "acme"
    })
    expect((await folder("INBOX")).map((m) => m.flags)).toEqual([["\\Seen"], ["\\Seen"], ["\\Seen"]])
    // The flags are the checkpoint: a second poll, a new connection, finds nothing new.
    expect(await Effect.runPromise(ImapSource.poll(options(), recorder(seen)))).toEqual({
      taken: 0,
      retryLater: 0,
      refused: 0
    })
    expect(seen).toHaveLength(3)
  })

  it("moves taken messages to the configured folder instead, creating it", async () => {
    const ids = await deliver(2)
    const seen: Array<Seen> = []
    const report = await Effect.runPromise(ImapSource.poll(options({ after: { moveTo: "Processed" } }), recorder(seen)))
    expect(report.taken).toBe(2)
    expect(await folder("INBOX")).toEqual([])
    expect((await folder("Processed")).map((m) => m.id)).toEqual(ids)
  })

  it("leaves a message unseen after a passing failure, stops the batch there, and takes it next time", async () => {
    const ids = await deliver(3)
    const seen: Array<Seen> = []
    let failOn: string | undefined = ids[1]
    const handler: MailSource.Handler = (raw, envelope) =>
      Effect.promise(() => text(raw)).pipe(
        Effect.flatMap((message) => {
          const id = /^Message-ID:\s*<([^>]+)>/im.exec(message)?.[1] ?? ""
          return id === failOn
            ? Effect.fail({ _tag: "StoreUnavailable", retryable: true })
            : Effect.sync(() => seen.push({ id, envelope }))
        })
      )
    expect(await Effect.runPromise(ImapSource.poll(options(), handler))).toEqual({
      taken: 1,
      retryLater: 2,
      refused: 0
    })
    expect((await folder("INBOX")).map((m) => m.flags)).toEqual([["\\Seen"], [], []])
    failOn = undefined
    expect(await Effect.runPromise(ImapSource.poll(options(), handler))).toEqual({
      taken: 2,
      retryLater: 0,
      refused: 0
    })
    expect(seen.map((s) => s.id)).toEqual(ids)
  })

  it("sets aside a message refused for good (flagged, or moved to refusedTo) and one over maxBytes, and goes on", async () => {
    const [refusedId, okId] = await deliver(2)
    const [bigId] = await deliver(1, 5_000)
    const seen: Array<Seen> = []
    const handler: MailSource.Handler = (raw, envelope) =>
      Effect.promise(() => text(raw)).pipe(
        Effect.flatMap((message) => {
          const id = /^Message-ID:\s*<([^>]+)>/im.exec(message)?.[1] ?? ""
          return id === refusedId
            ? Effect.fail(new MailSource.Rejected({ reason: "policy" }))
            : Effect.sync(() => seen.push({ id, envelope }))
        })
      )
    const report = await Effect.runPromise(ImapSource.poll(options({ maxBytes: 2_000 }), handler))
    expect(report).toEqual({ taken: 1, retryLater: 0, refused: 2 })
    expect(seen.map((s) => s.id)).toEqual([okId])
    const inbox = await folder("INBOX")
    expect(inbox.find((m) => m.id === refusedId)?.flags).toEqual(["\\Flagged", "\\Seen"])
    expect(inbox.find((m) => m.id === bigId)?.flags).toEqual(["\\Flagged", "\\Seen"])

    const [again] = await deliver(1)
    const moved = await Effect.runPromise(
      ImapSource.poll(options({ refusedTo: "Refused" }), () =>
        Effect.fail(new MailSource.Rejected({ reason: "policy" }))
      )
    )
    expect(moved.refused).toBe(1)
    expect((await folder("Refused")).map((m) => m.id)).toEqual([again])
  })

  it("the scheduled poller picks up new mail on its own and stops with its scope", async () => {
    const seen: Array<Seen> = []
    const scope = Effect.runSync(Scope.make())
    await Effect.runPromise(
      ImapSource.make(options({ intervalMillis: 100 }), recorder(seen)).pipe(Scope.provide(scope))
    )
    const ids = await deliver(2)
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50))
    expect(seen.map((s) => s.id)).toEqual(ids)
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await deliver(1)
    await new Promise((r) => setTimeout(r, 400))
    expect(seen).toHaveLength(2)
  })

  it("the Promise facade polls with an async handler", async () => {
    const [id] = await deliver(1)
    const bodies: Array<string> = []
    const report = await ImapSource.pollOnce(options(), async (raw) => {
      bodies.push(await text(raw))
    })
    expect(report.taken).toBe(1)
    expect(bodies[0]).toContain(`<${id}>`)
  })

  it("fails with ImapUnavailable on a wrong password or a closed port", async () => {
    const wrong = await Effect.runPromise(
      Effect.flip(ImapSource.poll(options({ auth: { user: dovecot.user, pass: "wrong" } }), () => Effect.void))
    )
    expect(wrong).toBeInstanceOf(ImapSource.ImapUnavailable)
    expect(wrong.operation).toBe("connect")
    const closed = await Effect.runPromise(Effect.flip(ImapSource.poll(options({ port: 1 }), () => Effect.void)))
    expect(closed).toBeInstanceOf(ImapSource.ImapUnavailable)
  })

  it("a poller killed (SIGKILL) half way through a batch and run again hands no message twice to completion", async () => {
    const total = 10
    const ids = await deliver(total)
    const taken = join(dovecot.dir, "taken.txt")
    const again = join(dovecot.dir, "again.txt")
    const here = fileURLToPath(new URL(".", import.meta.url))
    const worker = (pauseMillis: number) => {
      // Node itself with tsx as a loader (not the tsx command, which would put a process between
      // the signal and the poller).
      const args = ["--conditions=@tessera/source", "--import", "tsx", join(here, "support/imapWorker.ts")]
      const child = execFile(process.execPath, args, {
        cwd: join(here, "../../../.."),
        env: {
          ...process.env,
          WORKER_PORT: String(dovecot.port),
          WORKER_USER: dovecot.user,
          WORKER_PASS: dovecot.password,
          WORKER_TAKEN: taken,
          WORKER_AGAIN: again,
          WORKER_PAUSE_MS: String(pauseMillis)
        }
      })
      const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
        let stdout = ""
        child.stdout?.on("data", (d: Buffer) => {
          stdout += d.toString("utf8")
        })
        child.on("exit", (code, signal) => resolve({ code, signal, stdout }))
      })
      return { child, done }
    }
    const lines = (file: string) =>
      existsSync(file)
        ? readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l !== "")
        : []

    // First run: each message is recorded, then the handler takes 400 ms to return; the kill lands
    // right after the fifth is recorded, before the poller could mark it.
    const first = worker(400)
    while (lines(taken).length < total / 2) await new Promise((r) => setTimeout(r, 10))
    first.child.kill("SIGKILL")
    const killed = await first.done
    expect(killed.signal).toBe("SIGKILL")
    const afterKill = lines(taken).length
    const unseenAfterKill = (await folder("INBOX")).filter((m) => !m.flags.includes("\\Seen")).length

    const second = await worker(0).done
    expect(second.code).toBe(0)
    const report = JSON.parse(second.stdout.trim().split("\n").at(-1) ?? "{}") as ImapSource.Report
    console.log(
      `IMAP kill test: ${total} messages; killed after ${afterKill} handled, ${unseenAfterKill} still unseen; ` +
        `re-run took ${report.taken}, of which ${lines(again).length} handed over again and recognised by Message-ID; ` +
        `handled to completion: ${lines(taken).length} (${new Set(lines(taken)).size} distinct)`
    )
    // The message killed between handling and marking came back, and the idempotent handler saw it.
    expect(unseenAfterKill).toBe(total - afterKill + 1)
    expect(lines(again)).toEqual([ids[afterKill - 1]])
    expect(report.taken).toBe(total - afterKill + 1)
    // Every message handled to completion exactly once, and all are marked.
    expect(lines(taken)).toEqual(ids)
    expect((await folder("INBOX")).every((m) => m.flags.includes("\\Seen"))).toBe(true)
  }, 120_000)
  it("with Receive's handler, a message that cannot be parsed is held with its raw bytes and marked \\Seen", async () => {
    const deep = [
      "From: Jane <jane@customer.test>",
      "To: support@acme.test",
      "Message-ID: <deep@customer.test>",
      "Subject: nested",
      ...Array.from({ length: 30 }, (_, d) => `Content-Type: multipart/mixed; boundary="b${d}"\r\n\r\n--b${d}`),
      "Content-Type: text/plain",
      "",
      "cut"
    ].join("\r\n")
    const raw = Buffer.from(`${deep}\r\n`)
    await session((client) => client.append("INBOX", raw))
    await deliver(1)
    const services = Layer.merge(intakeLayer(), MemoryAttachmentStore.layer)
    const { report, held, bytes } = await Effect.runPromise(
      Effect.gen(function* () {
        const report = yield* ImapSource.poll(options(), Receive.handler())
        const held = yield* Effect.flatMap(ReviewQueue.ReviewQueue, (q) => q.list("acme"))
        const store = yield* AttachmentStore.AttachmentStore
        const found = yield* store.get("acme" as Ids.WorkspaceId, held[0]?.rawLocation ?? "")
        const bytes = Option.isNone(found) ? undefined : Buffer.concat([...(yield* Stream.runCollect(found.value))])
        return { report, held, bytes }
      }).pipe(Effect.provide(services))
    )
    expect(report).toEqual({ taken: 2, retryLater: 0, refused: 0 })
    expect(held.map((h) => [h.reason, h.error?._tag])).toEqual([["unparseable", "TooDeep"]])
    expect(bytes?.equals(raw)).toBe(true)
    expect((await folder("INBOX")).map((m) => m.flags)).toEqual([["\\Seen"], ["\\Seen"]])
  })
})
