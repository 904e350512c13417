/**
 * A tracer for tests that keeps every span it starts, in start order: install it with
 * `Effect.withTracer(recording.tracer)` and read what was traced (`spans`, `named`).
 *
 * @since 0.1.0
 */
import { Tracer } from "effect"

/**
 * What `make` gives: the tracer, the spans it started, and those of one name.
 *
 * @category models
 * @since 0.1.0
 */
export interface Recording {
  /** The tracer to install (`Effect.withTracer`). */
  readonly tracer: Tracer.Tracer
  /** Every span it started, in start order. */
  readonly spans: ReadonlyArray<Tracer.NativeSpan>
  /** The spans it started with this name, in start order. */
  readonly named: (name: string) => ReadonlyArray<Tracer.NativeSpan>
  /** Forgets the spans started so far (those of a test's setup, say). */
  readonly clear: () => void
}

/**
 * A new recording tracer, with no spans yet.
 *
 * @example
 * const { tracer, named } = RecordingTracer.make()
 * yield* worker.drainOnce.pipe(Effect.withTracer(tracer))
 * expect(named("Worker.settle")).toHaveLength(1)
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (): Recording => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return {
    spans,
    tracer,
    named: (name) => spans.filter((span) => span.name === name),
    clear: () => {
      spans.length = 0
    }
  }
}
