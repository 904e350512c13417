/**
 * The port that names things: every id the domain creates comes from here, so tests can make
 * them deterministic. The default is time-ordered (sortable like a ULID: Crockford base32 of the
 * `Clock`'s milliseconds, then randomness from Effect's `Random`).
 */
import { Clock, Context, Effect, Layer, Random, Ref } from "effect"

/**
 * What an id is for; it becomes the id's prefix (`tkt_...`, `msg_...`).
 *
 * @category models
 * @since 0.1.0
 */
export type IdKind = "ticket" | "message" | "contact" | "organization" | "agent" | "group"

const prefixes: Record<IdKind, string> = {
  ticket: "tkt",
  message: "msg",
  contact: "con",
  organization: "org",
  agent: "agt",
  group: "grp"
}

/**
 * The id generator port.
 *
 * @category services
 * @since 0.1.0
 */
export class IdGenerator extends Context.Service<
  IdGenerator,
  {
    /** A new id of the given kind, carrying the kind's prefix. */
    readonly next: (kind: IdKind) => Effect.Effect<string>
  }
>()("@tessera/core/IdGenerator") {}

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

const base32 = (value: number, length: number): string => {
  let out = ""
  let rest = value
  for (let i = 0; i < length; i++) {
    out = alphabet[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

/**
 * Time-ordered ids: 10 characters of milliseconds, 16 of randomness (80 bits).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerTimeOrdered: Layer.Layer<IdGenerator> = Layer.succeed(
  IdGenerator,
  IdGenerator.of({
    next: (kind) =>
      Effect.gen(function* () {
        const millis = yield* Clock.currentTimeMillis
        let random = ""
        for (let i = 0; i < 4; i++) random += base32(yield* Random.nextIntBetween(0, 32 ** 4, { halfOpen: true }), 4)
        return `${prefixes[kind]}_${base32(millis, 10)}${random}`
      })
  })
)

/**
 * Sequential ids (`tkt_1`, `msg_2`, ...), for tests and examples: the same program always
 * produces the same ids.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerSequential: Layer.Layer<IdGenerator> = Layer.effect(
  IdGenerator,
  Effect.gen(function* () {
    const counter = yield* Ref.make(0)
    return IdGenerator.of({
      next: (kind) => Ref.modify(counter, (n) => [`${prefixes[kind]}_${n + 1}`, n + 1] as const)
    })
  })
)
