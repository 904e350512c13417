/**
 * What the file-backed stores (`FileAttachmentStore`, `FileReviewQueue`) share: a file-system
 * call as an Effect whose failure is core's retryable `StoreUnavailable` naming the operation and
 * the step, and the error code (`ENOENT`, `EEXIST`) of a failed call.
 */
import { createHash } from "node:crypto"
import { mkdir } from "node:fs/promises"
import { join, resolve } from "node:path"
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

/**
 * A file store's directories under `directory`: `partial` for files being written, and one
 * folder per workspace (named by a hash of its id, since workspace ids are free text); both made
 * (private to the owner) if missing.
 */
export const layout = (directory: string) =>
  Effect.gen(function* () {
    const root = resolve(directory)
    const partial = join(root, "partial")
    const workspaces = join(root, "workspaces")
    yield* attempt("make", "mkdir", () => mkdir(partial, { recursive: true, mode: 0o700 }))
    yield* attempt("make", "mkdir", () => mkdir(workspaces, { recursive: true, mode: 0o700 }))
    const folderOf = (workspaceId: string) => join(workspaces, createHash("sha256").update(workspaceId).digest("hex"))
    return { root, partial, folderOf }
  })
