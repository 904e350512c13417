/**
 * The port for attachment bytes: a ticket's message keeps only attachment metadata (name, type,
 * size, content id, and the `location` key this port returns); the bytes live here. `put` takes a
 * stream so a 50 MB attachment never sits in memory whole, and enforces the size limit while
 * reading, keeping nothing of an attachment it refuses.
 */
import { Context, type Effect, type Option, Schema, type Stream } from "effect"
import type { WorkspaceId } from "../values/Ids.js"
import type { StoreError } from "./StoreError.js"

/**
 * What `put` stored: the key to read it back with (a message attachment's `location`), its size
 * in bytes and its SHA-256 (hex), computed while the bytes streamed through.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredAttachment {
  readonly key: string
  readonly size: number
  readonly sha256: string
}

/**
 * What the caller says of an attachment when it stores one.
 *
 * @category models
 * @since 0.1.0
 */
export interface PutOptions {
  readonly fileName: string
  readonly contentType: string
  /** Bytes past this limit fail the put with `AttachmentTooLarge`; nothing is kept. */
  readonly maxBytes: number
}

/**
 * An attachment grew past the limit its caller set: the put kept nothing. Retrying the same
 * bytes cannot help.
 *
 * @category errors
 * @since 0.1.0
 */
export class AttachmentTooLarge extends Schema.TaggedError<AttachmentTooLarge>()("AttachmentTooLarge", {
  fileName: Schema.String,
  maxBytes: Schema.Number
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Attachment ${JSON.stringify(this.fileName)} is larger than ${this.maxBytes} bytes`
  }
}

/**
 * The attachment store port. Keys are opaque and scoped by workspace: a key of one workspace
 * reads nothing in another.
 *
 * @category services
 * @since 0.1.0
 */
export class AttachmentStore extends Context.Service<
  AttachmentStore,
  {
    /** Streams `content` into the store under a new key, counting and hashing it on the way. */
    readonly put: <E>(
      workspaceId: WorkspaceId,
      content: Stream.Stream<Uint8Array, E>,
      options: PutOptions
    ) => Effect.Effect<StoredAttachment, AttachmentTooLarge | StoreError | E>
    /** The bytes stored under `key`, if any. */
    readonly get: (
      workspaceId: WorkspaceId,
      key: string
    ) => Effect.Effect<Option.Option<Stream.Stream<Uint8Array, StoreError>>, StoreError>
    /** Removes what `key` holds; removing a missing key is not an error. */
    readonly remove: (workspaceId: WorkspaceId, key: string) => Effect.Effect<void, StoreError>
  }
>()("@tessera/core/AttachmentStore") {}
