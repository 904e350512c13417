/**
 * The conformance suite of the `AttachmentStore` port: every adapter runs it, the in-memory one
 * included. `run` registers vitest tests of the contract: bytes round-trip with their size and
 * SHA-256, the size limit holds while the bytes stream (an endless stream is refused) and a
 * refused or failed put keeps nothing, keys are scoped by workspace, removal is idempotent,
 * concurrent puts get distinct keys, and hostile keys read nothing. Each test writes only to
 * fresh workspaces, so a durable store shared between runs needs no cleanup.
 */
import { Data, Effect, Exit, Layer, Option, Stream } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { AttachmentStore, AttachmentTooLarge } from "../ports/AttachmentStore.js"
import type { WorkspaceId } from "../values/Ids.js"
import { freshWorkspace, propertySettings } from "./internal/fixtures.js"

/**
 * How much of the suite to run, and how to see what a store holds.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Runs of each property (default 100). */
  readonly numRuns?: number
  /** Seed of the properties, to replay a failure as fast-check reported it. */
  readonly seed?: number
  /** Timeout of each test, in milliseconds (default 2 minutes). */
  readonly timeout?: number
  /**
   * How many things the store holds, partial writes included (entries of the in-memory store,
   * files of a directory, temporary ones too): the suite checks that a refused or failed put
   * leaves this unchanged. Without it those tests check only what the port itself shows.
   */
  readonly footprint?: (store: AttachmentStore["Service"]) => Effect.Effect<number, unknown>
}

type Store = AttachmentStore["Service"]

const encoder = new TextEncoder()
const bytesOf = (text: string) => encoder.encode(text)

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const bytes = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

// An oracle independent of the adapter: Web Crypto's one-shot digest.
const sha256Of = (bytes: Uint8Array) =>
  Effect.map(
    Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", bytes)),
    (digest) => Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("")
  )

const put = (store: Store, ws: WorkspaceId, chunks: ReadonlyArray<Uint8Array>, maxBytes = 1 << 24) =>
  store.put(ws, Stream.fromIterable(chunks), { fileName: "report.pdf", contentType: "application/pdf", maxBytes })

/** The bytes under `key`, or `undefined` when the store has none. */
const read = (store: Store, ws: WorkspaceId, key: string) =>
  Effect.flatMap(store.get(ws, key), (found) =>
    Option.match(found, {
      onNone: () => Effect.succeed(undefined),
      onSome: (stream) => Effect.map(Stream.runCollect(stream), concat)
    })
  )

class InputBroke extends Data.TaggedError("InputBroke")<{ readonly after: number }> {}

/** Strings a crafted key may hold: paths out of a directory, separators, NUL, URL tricks. */
const hostileKeys: ReadonlyArray<string> = [
  "",
  ".",
  "..",
  "../x",
  "../../etc/passwd",
  "/etc/passwd",
  "a/../../b",
  "..\\..\\windows\\win.ini",
  "a\u0000b",
  "%2e%2e%2fx",
  "C:\\x",
  "~",
  "x".repeat(5000),
  "att_1/../att_2"
]

/**
 * Registers the conformance tests of an `AttachmentStore` built by `layer` (built afresh for each
 * test).
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: Layer.Layer<AttachmentStore, E>, options: Options = {}): void => {
  const { params, timeout } = propertySettings(options, 120_000)
  const withStore = <A, E2>(f: (store: Store) => Effect.Effect<A, E2>): Promise<A> =>
    Effect.runPromise(
      Effect.gen(function* () {
        return yield* f(yield* AttachmentStore)
      }).pipe(Effect.provide(Layer.fresh(layer)))
    )
  const footprint = (store: Store): Effect.Effect<number | undefined, unknown> =>
    options.footprint === undefined ? Effect.succeed(undefined) : options.footprint(store)

  describe(`AttachmentStore conformance: ${name}`, () => {
    it(
      "stored bytes read back the same, with their size and SHA-256",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const abc = yield* put(store, ws, [bytesOf("a"), bytesOf(""), bytesOf("bc")])
            expect(abc.size).toBe(3)
            expect(abc.sha256).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            expect(yield* read(store, ws, abc.key)).toEqual(bytesOf("abc"))
            const empty = yield* put(store, ws, [])
            expect(empty).toMatchObject({
              size: 0,
              sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            })
            expect(yield* read(store, ws, empty.key)).toEqual(new Uint8Array(0))
            // Every byte value, over many chunks: no text decoding, no newline translation.
            const binary = Uint8Array.from({ length: 3 * 65_536 + 17 }, (_, i) => (i * 7 + (i >> 8)) & 0xff)
            const chunks = [binary.subarray(0, 65_536), binary.subarray(65_536, 65_537), binary.subarray(65_537)]
            const stored = yield* put(store, ws, chunks)
            expect(stored.size).toBe(binary.length)
            expect(stored.sha256).toBe(yield* sha256Of(binary))
            expect(yield* read(store, ws, stored.key)).toEqual(binary)
          })
        ),
      timeout
    )

    it(
      "any bytes in any chunking read back the same, with their size and SHA-256 (property)",
      () =>
        withStore((store) =>
          Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async (chunks) =>
                Effect.runPromise(
                  Effect.gen(function* () {
                    const ws = yield* freshWorkspace
                    const whole = concat(chunks)
                    const stored = yield* put(store, ws, chunks)
                    expect(stored.size).toBe(whole.length)
                    expect(stored.sha256).toBe(yield* sha256Of(whole))
                    expect(yield* read(store, ws, stored.key)).toEqual(whole)
                  })
                )
              ),
              params
            )
          )
        ),
      timeout
    )

    it(
      "a put of exactly maxBytes is kept; one byte more fails with AttachmentTooLarge and keeps nothing",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const fits = yield* put(store, ws, [bytesOf("12345"), bytesOf("67890")], 10)
            expect(fits.size).toBe(10)
            const before = yield* footprint(store)
            const error = yield* Effect.flip(put(store, ws, [bytesOf("12345"), bytesOf("678901")], 10))
            expect(error).toBeInstanceOf(AttachmentTooLarge)
            expect(error).toMatchObject({ _tag: "AttachmentTooLarge", fileName: "report.pdf", maxBytes: 10 })
            expect(yield* footprint(store)).toBe(before)
            expect(yield* read(store, ws, fits.key)).toEqual(bytesOf("1234567890"))
          })
        ),
      timeout
    )

    it(
      "the limit holds while the bytes stream: an endless stream is refused and keeps nothing",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const before = yield* footprint(store)
            const endless = Stream.forever(Stream.make(new Uint8Array(4096).fill(0x41)))
            const error = yield* Effect.flip(
              store.put(ws, endless, { fileName: "../x", contentType: "text/plain", maxBytes: 1_000_000 })
            )
            expect(error).toMatchObject({ _tag: "AttachmentTooLarge", fileName: "../x", maxBytes: 1_000_000 })
            expect(yield* footprint(store)).toBe(before)
          })
        ),
      timeout
    )

    it(
      "an input stream that fails fails the put with its own error and keeps nothing",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const before = yield* footprint(store)
            const broken = Stream.concat(
              Stream.make(bytesOf("half of a"), bytesOf(" message")),
              Stream.fail(new InputBroke({ after: 2 }))
            )
            const error = yield* Effect.flip(
              store.put(ws, broken, { fileName: "a\u0000b", contentType: "text/plain", maxBytes: 1000 })
            )
            expect(error).toBeInstanceOf(InputBroke)
            expect(yield* footprint(store)).toBe(before)
          })
        ),
      timeout
    )

    it(
      "a key of one workspace reads nothing in another, and removing it there changes nothing",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const mine = yield* freshWorkspace
            const theirs = yield* freshWorkspace
            const stored = yield* put(store, mine, [bytesOf("private")])
            expect(Option.isNone(yield* store.get(theirs, stored.key))).toBe(true)
            yield* store.remove(theirs, stored.key)
            expect(yield* read(store, mine, stored.key)).toEqual(bytesOf("private"))
          })
        ),
      timeout
    )

    it(
      "remove is idempotent: a removed key reads nothing, and removing it again or a key never stored succeeds",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const kept = yield* put(store, ws, [bytesOf("kept")])
            const gone = yield* put(store, ws, [bytesOf("gone")])
            yield* store.remove(ws, gone.key)
            expect(Option.isNone(yield* store.get(ws, gone.key))).toBe(true)
            yield* store.remove(ws, gone.key)
            yield* store.remove(ws, `${gone.key}0`)
            expect(yield* read(store, ws, kept.key)).toEqual(bytesOf("kept"))
          })
        ),
      timeout
    )

    it(
      "concurrent puts get distinct keys, each reading back its own bytes",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const bodies = Array.from({ length: 24 }, (_, i) => bytesOf(`attachment ${i} `.repeat(i + 1)))
            const stored = yield* Effect.forEach(
              bodies,
              (body) => put(store, ws, [body.subarray(0, 5), body.subarray(5)]),
              { concurrency: "unbounded" }
            )
            expect(new Set(stored.map((s) => s.key)).size).toBe(bodies.length)
            for (const [i, s] of stored.entries()) expect(yield* read(store, ws, s.key)).toEqual(bodies[i])
          })
        ),
      timeout
    )

    it(
      "crafted keys (paths, separators, NUL) read nothing and remove nothing",
      () =>
        withStore((store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const stored = yield* put(store, ws, [bytesOf("still here")])
            for (const key of hostileKeys) {
              const found = yield* Effect.exit(store.get(ws, key))
              // A store may refuse a malformed key with a StoreError; it must never read something.
              if (Exit.isSuccess(found)) expect(Option.isNone(found.value), JSON.stringify(key)).toBe(true)
              yield* Effect.exit(store.remove(ws, key))
            }
            expect(yield* read(store, ws, stored.key)).toEqual(bytesOf("still here"))
          })
        ),
      timeout
    )
  })
}
