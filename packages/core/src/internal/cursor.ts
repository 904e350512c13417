/**
 * Opaque paging cursors: a small JSON payload, checked by its schema, in base64url. Queries and
 * conversation pages each define their payload; what a cursor may be used for (the same sort,
 * the same ticket) is theirs to check once it decodes.
 */
import { Effect, Schema } from "effect"
import { Base64Url } from "effect/encoding"

/**
 * A pagination cursor that this store did not issue for this query.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  cursor: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return "The pagination cursor is not valid for this query"
  }
}

/** Whether every character of `text` is ASCII (its UTF-8 bytes are its character codes). */
const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/**
 * `text` (its UTF-8 bytes) in unpadded base64url, as `Base64Url.encode` gives it. ASCII text (a
 * cursor's JSON, in practice) goes through the platform's `btoa`, some fifty times faster: a
 * queue's page spent more on its cursor than on the rest of its rows.
 */
export const base64Url = (text: string): string =>
  isAscii(text) ? btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : Base64Url.encode(text)

/** The cursor that carries `payload`. */
export const encode =
  <A>(payload: Schema.Codec<A, string>) =>
  (value: A): string =>
    base64Url(Schema.encodeSync(payload)(value))

/** The payload of a cursor this module encoded with `payload`, else `InvalidCursor`. */
export const decode = <A>(payload: Schema.Codec<A, string>, cursor: string): Effect.Effect<A, InvalidCursor> =>
  Effect.mapError(
    Effect.flatMap(Effect.fromResult(Base64Url.decodeString(cursor)), (text) =>
      Schema.decodeUnknownEffect(payload)(text)
    ),
    () => new InvalidCursor({ cursor })
  )
