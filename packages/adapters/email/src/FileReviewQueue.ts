/**
 * A `ReviewQueue` on a local directory, beside `FileAttachmentStore`: each held message is one
 * JSON file under a folder per workspace, written to a temporary file, synced and then renamed
 * into place, so a hold survives a restart and a crash never leaves half a record. Ids sort in
 * the order of holding; the raw original stays in the attachment store, named by `rawLocation`.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises"
import { join } from "node:path"
import type { StoreError } from "@tessera/core"
import { Clock, DateTime, Effect, Layer, Random, Schema } from "effect"
import * as EmailError from "./EmailError.js"
import type * as Inbound from "./Inbound.js"
import { attempt, codeOf, fail, layout } from "./internal/files.js"
import { type Held, ReviewQueue } from "./ReviewQueue.js"

/**
 * Where the queue keeps its files.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The directory (created if missing). Held messages go to `workspaces/`, partial writes to `partial/`. */
  readonly directory: string
}

// `held_`, the time of holding (ms, 15 digits), a counter and 64 random bits: sortable and unique.
const idShape = /^held_\d{15}_\d{6}_[0-9a-f]{16}$/

const ErrorSchema = Schema.Union([
  EmailError.MessageTooLarge,
  EmailError.HeaderTooLarge,
  EmailError.TooManyParts,
  EmailError.TooDeep,
  EmailError.BodyTooLarge,
  EmailError.ParseTimeout,
  EmailError.Unreadable,
  EmailError.SourceFailed,
  EmailError.StorageFailed
])
const encodeError = Schema.encodeSync(ErrorSchema)
const decodeError = Schema.decodeUnknownSync(ErrorSchema)

/** A held message as JSON: the date as ISO text, the error without its `cause` (a library's object). */
const toJson = (held: Held): string => {
  const { error, message, ...rest } = held
  const encodedError =
    error === undefined ? undefined : (({ cause: _, ...fields }) => fields)(encodeError(error) as { cause?: unknown })
  return JSON.stringify({
    ...rest,
    message: message === undefined ? undefined : { ...message, date: message.date && DateTime.formatIso(message.date) },
    ...(encodedError === undefined ? {} : { error: encodedError })
  })
}

const fromJson = (text: string): Held => {
  const json = JSON.parse(text) as Omit<Held, "message" | "error"> & {
    readonly message?: Omit<Inbound.InboundMessage, "date"> & { readonly date?: string }
    readonly error?: unknown
  }
  const { error, message, ...rest } = json
  return {
    ...rest,
    from: rest.from ?? undefined,
    subject: rest.subject ?? undefined,
    messageId: rest.messageId ?? undefined,
    rawLocation: rest.rawLocation ?? undefined,
    message:
      message === undefined
        ? undefined
        : { ...message, date: message.date === undefined ? undefined : DateTime.makeUnsafe(message.date) },
    ...(error === undefined ? {} : { error: decodeError(error) })
  }
}

/**
 * Builds a queue on `options.directory`, creating its folders.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<ReviewQueue["Service"], StoreError.StoreUnavailable> =>
  Effect.gen(function* () {
    const { partial, folderOf } = yield* layout(options.directory)
    let counter = 0

    return ReviewQueue.of({
      hold: (hold) =>
        Effect.gen(function* () {
          const heldAt = yield* Clock.currentTimeMillis
          counter = (counter + 1) % 1_000_000
          const random = yield* Effect.forEach(Array.from({ length: 8 }), () =>
            Random.nextIntBetween(0, 256, { halfOpen: true })
          )
          const hex = random.map((value) => value.toString(16).padStart(2, "0")).join("")
          const id = `held_${String(heldAt).padStart(15, "0")}_${String(counter).padStart(6, "0")}_${hex}`
          const held: Held = { ...hold, id, heldAt }
          const folder = folderOf(hold.workspaceId)
          const temp = join(partial, `${id}.json`)
          yield* attempt("hold", "mkdir", () => mkdir(folder, { recursive: true, mode: 0o700 }))
          yield* Effect.acquireUseRelease(
            attempt("hold", "open", () => open(temp, "wx", 0o600)),
            (handle) =>
              Effect.gen(function* () {
                yield* attempt("hold", "write", () => handle.writeFile(toJson(held)))
                // On disk before it is listed: a crash leaves the hold whole or not at all.
                yield* attempt("hold", "sync", () => handle.datasync())
                yield* attempt("hold", "publish", () => rename(temp, join(folder, `${id}.json`)))
              }),
            (handle) =>
              Effect.promise(async () => {
                await handle.close().catch(() => undefined)
                await unlink(temp).catch(() => undefined)
              })
          )
          return held
        }),
      list: (workspaceId) =>
        Effect.gen(function* () {
          const folder = folderOf(workspaceId)
          const names = yield* Effect.tryPromise({ try: () => readdir(folder), catch: (error) => error }).pipe(
            Effect.catch((error) =>
              codeOf(error) === "ENOENT" ? Effect.succeed([]) : Effect.fail(fail("list", "readdir")(error))
            )
          )
          const ids = names
            .filter((name) => name.endsWith(".json") && idShape.test(name.slice(0, -5)))
            .sort()
            .map((name) => name.slice(0, -5))
          const held = yield* Effect.forEach(ids, (id) =>
            Effect.tryPromise({
              try: () => readFile(join(folder, `${id}.json`), "utf8"),
              catch: (error) => error
            }).pipe(
              // Released by someone else between the listing and the read.
              Effect.catch((error) =>
                codeOf(error) === "ENOENT" ? Effect.succeed(undefined) : Effect.fail(fail("list", "read")(error))
              ),
              Effect.flatMap((text) =>
                text === undefined
                  ? Effect.succeed([])
                  : Effect.try({ try: () => [fromJson(text)], catch: fail("list", "decode") })
              )
            )
          )
          return held.flat()
        }),
      release: (workspaceId, id) =>
        idShape.test(id)
          ? Effect.tryPromise({ try: () => unlink(join(folderOf(workspaceId), `${id}.json`)), catch: (e) => e }).pipe(
              Effect.catch((error) =>
                codeOf(error) === "ENOENT" ? Effect.void : Effect.fail(fail("release", "unlink")(error))
              )
            )
          : Effect.void
    })
  })

/**
 * The queue on `options.directory` as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<ReviewQueue, StoreError.StoreUnavailable> =>
  Layer.effect(ReviewQueue, make(options))
