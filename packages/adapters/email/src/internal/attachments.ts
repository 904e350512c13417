/**
 * Streams one attachment mailparser emits into the `AttachmentStore` under the attachment size
 * limit, then lets mailparser go on with the message. The name a sender gave is only a display
 * name here: paths, control and bidi-override characters are dropped before anything sees it.
 * An attachment the store refuses as too large is left out with a problem, never half kept.
 */

import { AttachmentStore, type Ids } from "@tessera/core"
import { Effect } from "effect"
import type { AttachmentStream } from "mailparser"
import { StorageFailed, Unreadable } from "../EmailError.js"
import type * as Inbound from "../Inbound.js"
import { fromReadable } from "./readable.js"

/** What became of one attachment. */
export type Outcome =
  | {
      readonly _tag: "Stored"
      readonly attachment: Omit<Inbound.InboundAttachment, "inline">
      readonly problem: string | undefined
    }
  | { readonly _tag: "Skipped"; readonly problem: string }

const maxNameLength = 255

/** Control characters, and the marks that reorder text (a name shown as `gpj.exe` reversed). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * A file name safe to show and to use as a download name: the last path segment, without control
 * or bidi-override characters, leading dots or surrounding spaces, at most 255 characters.
 */
export const safeFileName = (name: unknown): string => {
  const base = (typeof name === "string" ? name : "").split(/[/\\]/).pop() ?? ""
  const cleaned = base.replace(unsafeCharacters, "").trim().replace(/^\.+/, "").trim()
  return cleaned.length === 0 ? "attachment" : cleaned.slice(0, maxNameLength)
}

// mailparser's fields are typed as strings but can be `false` on broken input (an empty Content-Type).
const contentTypeOf = (value: unknown): string => {
  const type = typeof value === "string" ? value.trim().toLowerCase() : ""
  return /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/.test(type) ? type : "application/octet-stream"
}

const contentIdOf = (attachment: AttachmentStream): string | undefined => {
  const cid = typeof attachment.cid === "string" ? attachment.cid.trim() : undefined
  return cid === undefined || cid.length === 0 || cid.length > 998 ? undefined : cid
}

/** Lets mailparser continue: the rest of the content is discarded, the attachment released. */
const release = (attachment: AttachmentStream) =>
  Effect.sync(() => {
    if (!attachment.content.readableEnded) attachment.content.resume()
    attachment.release?.()
  })

/**
 * Stores `attachment` in the workspace's `AttachmentStore`, refusing more than `maxBytes`.
 */
export const store = (
  attachment: AttachmentStream,
  options: { readonly workspaceId: Ids.WorkspaceId; readonly maxBytes: number }
): Effect.Effect<Outcome, StorageFailed | Unreadable, AttachmentStore.AttachmentStore> =>
  Effect.gen(function* () {
    const attachments = yield* AttachmentStore.AttachmentStore
    const fileName = safeFileName(attachment.filename)
    const contentType = contentTypeOf(attachment.contentType)
    const content = fromReadable(
      attachment.content,
      (error) => new Unreadable({ reason: `attachment ${JSON.stringify(fileName)} could not be decoded`, cause: error })
    )
    const stored = yield* attachments
      .put(options.workspaceId, content, {
        fileName,
        contentType,
        maxBytes: options.maxBytes
      })
      .pipe(
        Effect.map((stored) => ({ _tag: "Stored" as const, stored })),
        Effect.catchTag("AttachmentTooLarge", () =>
          Effect.succeed({
            _tag: "Skipped" as const,
            problem: `attachment ${JSON.stringify(fileName)} is larger than ${options.maxBytes} bytes and was not kept`
          })
        ),
        Effect.mapError((error) =>
          error._tag === "Unreadable"
            ? error
            : new StorageFailed({ reason: `attachment ${JSON.stringify(fileName)}: ${error.message}`, cause: error })
        ),
        Effect.ensuring(release(attachment))
      )
    if (stored._tag === "Skipped") return stored
    const renamed = typeof attachment.filename === "string" && attachment.filename !== fileName
    return {
      _tag: "Stored",
      attachment: {
        fileName,
        contentType,
        size: stored.stored.size,
        sha256: stored.stored.sha256,
        location: stored.stored.key,
        contentId: contentIdOf(attachment)
      },
      problem: renamed
        ? `attachment name ${JSON.stringify(attachment.filename?.slice(0, 300))} kept as ${JSON.stringify(fileName)}`
        : undefined
    } satisfies Outcome
  })
