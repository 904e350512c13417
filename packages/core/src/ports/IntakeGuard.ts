/**
 * The port that keeps inbound channels honest across deliveries: idempotency keys (the same
 * email twice, a re-polled mailbox, a retried webhook, produce one result) and counters over a
 * sliding time window (a sender's rate, the help desk's own messages per ticket or recipient). It holds
 * short-lived facts only; what a message did to a ticket lives in the ticket store. Time comes
 * from Effect's `Clock`, so windows and expiries follow a `TestClock` in tests.
 */
import { Context, type Effect } from "effect"
import type { StoreError } from "./StoreError.js"

/**
 * What claiming an idempotency key found: nobody had it (`Claimed`: go ahead, then `complete`
 * or `release` it), someone is working on it now (`InProgress`), or it was done and this is what
 * it gave (`Done`, with the `result` passed to `complete`).
 *
 * @category models
 * @since 0.1.0
 */
export type Claim =
  | { readonly _tag: "Claimed" }
  | { readonly _tag: "InProgress" }
  | { readonly _tag: "Done"; readonly result: string }

/**
 * One count against a limit in a sliding window: whether this one is within the limit, how many
 * counts the window holds with it, and when (epoch ms) the oldest of them leaves the window (the
 * count drops then; it is back under the limit once enough have left).
 *
 * @category models
 * @since 0.1.0
 */
export interface Count {
  readonly allowed: boolean
  readonly count: number
  readonly resetAt: number
}

/**
 * The intake guard port. Keys are opaque strings chosen by the caller (they carry the workspace);
 * an adapter shared by several processes (Redis, issue 19) makes `claim` and `count` atomic
 * across them, which is what makes intake idempotent between processes.
 *
 * @category services
 * @since 0.1.0
 */
export class IntakeGuard extends Context.Service<
  IntakeGuard,
  {
    /**
     * Claims `key` for `ttlMillis`: a claim not completed or released by then lapses (the
     * process that held it died), so the message can be taken in again.
     */
    readonly claim: (key: string, ttlMillis: number) => Effect.Effect<Claim, StoreError>
    /** Records the result of a claimed key, kept for `ttlMillis`; later claims get `Done`. */
    readonly complete: (key: string, result: string, ttlMillis: number) => Effect.Effect<void, StoreError>
    /** Gives a claimed key up (the work failed): the next claim gets it. */
    readonly release: (key: string) => Effect.Effect<void, StoreError>
    /**
     * Counts one more under `key` in a sliding window: the counts of the last `windowMillis`
     * (those at `now - windowMillis` or earlier have left it). `allowed` is false when the window
     * holds more than `limit` counts with this one (refused counts still count, so a sender who
     * keeps sending stays refused). Unlike fixed windows, no boundary lets `2 * limit` through
     * in a short time.
     */
    readonly count: (key: string, limit: number, windowMillis: number) => Effect.Effect<Count, StoreError>
  }
>()("@tessera/core/IntakeGuard") {}
