/**
 * Runs `parseInbound` against a fresh in-memory attachment store and hands back the result (never
 * a rejection) with the store, so tests can check what was kept.
 */
import type { Readable } from "node:stream"
import { AttachmentStore, type Ids, MemoryAttachmentStore } from "@tessera/core"
import { Cause, Effect, Exit, Option, Stream } from "effect"
import type { EmailError, Inbound, Parse } from "../../src/index.js"
import { parseInbound } from "../../src/index.js"

export interface Outcome {
  readonly exit: Exit.Exit<Inbound.InboundMessage, EmailError.EmailError>
  readonly store: AttachmentStore.AttachmentStore["Service"]
  readonly millis: number
}

export const parse = async (raw: Uint8Array | Readable, options: Parse.Options = {}): Promise<Outcome> => {
  const store = await Effect.runPromise(MemoryAttachmentStore.make)
  const started = performance.now()
  const exit = await Effect.runPromiseExit(
    parseInbound(raw, options).pipe(Effect.provideService(AttachmentStore.AttachmentStore, store))
  )
  return { exit, store, millis: performance.now() - started }
}

/** The message, or a test failure saying why there is none. */
export const parsed = async (
  raw: Uint8Array | Readable,
  options: Parse.Options = {}
): Promise<Inbound.InboundMessage> => {
  const { exit } = await parse(raw, options)
  if (Exit.isSuccess(exit)) return exit.value
  throw new Error(`expected a message, got ${String(exit.cause)}`)
}

/** The typed error, or a test failure saying what came instead. */
export const refused = async (
  raw: Uint8Array | Readable,
  options: Parse.Options = {}
): Promise<EmailError.EmailError> => {
  const { exit } = await parse(raw, options)
  if (Exit.isFailure(exit)) {
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isSome(error)) return error.value
    throw new Error(`expected a typed error, got ${String(exit.cause)}`)
  }
  throw new Error("expected a typed error, got a message")
}

/** The bytes the store holds under `key` in the default workspace. */
export const bytesOf = (store: AttachmentStore.AttachmentStore["Service"], key: string): Promise<Buffer> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const found = yield* store.get("default" as Ids.WorkspaceId, key)
      if (Option.isNone(found)) return Buffer.alloc(0)
      const chunks = yield* Stream.runCollect(found.value)
      return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)))
    })
  )

export const storedCount = (store: AttachmentStore.AttachmentStore["Service"]): Promise<number> =>
  Effect.runPromise(MemoryAttachmentStore.stored(store))
