/**
 * Spans only where someone keeps them: under Effect's default tracer (`Tracer.nativeTracer`),
 * which exports nothing, a span costs a call its time and tells no one anything. The help desk's
 * operations (`instrument`) and the adapters' workers choose their traced form with `whenTraced`.
 *
 * @since 0.1.0
 */
import { Effect, Tracer } from "effect"

/**
 * `traced()` when the fiber runs under a tracer other than Effect's `nativeTracer` (one that
 * keeps or exports its spans), else `plain()`: the same work, without making spans nobody sees.
 *
 * @example
 * const settle = (id: string, effect: Effect.Effect<void>) =>
 *   Tracing.whenTraced(
 *     () => effect,
 *     () => Effect.withSpan(effect, "Worker.settle", { attributes: { "tessera.outbox_id": id } })
 *   )
 *
 * @category combinators
 * @since 0.1.0
 */
export const whenTraced = <A, E, R>(
  plain: () => Effect.Effect<A, E, R>,
  traced: () => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => (fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer ? plain() : traced()))
