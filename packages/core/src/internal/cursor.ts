/**
 * Opaque paging cursors: a small JSON payload, checked by its schema, in base64url. Queries and
 * conversation pages each define their payload; what a cursor may be used for (the same sort,
 * the same ticket) is theirs to check once it decodes.
 */
import { Effect, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { InvalidCursor } from "../ports/StoreError.js"

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
