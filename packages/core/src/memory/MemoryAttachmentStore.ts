/**
 * The in-memory `AttachmentStore`: attachment bytes in a map keyed by workspace and key. It
 * defines what the port means (the size limit enforced while reading, nothing kept of a refused
 * or failed put, keys scoped by workspace) for the other adapters; it favours clarity over speed
 * and holds every byte in memory, so it is for tests and examples, not for production mail.
 */
import { Effect, Layer, Option, Stream } from "effect"
import { AttachmentStore, AttachmentTooLarge } from "../ports/AttachmentStore.js"
import type { WorkspaceId } from "../values/Ids.js"

const entryKey = (workspaceId: WorkspaceId, key: string) => `${workspaceId}\u0000${key}`

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

const hex = (digest: ArrayBuffer): string =>
  Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("")

/** Node's hashing, when the runtime is Node (`process.getBuiltinModule`, Node 20.16 and later). */
interface NodeHashing {
  readonly createHash: (algorithm: "sha256") => {
    update: (bytes: Uint8Array) => { digest: (encoding: "hex") => string }
  }
}
const nodeHashing = (
  globalThis as { readonly process?: { readonly getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeHashing | undefined

// Web Crypto has no incremental digest; this store holds the whole attachment anyway. On Node a
// synchronous hash of the same bytes saves a trip through the thread pool per attachment.
const sha256 = (bytes: Uint8Array): Effect.Effect<string> =>
  nodeHashing === undefined
    ? Effect.map(
        Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", bytes)),
        hex
      )
    : Effect.sync(() => nodeHashing.createHash("sha256").update(bytes).digest("hex"))

const held = new WeakMap<AttachmentStore["Service"], Map<string, Uint8Array>>()

/**
 * Builds an empty in-memory attachment store. Keys are `att_1`, `att_2`, ... in the order puts
 * complete: a refused or failed put takes no key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<AttachmentStore["Service"]> = Effect.sync(() => {
  const entries = new Map<string, Uint8Array>()
  let count = 0

  const store = AttachmentStore.of({
    put: (workspaceId, content, options) =>
      Effect.gen(function* () {
        const chunks: Array<Uint8Array> = []
        let size = 0
        yield* Stream.runForEach(content, (chunk) => {
          size += chunk.length
          if (size > options.maxBytes)
            return Effect.fail(new AttachmentTooLarge({ fileName: options.fileName, maxBytes: options.maxBytes }))
          // Copy: the producer may reuse its buffer once the chunk is consumed.
          chunks.push(chunk.slice())
          return Effect.void
        })
        const bytes = concat(chunks, size)
        const digest = yield* sha256(bytes)
        count++
        const key = `att_${count}`
        entries.set(entryKey(workspaceId, key), bytes)
        return { key, size, sha256: digest }
      }),
    get: (workspaceId, key) =>
      Effect.sync(() =>
        Option.map(Option.fromNullishOr(entries.get(entryKey(workspaceId, key))), (bytes) => Stream.make(bytes.slice()))
      ),
    remove: (workspaceId, key) => Effect.sync(() => void entries.delete(entryKey(workspaceId, key)))
  })
  held.set(store, entries)
  return store
})

/**
 * How many attachments a store built by `make` holds, in all workspaces: what tests read to
 * check that a refused put kept nothing. Zero for a store this module did not build.
 *
 * @category testing
 * @since 0.1.0
 */
export const stored = (store: AttachmentStore["Service"]): Effect.Effect<number> =>
  Effect.sync(() => held.get(store)?.size ?? 0)

/**
 * The in-memory attachment store as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<AttachmentStore> = Layer.effect(AttachmentStore, make)
