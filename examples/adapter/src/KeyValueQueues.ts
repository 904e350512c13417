/**
 * The timers and the outbox of the example adapter (`KeyValueTicketStore`): each timer or message
 * waits in a bucket of its own with its lease and attempts; a claim takes the ready ones in order
 * and leases them in one transaction, and outbox messages keep their last error and dead letters.
 * The ticket store's appends write to them inside their own transaction through `schedule` and
 * `pending`.
 */
import { Outbox, type StoreError, Timers } from "@tessera/core"
import { DateTime, type Effect } from "effect"
import * as KeyValue from "./KeyValue.js"

/** A timer or an outbox message waiting, with its lease (epoch milliseconds) and attempts. */
interface Pending {
  readonly value: unknown
  readonly order: number
  readonly availableAt: number
  readonly attempts: number
  /** An outbox message's last error, and when it became a dead letter (never claimed while one). */
  readonly lastError?: string
  readonly deadAt?: number
}

const key = KeyValue.key
const millis = DateTime.toEpochMillis

/**
 * The timers and the outbox on `db`; `run` runs one operation (its failure the retryable
 * `StoreUnavailable`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  db: KeyValue.KeyValue,
  run: <A>(operation: string, query: () => Promise<A>) => Effect.Effect<A, StoreError.StoreUnavailable>
) => {
  let order = 0
  const pending = (value: unknown): string =>
    JSON.stringify({ value, order: order++, availableAt: 0, attempts: 0 } satisfies Pending)

  const schedule = (tx: KeyValue.Transaction, timer: Timers.Timer) => {
    if (tx.get(key("timer-workspace", timer.id)) !== undefined) return
    tx.put(key("timer-workspace", timer.id), timer.workspaceId)
    tx.put(key("timer", timer.workspaceId, timer.id), pending({ ...timer, dueAt: millis(timer.dueAt) }))
  }

  /** The first `limit` entries of a bucket ready at `at` in `rank` order, leased until `at + lease`. */
  const claim = (
    tx: KeyValue.Transaction,
    bucket: string,
    ready: (value: Record<string, unknown>) => boolean,
    rank: (value: Record<string, unknown>) => number,
    at: number,
    limit: number,
    lease: number
  ): ReadonlyArray<Pending & { readonly value: Record<string, unknown> }> => {
    const due = tx
      .scan(bucket)
      .map(([name, stored]) => ({ name, entry: JSON.parse(stored) as Pending & { value: Record<string, unknown> } }))
      .filter(({ entry }) => ready(entry.value) && entry.availableAt <= at)
      .sort((a, b) => rank(a.entry.value) - rank(b.entry.value) || a.entry.order - b.entry.order)
      .slice(0, Math.max(0, limit))
    for (const { name, entry } of due) tx.put(name, JSON.stringify({ ...entry, availableAt: at + lease }))
    return due.map(({ entry }) => entry)
  }

  const timers = Timers.Timers.of({
    schedule: (timer) => run("schedule", () => db.transact((tx) => schedule(tx, timer))),
    claimDue: (workspaceId, now, limit, leaseMillis) =>
      run("claimDue", () =>
        db.transact((tx) =>
          claim(
            tx,
            key("timer", workspaceId),
            (t) => (t.dueAt as number) <= millis(now),
            (t) => t.dueAt as number,
            millis(now),
            limit,
            leaseMillis
          ).map(({ value }) => ({
            ...(value as unknown as Timers.Timer),
            dueAt: DateTime.makeUnsafe(value.dueAt as number)
          }))
        )
      ),
    complete: (id) =>
      run("complete", () =>
        db.transact((tx) => {
          const workspaceId = tx.get(key("timer-workspace", id))
          if (workspaceId === undefined) return
          tx.delete(key("timer-workspace", id))
          tx.delete(key("timer", workspaceId, id))
        })
      )
  })

  /** The workspace of a stored outbox message. */
  const deadLetterWorkspace = (entry: Pending) => (entry.value as { readonly workspaceId: string }).workspaceId

  /** Rewrites a stored outbox message with `change` (`undefined`: left as it is); returns what was written. */
  const updateMessage = (
    tx: KeyValue.Transaction,
    id: string,
    change: (entry: Pending) => Pending | undefined
  ): { readonly channel: string; readonly entry: Pending } | undefined => {
    const channel = tx.get(key("outbox-channel", id))
    const stored = channel === undefined ? undefined : tx.get(key("outbox", channel, id))
    if (channel === undefined || stored === undefined) return undefined
    const entry = change(JSON.parse(stored) as Pending)
    if (entry === undefined) return undefined
    tx.put(key("outbox", channel, id), JSON.stringify(entry))
    return { channel, entry }
  }

  const outbox = Outbox.Outbox.of({
    claim: (channel, now, limit, leaseMillis) =>
      run("claim", () =>
        db.transact((tx) =>
          claim(
            tx,
            key("outbox", channel),
            () => true,
            (m) => m.createdAt as number,
            millis(now),
            limit,
            leaseMillis
          ).map(
            ({ value, attempts, lastError }): Outbox.ClaimedMessage => ({
              ...(value as unknown as Outbox.OutboxMessage),
              createdAt: DateTime.makeUnsafe(value.createdAt as number),
              attempts,
              ...(lastError === undefined ? {} : { lastError })
            })
          )
        )
      ),
    complete: (id) =>
      run("complete", () =>
        db.transact((tx) => {
          const channel = tx.get(key("outbox-channel", id))
          if (channel === undefined) return
          const stored = tx.get(key("outbox", channel, id))
          const entry = stored === undefined ? undefined : (JSON.parse(stored) as Pending)
          if (entry?.deadAt !== undefined) tx.delete(key("outbox-dead", deadLetterWorkspace(entry), id))
          tx.delete(key("outbox-channel", id))
          tx.delete(key("outbox", channel, id))
        })
      ),
    retry: (id, retryAt, error) =>
      run("retry", () =>
        db.transact((tx) =>
          updateMessage(tx, id, (entry) =>
            entry.deadAt !== undefined
              ? undefined
              : {
                  ...entry,
                  attempts: entry.attempts + 1,
                  availableAt: millis(retryAt),
                  ...(error === undefined ? {} : { lastError: error })
                }
          )
        )
      ),
    deadLetter: (id, now, error) =>
      run("deadLetter", () =>
        db.transact((tx) => {
          const dead = updateMessage(tx, id, (entry) =>
            entry.deadAt !== undefined
              ? undefined
              : {
                  ...entry,
                  attempts: entry.attempts + 1,
                  // Past any claim's `now`: a dead letter is never claimed.
                  availableAt: Number.MAX_SAFE_INTEGER,
                  lastError: error,
                  deadAt: millis(now)
                }
          )
          if (dead !== undefined) tx.put(key("outbox-dead", deadLetterWorkspace(dead.entry), id), dead.channel)
        })
      ),
    deadLetters: (workspaceId, limit) =>
      run("deadLetters", () =>
        db.transact((tx) =>
          tx
            .scan(key("outbox-dead", workspaceId))
            .flatMap(([name, channel]) => {
              const stored = tx.get(key("outbox", channel, decodeURIComponent(name.split("/").at(-1) ?? "")))
              if (stored === undefined) return []
              const { value, attempts, lastError, deadAt } = JSON.parse(stored) as Pending & {
                readonly value: Record<string, unknown>
              }
              return [
                {
                  ...(value as unknown as Outbox.OutboxMessage),
                  createdAt: DateTime.makeUnsafe(value.createdAt as number),
                  attempts,
                  lastError: lastError ?? "",
                  deadAt: DateTime.makeUnsafe(deadAt ?? 0)
                } satisfies Outbox.DeadLetter
              ]
            })
            .sort((a, b) => millis(a.deadAt) - millis(b.deadAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, Math.max(0, limit))
        )
      ),
    requeue: (id) =>
      run("requeue", () =>
        db.transact((tx) => {
          const requeued = updateMessage(tx, id, ({ deadAt, ...entry }) =>
            deadAt === undefined ? undefined : { ...entry, attempts: 0, availableAt: 0 }
          )
          if (requeued !== undefined) tx.delete(key("outbox-dead", deadLetterWorkspace(requeued.entry), id))
          return requeued !== undefined
        })
      )
  })

  return { schedule, pending, timers, outbox }
}
