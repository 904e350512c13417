/**
 * The port that names things: every id the domain creates comes from here, so tests can make
 * them deterministic. The default is time-ordered (sortable like a ULID: Crockford base32 of the
 * `Clock`'s milliseconds, then randomness from Effect's `Random`).
 */
import { Clock, Context, Effect, Layer, Random, Ref } from "effect"
import { ticketIdPrefix } from "../values/Ids.js"

/**
 * What an id is for; it becomes the id's prefix (`tkt_...`, `msg_...`). A custom generator
 * should put it in front of its ids; the `Helpdesk` adds it to one that does not (`prefixed`).
 *
 * @category models
 * @since 0.1.0
 */
export type IdKind = "ticket" | "message" | "contact" | "organization" | "agent" | "group"

const prefixes: Record<IdKind, string> = {
  ticket: ticketIdPrefix,
  message: "msg_",
  contact: "con_",
  organization: "org_",
  agent: "agt_",
  group: "grp_"
}

/**
 * The prefix every id of a kind carries (`tkt_`, `msg_`, ...): it is what tells an internal
 * ticket id from a public number in a ticket reference.
 *
 * @category models
 * @since 0.1.0
 */
export const prefix = (kind: IdKind): string => prefixes[kind]

/**
 * A generator whose ids all carry their kind's prefix: an id a custom generator gives without
 * it gets it put in front (`7f3a` becomes `tkt_7f3a`). The `Helpdesk` asks for ids through it,
 * so an internal ticket id can always be told from a public number.
 *
 * @category combinators
 * @since 0.1.0
 */
export const prefixed = (generator: IdGenerator["Service"]): IdGenerator["Service"] =>
  IdGenerator.of({
    next: (kind) =>
      Effect.mapEager(generator.next(kind), (id) => (id.startsWith(prefixes[kind]) ? id : `${prefixes[kind]}${id}`))
  })

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
    // One step: the fiber's `Clock` and `Random` read directly, as `Clock.currentTimeMillis` and
    // `Random.nextIntBetween(0, 32 ** 4, { halfOpen: true })` would (the same draws, in order),
    // without an effect per read: every command takes an id or two.
    next: (kind) =>
      Effect.withFiber((fiber) => {
        const millis = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
        const random = fiber.getRef(Random.Random)
        let drawn = ""
        for (let i = 0; i < 4; i++) drawn += base32(Math.floor(random.nextDoubleUnsafe() * 32 ** 4), 4)
        return Effect.succeed(`${prefixes[kind]}${base32(millis, 10)}${drawn}`)
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
      next: (kind) => Ref.modify(counter, (n) => [`${prefixes[kind]}${n + 1}`, n + 1] as const)
    })
  })
)
