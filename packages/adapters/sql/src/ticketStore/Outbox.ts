/**
 * The `Outbox` port on the SQL store's `outbox` table, which its appends write to (in the
 * append's transaction). Claims lease the ready rows they pick in one statement, oldest first, so
 * a message is delivered at least once and never by two deliverers at a time. A dead letter keeps
 * its row, with `dead_at` set and `available_at` at `DeadLetterReady`, past any claim's `now`: the
 * claim's range on the ready index ends before it, so dead rows cost claims nothing.
 */
import { type Ids, Outbox } from "@tessera/core"
import { DateTime, Effect } from "effect"
import * as DriverError from "../internal/DriverError.js"
import { millis, type Shared } from "./Shared.js"

/**
 * The `available_at` of a dead letter: later than any instant a `DateTime` holds (8.64e15 ms), so
 * no claim reaches it, and still exact as a JavaScript number and a 64-bit integer.
 *
 * @category models
 * @since 0.1.0
 */
export const DeadLetterReady = Number.MAX_SAFE_INTEGER

/** The columns a message is read back with. */
const columns = [
  "id",
  "workspace_id",
  "ticket_id",
  "channel",
  "payload",
  "created_at",
  "attempts",
  "last_error"
] as const

/**
 * The outbox of the store.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared): Outbox.Outbox["Service"] => {
  const { dialect, key, unkey, run } = shared
  return Outbox.Outbox.of({
    claim: (channel, now, limit, leaseMillis) =>
      run("claim", (db) => {
        const at = millis(now)
        return dialect.claim(db, {
          table: "outbox",
          pick: (on) =>
            on
              .selectFrom("outbox")
              .select("id")
              .where("channel", "=", key(channel))
              .where("available_at", "<=", at)
              .orderBy("created_at")
              .orderBy(dialect.insertionOrder)
              .limit(Math.max(0, limit)),
          leaseUntil: at + leaseMillis,
          columns
        })
      }).pipe(
        Effect.flatMap((rows) =>
          Effect.try({
            try: () =>
              rows
                .map((r) => ({ ...r, created_at: Number(r.created_at), seq: Number(r.seq) }))
                .sort((a, b) => a.created_at - b.created_at || a.seq - b.seq)
                .map(
                  (r): Outbox.ClaimedMessage => ({
                    id: unkey(r.id),
                    workspaceId: unkey(r.workspace_id) as Ids.WorkspaceId,
                    ticketId: unkey(r.ticket_id) as Ids.TicketId,
                    channel: unkey(r.channel),
                    payload: JSON.parse(r.payload),
                    createdAt: DateTime.makeUnsafe(r.created_at),
                    attempts: Number(r.attempts),
                    ...(r.last_error === null ? {} : { lastError: unkey(r.last_error) })
                  })
                ),
            catch: (cause) => DriverError.unavailable("claim", cause)
          })
        )
      ),
    complete: (id) =>
      run("complete", (db) => db.deleteFrom("outbox").where("id", "=", key(id)).execute()).pipe(Effect.asVoid),
    retry: (id, retryAt, error) =>
      run("retry", (db) =>
        db
          .updateTable("outbox")
          .set((eb) => ({
            attempts: eb("attempts", "+", 1),
            available_at: millis(retryAt),
            ...(error === undefined ? {} : { last_error: key(error) })
          }))
          .where("id", "=", key(id))
          .where("dead_at", "is", null)
          .execute()
      ).pipe(Effect.asVoid),
    deadLetter: (id, now, error) =>
      run("deadLetter", (db) =>
        db
          .updateTable("outbox")
          .set((eb) => ({
            attempts: eb("attempts", "+", 1),
            available_at: DeadLetterReady,
            last_error: key(error),
            dead_at: millis(now)
          }))
          .where("id", "=", key(id))
          .where("dead_at", "is", null)
          .execute()
      ).pipe(Effect.asVoid),
    deadLetters: (workspaceId, limit) =>
      run("deadLetters", (db) =>
        db
          .selectFrom("outbox")
          .select([...columns, "dead_at"])
          .where("workspace_id", "=", key(workspaceId))
          .where("dead_at", "is not", null)
          .orderBy("dead_at")
          .orderBy("id")
          .limit(Math.max(0, limit))
          .execute()
      ).pipe(
        Effect.flatMap((rows) =>
          Effect.try({
            try: () =>
              rows.map(
                (r): Outbox.DeadLetter => ({
                  id: unkey(r.id),
                  workspaceId: unkey(r.workspace_id) as Ids.WorkspaceId,
                  ticketId: unkey(r.ticket_id) as Ids.TicketId,
                  channel: unkey(r.channel),
                  payload: JSON.parse(r.payload),
                  createdAt: DateTime.makeUnsafe(Number(r.created_at)),
                  attempts: Number(r.attempts),
                  lastError: r.last_error === null ? "" : unkey(r.last_error),
                  deadAt: DateTime.makeUnsafe(Number(r.dead_at))
                })
              ),
            catch: (cause) => DriverError.unavailable("deadLetters", cause)
          })
        )
      ),
    requeue: (id) =>
      run("requeue", (db) =>
        db
          .updateTable("outbox")
          .set({ attempts: 0, available_at: 0, dead_at: null })
          .where("id", "=", key(id))
          .where("dead_at", "is not", null)
          .executeTakeFirst()
      ).pipe(Effect.map((result) => Number(result.numUpdatedRows) > 0))
  })
}
