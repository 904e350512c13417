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

/** The cursor that carries `payload`. */
export const encode =
  <A>(payload: Schema.Codec<A, string>) =>
  (value: A): string =>
    Base64Url.encode(Schema.encodeSync(payload)(value))

/** The payload of a cursor this module encoded with `payload`, else `InvalidCursor`. */
export const decode = <A>(payload: Schema.Codec<A, string>, cursor: string): Effect.Effect<A, InvalidCursor> =>
  Effect.mapError(
    Effect.flatMap(Effect.fromResult(Base64Url.decodeString(cursor)), (text) =>
      Schema.decodeUnknownEffect(payload)(text)
    ),
    () => new InvalidCursor({ cursor })
  )
