/**
 * Tracing for the `Helpdesk`'s operations: each call runs in a span `Helpdesk.<operation>`
 * (`Effect.fn`) that carries the workspace, the tickets the input names and the ticket it
 * returns, and that ends failed, with the error's tag as `error.type`, when the operation fails.
 * The spans go to whatever `Tracer` the caller provides; under Effect's default one, which exports
 * nothing, no span is made at all (a command's cost, not its outcome). Exporting them, to
 * OpenTelemetry or elsewhere, is the application's choice (`docs/observability.md`).
 */
import { Effect } from "effect"
import { whenTraced } from "./Tracing.js"

/**
 * The names of the span attributes the help desk sets: the workspace, the ticket the input names
 * (a public number or an id, as given), the other tickets it names (a link's `to`, a merge's
 * sources), and the id and public number of the ticket the operation returns.
 *
 * @category models
 * @since 0.1.0
 */
export const attributes = {
  workspace: "tessera.workspace",
  ticket: "tessera.ticket",
  relatedTickets: "tessera.related_tickets",
  ticketId: "tessera.ticket_id",
  ticketNumber: "tessera.ticket_number",
  errorType: "error.type"
} as const

/** Operations whose first argument is the ticket reference itself, not an input object. */
const takesTicketRef: ReadonlySet<string> = new Set(["get", "messages", "history", "recomputeSla", "applyRules"])

/** A ticket reference worth recording: a public number, or a short string (an input may hold anything). */
const asRef = (value: unknown): string | number | undefined =>
  (typeof value === "string" && value.length <= 128) || Number.isSafeInteger(value)
    ? (value as string | number)
    : undefined

const asRefs = (values: unknown): ReadonlyArray<string | number> =>
  Array.isArray(values) ? values.slice(0, 50).flatMap((value) => asRef(value) ?? []) : []

/** The tickets an operation's arguments name, read from the raw input before it is decoded. */
const named = (
  operation: string,
  args: ReadonlyArray<unknown>
): { readonly ticket?: unknown; readonly related?: unknown } => {
  const [first] = args
  if (takesTicketRef.has(operation)) return { ticket: first }
  if (typeof first !== "object" || first === null) return {}
  const input = first as Readonly<Record<string, unknown>>
  switch (operation) {
    case "link":
    case "unlink":
      return { ticket: input.ticket, related: [input.to] }
    case "merge":
      return { ticket: input.target, related: input.sources }
    case "undoMerge":
      return { ticket: input.target, related: [input.source] }
    default:
      return { ticket: input.ticket }
  }
}

/** The span attributes for the tickets an operation's arguments name. */
const inputAttributes = (operation: string, args: ReadonlyArray<unknown>): Record<string, unknown> => {
  const { ticket, related } = named(operation, args)
  const ref = asRef(ticket)
  const refs = asRefs(related)
  return {
    ...(ref === undefined ? {} : { [attributes.ticket]: ref }),
    ...(refs.length === 0 ? {} : { [attributes.relatedTickets]: refs })
  }
}

/** The id and number of the ticket an operation returns (a follow-up after a reply to a closed one). */
const resultAttributes = (result: unknown): Record<string, unknown> => {
  if (typeof result !== "object" || result === null || !("id" in result) || !("publicId" in result)) return {}
  const { id, publicId } = result
  return typeof id === "string" && typeof publicId === "number"
    ? { [attributes.ticketId]: id, [attributes.ticketNumber]: publicId }
    : {}
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

/**
 * `operation` of a help desk on `workspaceId`, traced: each call runs in a span
 * `Helpdesk.<name>` when a tracer is installed (`Tracer.Tracer` other than Effect's
 * `nativeTracer`, which keeps its spans nowhere). `mapError` runs inside the span, so the span
 * records the error the caller gets; without a span it runs all the same.
 *
 * @category combinators
 * @since 0.1.0
 */
export const traced = <Args extends ReadonlyArray<unknown>, A, E, R>(
  workspaceId: string,
  name: string,
  operation: (...args: Args) => Effect.Effect<A, E, R>,
  mapError: (error: E) => E = (error) => error
): ((...args: Args) => Effect.Effect<A, E, R>) => {
  // Made on the first traced call: scoped services build their operations per principal, and
  // with no tracer installed the span-making function is never needed.
  let spanned: ((...args: Args) => Effect.Effect<A, E, R>) | undefined
  return (...args: Args) =>
    whenTraced(
      () => Effect.mapError(operation(...args), mapError),
      () => {
        spanned ??= inSpan(workspaceId, name, operation, mapError)
        return spanned(...args)
      }
    )
}

/** `operation` in a span `Helpdesk.<name>` with the attributes above (see `traced`). */
const inSpan = <Args extends ReadonlyArray<unknown>, A, E, R>(
  workspaceId: string,
  name: string,
  operation: (...args: Args) => Effect.Effect<A, E, R>,
  mapError: (error: E) => E
): ((...args: Args) => Effect.Effect<A, E, R>) =>
  Effect.fn(`Helpdesk.${name}`, { attributes: { [attributes.workspace]: workspaceId } })(
    function* (...args: Args) {
      yield* Effect.annotateCurrentSpan(inputAttributes(name, args))
      const result = yield* operation(...args)
      yield* Effect.annotateCurrentSpan(resultAttributes(result))
      return result
    },
    (effect) =>
      Effect.tapError(Effect.mapError(effect, mapError), (error) => {
        const tag = tagOf(error)
        return tag === undefined ? Effect.void : Effect.annotateCurrentSpan(attributes.errorType, tag)
      })
  )
