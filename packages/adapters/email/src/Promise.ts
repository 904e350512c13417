/**
 * `parseInbound` behind a plain Promise, for applications that do not use Effect: the same
 * function with the `AttachmentStore` given as an option (the service itself, or a layer that
 * builds it). It resolves with the same `InboundMessage` and rejects with the same tagged
 * `EmailError` instances (`err._tag === "TooDeep"`); a bug rejects with an `Error`. It adds no
 * behaviour of its own, as `createHelpdesk` adds none to the `Helpdesk` service.
 */
import type { Readable } from "node:stream"
import { AttachmentStore, PromiseHelpdesk } from "@tessera/core"
import { Effect, Exit, Layer } from "effect"
import type * as Inbound from "./Inbound.js"
import * as Parse from "./Parse.js"

/**
 * The options of `Parse.parseInbound`, and where attachments go.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends Parse.Options {
  /**
   * The attachment store: the service itself, or a layer that builds it. A layer is built anew for
   * each call (an in-memory one would forget every message's attachments): to keep one store
   * across calls, build it once and pass the service.
   */
  readonly attachments: AttachmentStore.AttachmentStore["Service"] | Layer.Layer<AttachmentStore.AttachmentStore>
}

/**
 * Parses a raw message (bytes or a stream) into an `InboundMessage`; see `Parse.parseInbound`.
 *
 * @example
 * ```ts
 * const message = await PromiseEmail.parseInbound(bytes, { attachments: MemoryAttachmentStore.layer })
 * message.threading.subjectNumber // 69369 for "Re: [#69369] Printer on fire"
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseInbound = async (raw: Uint8Array | Readable, options: Options): Promise<Inbound.InboundMessage> => {
  const { attachments, ...parseOptions } = options
  const layer: Layer.Layer<AttachmentStore.AttachmentStore> = Layer.isLayer(attachments)
    ? (attachments as Layer.Layer<AttachmentStore.AttachmentStore>)
    : Layer.succeed(AttachmentStore.AttachmentStore, attachments as AttachmentStore.AttachmentStore["Service"])
  const exit = await Effect.runPromiseExit(Parse.parseInbound(raw, parseOptions).pipe(Effect.provide(layer)))
  if (Exit.isSuccess(exit)) return exit.value
  throw PromiseHelpdesk.rejection(exit.cause)
}
