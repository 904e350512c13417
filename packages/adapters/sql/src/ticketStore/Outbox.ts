/**
 * The `Outbox` port on the SQL store's `outbox` table, which its appends write to (in the
 * append's transaction). Claims lease the ready rows they pick in one statement, oldest first, so
 * a message is delivered at least once and never by two deliverers at a time.
 */
import { type Ids, Outbox } from "@tessera/core"
import { DateTime, Effect } from "effect"
import * as DriverError from "../internal/DriverError.js"
import { millis, type Shared } from "./Shared.js"

/**
 * The outbox of the store.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared): Outbox.Outbox["Service"] => {
  const { db, dialect, key, unkey, run } = shared
  return Outbox.Outbox.of({
    claim: (channel, now, limit, leaseMillis) =>
      run("claim", () => {
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
          columns: ["id", "workspace_id", "ticket_id", "channel", "payload", "created_at", "attempts"]
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
                    attempts: Number(r.attempts)
                  })
                ),
            catch: (cause) => DriverError.unavailable("claim", cause)
          })
        )
      ),
    complete: (id) =>
      run("complete", () => db.deleteFrom("outbox").where("id", "=", key(id)).execute()).pipe(Effect.asVoid),
    retry: (id, retryAt) =>
      run("retry", () =>
        db
          .updateTable("outbox")
          .set((eb) => ({ attempts: eb("attempts", "+", 1), available_at: millis(retryAt) }))
          .where("id", "=", key(id))
          .execute()
      ).pipe(Effect.asVoid)
  })
}
