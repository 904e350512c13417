/**
 * Errors that name an operation (`LimitExceeded`, `StoreUnavailable`) say the one the caller
 * called (`open`), not the internal step that failed (`saveContact`, `nextPublicId`, `ChangeTags`):
 * a caller can only act on what it called. The step is kept in `step`, for logs. Each operation
 * is traced under the same name (`instrument.ts`), so that a span and its error agree.
 */
import type { Effect } from "effect"
import { StoreUnavailable, Unsupported, ValueTooLarge } from "../ports/StoreError.js"
import { LimitExceeded } from "../values/Limits.js"
import { traced } from "./instrument.js"

/** The error as the caller of `operation` should see it; any other error as it is. */
const renamed = (error: unknown, operation: string): unknown => {
  if (error instanceof LimitExceeded && error.operation !== operation) {
    return new LimitExceeded({
      limit: error.limit,
      max: error.max,
      actual: error.actual,
      operation,
      step: error.step === undefined ? error.operation : `${error.operation}: ${error.step}`
    })
  }
  if (error instanceof StoreUnavailable && error.operation !== operation) {
    return new StoreUnavailable({
      operation,
      step: error.step === undefined ? error.operation : `${error.operation}: ${error.step}`,
      reason: error.reason,
      ...(error.cause === undefined ? {} : { cause: error.cause })
    })
  }
  if ((error instanceof Unsupported || error instanceof ValueTooLarge) && error.operation !== operation) {
    const step = error.step === undefined ? error.operation : `${error.operation}: ${error.step}`
    return error instanceof Unsupported
      ? new Unsupported({
          capability: error.capability,
          operation,
          step,
          requested: error.requested,
          supported: error.supported
        })
      : new ValueTooLarge({
          operation,
          step,
          reason: error.reason,
          ...(error.ticketId === undefined ? {} : { ticketId: error.ticketId }),
          ...(error.cause === undefined ? {} : { cause: error.cause })
        })
  }
  return error
}

/**
 * A help desk on `workspaceId` whose every operation (each function returning an Effect, by its
 * key) reports its own name in `LimitExceeded`, `StoreUnavailable`, `Unsupported` and
 * `ValueTooLarge`, and runs in a span `Helpdesk.<key>` (see `instrument.ts`). Other members pass
 * through as they are.
 */
export const nameOperations = <S extends object>(workspaceId: string, service: S): S =>
  Object.fromEntries(
    Object.entries(service).map(([key, member]) => [
      key,
      typeof member === "function"
        ? traced(
            workspaceId,
            key,
            member as (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, unknown>,
            (error) => renamed(error, key)
          )
        : member
    ])
  ) as S
