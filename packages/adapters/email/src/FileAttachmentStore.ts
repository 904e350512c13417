/**
 * An `AttachmentStore` on a local directory: each attachment is one file under a folder per
 * workspace, written to a temporary file while it streams (counted against the limit and hashed on
 * the way) and published under a fresh random key only once complete, so a refused, failed or
 * interrupted put leaves nothing behind. Keys never come from the attachment's file name, and a
 * key is checked against the one shape this store makes before it touches the file system.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { type FileHandle, link, mkdir, open, stat, unlink } from "node:fs/promises"
import { join } from "node:path"
import { AttachmentStore, type StoreError } from "@tessera/core"
import { Effect, Layer, Option, Random, Stream } from "effect"
import { attempt, codeOf, fail, layout } from "./internal/files.js"

/**
 * Where the store keeps its files.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The directory (created if missing). Attachments go to `workspaces/`, partial writes to `partial/`. */
  readonly directory: string
}

// `att_` and 128 random bits in hex: the only key this store makes, and the only one it reads.
const keyShape = /^att_[0-9a-f]{32}$/

const isKey = (key: string): boolean => keyShape.test(key)

const randomHex = (bytes: number): Effect.Effect<string> =>
  Effect.map(
    Effect.forEach(Array.from({ length: bytes }), () => Random.nextIntBetween(0, 256, { halfOpen: true })),
    (values) => values.map((value) => value.toString(16).padStart(2, "0")).join("")
  )

const writeAll = async (handle: FileHandle, chunk: Uint8Array): Promise<void> => {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset)
    offset += bytesWritten
  }
}

// Collisions of 128 random bits are unlikely, but a seeded `Random` (tests, two processes given
// the same seed) repeats itself: `link` never replaces a file, so a taken key is drawn again.
const maxDraws = 8

/**
 * Builds a store on `options.directory`, creating its folders.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  options: Options
): Effect.Effect<AttachmentStore.AttachmentStore["Service"], StoreError.StoreUnavailable> =>
  Effect.gen(function* () {
    const { partial, folderOf } = yield* layout(options.directory)

    const publish = (temp: string, folder: string, draw: number): Effect.Effect<string, StoreError.StoreUnavailable> =>
      Effect.gen(function* () {
        const key = `att_${yield* randomHex(16)}`
        const linked = yield* Effect.tryPromise({
          try: () => link(temp, join(folder, key)).then(() => true),
          catch: (error) => error
        }).pipe(
          Effect.catch((error) =>
            codeOf(error) === "EEXIST" && draw + 1 < maxDraws
              ? Effect.succeed(false)
              : Effect.fail(fail("put", "publish")(error))
          )
        )
        return linked ? key : yield* publish(temp, folder, draw + 1)
      })

    return AttachmentStore.AttachmentStore.of({
      put: (workspaceId, content, putOptions) =>
        Effect.gen(function* () {
          const temp = join(partial, `${yield* randomHex(16)}.part`)
          return yield* Effect.acquireUseRelease(
            attempt("put", "open", () => open(temp, "wx", 0o600)),
            (handle) =>
              Effect.gen(function* () {
                const hash = createHash("sha256")
                let size = 0
                yield* Stream.runForEach(
                  content,
                  (chunk): Effect.Effect<void, AttachmentStore.AttachmentTooLarge | StoreError.StoreUnavailable> => {
                    size += chunk.length
                    if (size > putOptions.maxBytes)
                      return Effect.fail(
                        new AttachmentStore.AttachmentTooLarge({
                          fileName: putOptions.fileName,
                          maxBytes: putOptions.maxBytes
                        })
                      )
                    hash.update(chunk)
                    return attempt("put", "write", () => writeAll(handle, chunk))
                  }
                )
                // On disk before anyone can read it under its key.
                yield* attempt("put", "sync", () => handle.datasync())
                const folder = folderOf(workspaceId)
                yield* attempt("put", "mkdir", () => mkdir(folder, { recursive: true, mode: 0o700 }))
                const key = yield* publish(temp, folder, 0)
                return { key, size, sha256: hash.digest("hex") }
              }),
            // Whatever happened, the temporary name goes: a published file keeps its own link.
            (handle) =>
              Effect.promise(async () => {
                await handle.close().catch(() => undefined)
                await unlink(temp).catch(() => undefined)
              })
          )
        }),
      get: (workspaceId, key) =>
        Effect.gen(function* () {
          if (!isKey(key)) return Option.none()
          const path = join(folderOf(workspaceId), key)
          const found = yield* Effect.tryPromise({ try: () => stat(path), catch: (error) => error }).pipe(
            Effect.map(() => true),
            Effect.catch((error) =>
              codeOf(error) === "ENOENT" ? Effect.succeed(false) : Effect.fail(fail("get", "stat")(error))
            )
          )
          if (!found) return Option.none()
          // Opened when the stream runs; a file removed in between fails the stream, not the get.
          return Option.some(
            Stream.suspend(() =>
              Stream.fromAsyncIterable(
                createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>,
                fail("get", "read")
              )
            )
          )
        }),
      remove: (workspaceId, key) =>
        isKey(key)
          ? Effect.tryPromise({ try: () => unlink(join(folderOf(workspaceId), key)), catch: (error) => error }).pipe(
              Effect.catch((error) =>
                codeOf(error) === "ENOENT" ? Effect.void : Effect.fail(fail("remove", "unlink")(error))
              )
            )
          : Effect.void
    })
  })

/**
 * The store on `options.directory` as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<AttachmentStore.AttachmentStore, StoreError.StoreUnavailable> =>
  Layer.effect(AttachmentStore.AttachmentStore, make(options))
