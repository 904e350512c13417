/**
 * Every limit of `EmailLimits`, each shown to hold: a message just within it parses, one past it
 * gets the limit's typed error (or, for attachments and headers, a problem and nothing kept), so
 * each test fails if its limit stops being enforced. Limits hold while the bytes stream: an
 * endless input stops at `maxMessageBytes`, a stalled one at `maxParseMillis`.
 */
import { Readable } from "node:stream"
import { AttachmentStore } from "@tessera/core"
import { Effect, Exit, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { EmailError, EmailLimits, parseInbound } from "../src/index.js"
import { envelope, hugeHeader, message, nested, plain, siblings } from "./support/messages.js"
import { parse, parsed, refused, storedCount } from "./support/parse.js"

const withAttachment = (bytes: number) =>
  message(
    [...envelope, 'Content-Type: multipart/mixed; boundary="m"'],
    [
      "--m",
      "Content-Type: text/plain",
      "",
      "see attached",
      "--m",
      'Content-Type: application/octet-stream; name="data.bin"',
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.alloc(bytes, 7).toString("base64").replace(/.{76}/g, "$&\r\n"),
      "--m--",
      ""
    ]
  )

describe("EmailLimits", () => {
  it("keeps the default for a limit that is not a positive number", () => {
    const limits = EmailLimits.make({ maxParts: 0, maxDepth: -3, maxHtmlBytes: Number.NaN, maxHeaders: 7 })
    expect(limits).toEqual({ ...EmailLimits.defaults, maxHeaders: 7 })
  })

  it("maxMessageBytes: an endless input stops there with MessageTooLarge", async () => {
    let sent = 0
    const endless = new Readable({
      read() {
        sent += 16 * 1024
        this.push(sent === 16 * 1024 ? Buffer.from(`${envelope.join("\r\n")}\r\n\r\n`) : Buffer.alloc(16 * 1024, 97))
      }
    })
    const error = await refused(endless, { limits: { maxMessageBytes: 1024 * 1024 } })
    expect(error).toBeInstanceOf(EmailError.MessageTooLarge)
    expect(sent).toBeLessThan(2 * 1024 * 1024)
    expect(await parsed(plain("x".repeat(10_000)), { limits: { maxMessageBytes: 20_000 } })).toBeDefined()
  })

  it("maxHeaderBytes: a header block past it is HeaderTooLarge, even with no blank line after it", async () => {
    expect(await parsed(hugeHeader(8 * 1024), { limits: { maxHeaderBytes: 16 * 1024 } })).toBeDefined()
    expect(await refused(hugeHeader(32 * 1024), { limits: { maxHeaderBytes: 16 * 1024 } })).toBeInstanceOf(
      EmailError.HeaderTooLarge
    )
    const endlessHeader = Buffer.from(`X-Long: ${"h".repeat(64 * 1024)}`)
    expect(await refused(endlessHeader, { limits: { maxHeaderBytes: 16 * 1024 } })).toBeInstanceOf(
      EmailError.HeaderTooLarge
    )
  })

  it("maxParts: the message and its parts are counted; one part more is TooManyParts", async () => {
    // siblings(n) is the multipart itself and n parts
    expect((await parsed(siblings(9), { limits: { maxParts: 10 } })).text).toContain("part 8")
    const error = await refused(siblings(10), { limits: { maxParts: 10 } })
    expect(error).toBeInstanceOf(EmailError.TooManyParts)
    expect(error).toMatchObject({ maxParts: 10 })
  })

  it("maxDepth: parts nested one level deeper than it are TooDeep", async () => {
    // nested(n) puts its text part n levels below the message
    expect((await parsed(nested(6), { limits: { maxDepth: 6 } })).text).toContain("deep")
    const error = await refused(nested(7), { limits: { maxDepth: 6 } })
    expect(error).toBeInstanceOf(EmailError.TooDeep)
    expect(error).toMatchObject({ maxDepth: 6 })
  })

  it("maxHtmlBytes: HTML bodies past it are BodyTooLarge, counted while they arrive", async () => {
    const html = (bytes: number) => message([...envelope, "Content-Type: text/html"], `<p>${"x".repeat(bytes)}</p>`)
    expect(await parsed(html(3_000), { limits: { maxHtmlBytes: 4_000 } })).toBeDefined()
    expect(await refused(html(5_000), { limits: { maxHtmlBytes: 4_000 } })).toMatchObject({
      _tag: "BodyTooLarge",
      body: "html",
      maxBytes: 4_000
    })
  })

  it("maxTextBytes: plain-text bodies past it are BodyTooLarge", async () => {
    expect(await parsed(plain("y".repeat(3_000)), { limits: { maxTextBytes: 4_000 } })).toBeDefined()
    expect(await refused(plain("y".repeat(5_000)), { limits: { maxTextBytes: 4_000 } })).toMatchObject({
      _tag: "BodyTooLarge",
      body: "text"
    })
  })

  it("maxAttachmentBytes: a larger attachment is not kept, the message is, with a problem", async () => {
    const small = await parse(withAttachment(1_000), { limits: { maxAttachmentBytes: 2_000 } })
    expect(small.exit._tag === "Success" && small.exit.value.attachments.map((a) => a.size)).toEqual([1_000])
    const large = await parse(withAttachment(3_000), { limits: { maxAttachmentBytes: 2_000 } })
    if (large.exit._tag !== "Success") throw new Error(String(large.exit.cause))
    expect(large.exit.value.attachments).toEqual([])
    expect(large.exit.value.text).toBe("see attached")
    expect(large.exit.value.problems).toEqual(['attachment "data.bin" is larger than 2000 bytes and was not kept'])
    expect(await storedCount(large.store)).toBe(0)
  })

  it("maxHeaders: the list stops there and says how many were left out", async () => {
    const parsedMessage = await parsed(plain("x", ["X-A: 1", "X-B: 2"]), { limits: { maxHeaders: 5 } })
    expect(parsedMessage.headers.map((header) => header.name)).toEqual(["from", "to", "subject", "date", "message-id"])
    expect(parsedMessage.problems).toContain("4 header(s) past the first 5 left out")
  })

  it("maxParseMillis: a stalled input stops with ParseTimeout", async () => {
    const stalled = new Readable({ read() {} })
    stalled.push(Buffer.from(`${envelope.join("\r\n")}\r\n\r\nand then nothing`))
    const { exit, millis } = await parse(stalled, { limits: { maxParseMillis: 300 } })
    expect(exit._tag === "Failure" && String(exit.cause)).toContain("ParseTimeout")
    expect(millis).toBeGreaterThanOrEqual(290)
    expect(millis).toBeLessThan(5_000)
  })

  it("maxParseMillis: an attachment the store never finishes stops with ParseTimeout", async () => {
    const stalledStore = AttachmentStore.AttachmentStore.of({
      put: () => Effect.never,
      get: () => Effect.succeed(Option.none()),
      remove: () => Effect.void
    })
    const started = performance.now()
    const exit = await Effect.runPromiseExit(
      parseInbound(withAttachment(1_000), { limits: { maxParseMillis: 300 } }).pipe(
        Effect.provideService(AttachmentStore.AttachmentStore, stalledStore)
      )
    )
    const millis = performance.now() - started
    expect(Exit.isFailure(exit) && String(exit.cause)).toContain("ParseTimeout")
    expect(millis).toBeGreaterThanOrEqual(290)
    expect(millis).toBeLessThan(5_000)
  })

  it("maxParseMillis: on a test clock the limit is the clock's", async () => {
    const stalled = new Readable({ read() {} })
    stalled.push(Buffer.from(`${envelope.join("\r\n")}\r\n\r\nand then nothing`))
    const store = AttachmentStore.AttachmentStore.of({
      put: () => Effect.never,
      get: () => Effect.succeed(Option.none()),
      remove: () => Effect.void
    })
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          parseInbound(stalled, { limits: { maxParseMillis: 60_000 } }).pipe(
            Effect.provideService(AttachmentStore.AttachmentStore, store)
          )
        )
        // Real time passes, the test clock's does not: only adjusting it ends the parse.
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 400)))
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust(60_000)
        return yield* Fiber.await(fiber)
      }).pipe(Effect.provide(TestClock.layer()))
    )
    expect(Exit.isFailure(exit) && String(exit.cause)).toContain("ParseTimeout")
    stalled.destroy()
  })
})
