import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import { AttachmentStore, type Ids, IntakeGuard, MemoryAttachmentStore } from "@tessera/core"
import { Effect, Layer, Option, Stream } from "effect"
import * as Receive from "../src/Receive.js"
import { ReviewQueue } from "../src/ReviewQueue.js"
import { layer, workspaceId } from "./support/mail.js"

const services = Layer.merge(layer(), MemoryAttachmentStore.layer)

const ws = workspaceId as Ids.WorkspaceId

/** The bytes the store keeps under `key`, or a failure when it keeps none. */
const bytesAt = (key: string | undefined) =>
  Effect.gen(function* () {
    const store = yield* AttachmentStore.AttachmentStore
    const found = yield* store.get(ws, key ?? "missing")
    if (Option.isNone(found)) return yield* Effect.die(new Error(`nothing stored under ${key}`))
    const chunks = yield* Stream.runCollect(found.value)
    return Buffer.concat([...chunks])
  })

const stored = Effect.flatMap(AttachmentStore.AttachmentStore, MemoryAttachmentStore.stored)

const plain = (subject: string, extra = "") =>
  Buffer.from(
    `From: Jane <jane@customer.test>\r\nTo: support@acme.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}@customer.test>\r\n${extra}\r\nHello.\r\n`
  )

/** A header block past the default 256 KiB limit: `parseInbound` refuses it with HeaderTooLarge. */
const hugeHeader = Buffer.concat([plain("Huge", `X-Junk: ${"x".repeat(300 * 1024)}\r\n`)])

describe("receive", () => {
  it.effect("a parsed message becomes a ticket whose last attachment is the raw original, byte for byte", () =>
    Effect.gen(function* () {
      const raw = plain("Printer on fire")
      const received = yield* Receive.receive(raw)
      expect(received.error).toBeUndefined()
      expect(received.outcome._tag).toBe("Opened")
      if (received.outcome._tag !== "Opened") return
      const original = received.outcome.ticket.messages[0]?.attachments.at(-1)
      expect(original).toMatchObject({ fileName: "message.eml", contentType: "message/rfc822", size: raw.length })
      expect((yield* bytesAt(original?.location)).equals(raw)).toBe(true)
    }).pipe(Effect.provide(services))
  )

  it.effect("a message the parser refuses is held with its typed error and its raw bytes, never lost", () =>
    Effect.gen(function* () {
      const received = yield* Receive.receive(Readable.from([hugeHeader.subarray(0, 1000), hugeHeader.subarray(1000)]))
      expect(received.error?._tag).toBe("HeaderTooLarge")
      expect(received.acknowledge).toBe(false)
      expect(received.outcome._tag).toBe("Held")
      if (received.outcome._tag !== "Held") return
      const held = received.outcome.held
      expect(held).toMatchObject({ reason: "unparseable", workspaceId })
      expect(held.error?._tag).toBe("HeaderTooLarge")
      expect(held.detail).toContain("HeaderTooLarge")
      expect((yield* bytesAt(held.rawLocation)).equals(hugeHeader)).toBe(true)
      const review = yield* ReviewQueue
      expect((yield* review.list(workspaceId)).map((h) => h.id)).toEqual([held.id])
    }).pipe(Effect.provide(services))
  )

  it.effect("the same unparseable bytes delivered twice are held once, and the second copy is not kept", () =>
    Effect.gen(function* () {
      const first = yield* Receive.receive(hugeHeader)
      const again = yield* Receive.receive(hugeHeader)
      expect(first.outcome._tag).toBe("Held")
      expect(again.outcome._tag).toBe("Duplicate")
      expect(yield* Effect.flatMap(ReviewQueue, (q) => q.list(workspaceId))).toHaveLength(1)
      expect(yield* stored).toBe(1)
    }).pipe(Effect.provide(services))
  )

  it.effect("while another process holds the same bytes, this copy is held too, never dropped", () =>
    Effect.gen(function* () {
      const guard = yield* IntakeGuard.IntakeGuard
      const sha256 = createHash("sha256").update(hugeHeader).digest("hex")
      expect((yield* guard.claim(`${workspaceId}:email-raw:${sha256}`, 60_000))._tag).toBe("Claimed")
      const received = yield* Receive.receive(hugeHeader)
      expect(received.outcome._tag).toBe("Held")
      if (received.outcome._tag !== "Held") return
      expect((yield* bytesAt(received.outcome.held.rawLocation)).equals(hugeHeader)).toBe(true)
    }).pipe(Effect.provide(services))
  )

  it.effect("garbage without a sender is held by intake with its raw original", () =>
    Effect.gen(function* () {
      const garbage = Buffer.from("\u0001\u0002 not mail at all \u00ff\r\n\r\n\u0000\u0000 more noise\r\n", "latin1")
      const received = yield* Receive.receive(garbage)
      expect(received.outcome._tag).toBe("Held")
      if (received.outcome._tag !== "Held") return
      expect(received.outcome.held.reason).toBe("no-sender")
      expect((yield* bytesAt(received.outcome.held.rawLocation)).equals(garbage)).toBe(true)
    }).pipe(Effect.provide(services))
  )

  it.effect("a copy of mail taken in before is a duplicate, and keeps no second raw original", () =>
    Effect.gen(function* () {
      const raw = plain("Twice")
      expect((yield* Receive.receive(raw)).outcome._tag).toBe("Opened")
      expect((yield* Receive.receive(raw)).outcome._tag).toBe("Duplicate")
      expect(yield* stored).toBe(1)
    }).pipe(Effect.provide(services))
  )

  it.effect("a source that breaks off fails retryable and leaves nothing behind", () =>
    Effect.gen(function* () {
      const broken = new Readable({
        read() {
          this.push(plain("Cut"))
          this.destroy(new Error("connection reset"))
        }
      })
      const error = yield* Effect.flip(Receive.receive(broken))
      expect(error._tag).toBe("SourceFailed")
      expect((error as { readonly retryable: boolean }).retryable).toBe(true)
      expect(yield* stored).toBe(0)
      expect(yield* Effect.flatMap(ReviewQueue, (q) => q.list(workspaceId))).toEqual([])
    }).pipe(Effect.provide(services))
  )

  it.effect("the handler refuses for good mail routed to another workspace, and takes in its own", () =>
    Effect.gen(function* () {
      const handle = Receive.handler()
      const elsewhere = yield* Effect.flip(
        handle(Readable.from([plain("Wrong desk")]), { from: "", to: [], workspaceId: "globex" })
      )
      expect(elsewhere._tag).toBe("Rejected")
      const received = yield* handle(Readable.from([plain("Right desk")]), {
        from: "jane@customer.test",
        to: ["support+x@acme.test"],
        workspaceId
      })
      expect(received.outcome._tag).toBe("Opened")
      expect(received.message?.deliveredTo).toEqual(["support+x@acme.test"])
    }).pipe(Effect.provide(services))
  )
})
