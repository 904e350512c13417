/**
 * What the file-backed stores (`FileAttachmentStore`, `FileReviewQueue`) share: a file-system
 * call as an Effect whose failure is core's retryable `StoreUnavailable` naming the operation and
 * the step, and the error code (`ENOENT`, `EEXIST`) of a failed call.
 */
import { StoreError } from "@tessera/core"
import { Effect } from "effect"

/** The `code` of a Node.js system error, if it has one. */
export const codeOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

/** A failed file-system step of `operation` as a retryable `StoreUnavailable`. */
export const fail = (operation: string, step: string) => (cause: unknown) =>
  new StoreError.StoreUnavailable({
    operation,
    step,
    reason: cause instanceof Error ? cause.message : String(cause),
    cause
  })

/** Runs one file-system step of `operation`. */
export const attempt = <A>(operation: string, step: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: fail(operation, step) })
