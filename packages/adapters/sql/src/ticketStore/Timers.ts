/**
 * The `Timers` port on the SQL store's `timers` table, which its appends also write to (in the
 * append's transaction). A claim is one statement that leases the due rows it picks, so two
 * processes never fire the same timer at once (`SqlDialect.claim`).
 */
import { type Ids, Timers } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { millis, type Shared } from "./Shared.js"

/**
 * The timers of the store.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared): Timers.Timers["Service"] => {
  const { dialect, key, unkey, run } = shared
  return Timers.Timers.of({
    schedule: (timer) =>
      run("schedule", (db) =>
        db
          .insertInto("timers")
          .values({
            id: key(timer.id),
            workspace_id: key(timer.workspaceId),
            ticket_id: key(timer.ticketId),
            purpose: key(timer.purpose),
            due_at: millis(timer.dueAt),
            available_at: 0
          })
          .$call((q) => dialect.insertOrIgnore(q, ["id"]))
          .execute()
      ).pipe(Effect.asVoid),
    claimDue: (workspaceId, now, limit, leaseMillis) =>
      run("claimDue", (db) => {
        const at = millis(now)
        // The rows it picks are leased before anyone else can pick them.
        return dialect.claim(db, {
          table: "timers",
          pick: (on) =>
            on
              .selectFrom("timers")
              .select("id")
              .where("workspace_id", "=", key(workspaceId))
              .where("due_at", "<=", at)
              .where("available_at", "<=", at)
              .orderBy("due_at")
              .orderBy(dialect.insertionOrder)
              .limit(Math.max(0, limit)),
          leaseUntil: at + leaseMillis,
          columns: ["id", "workspace_id", "ticket_id", "purpose", "due_at"]
        })
      }).pipe(
        Effect.map((rows) =>
          rows
            .map((r) => ({ ...r, due_at: Number(r.due_at), seq: Number(r.seq) }))
            .sort((a, b) => a.due_at - b.due_at || a.seq - b.seq)
            .map(
              (r): Timers.Timer => ({
                id: unkey(r.id),
                workspaceId: unkey(r.workspace_id) as Ids.WorkspaceId,
                ticketId: unkey(r.ticket_id) as Ids.TicketId,
                purpose: unkey(r.purpose) as Timers.TimerPurpose,
                dueAt: DateTime.makeUnsafe(r.due_at)
              })
            )
        )
      ),
    complete: (id) =>
      run("complete", (db) => db.deleteFrom("timers").where("id", "=", key(id)).execute()).pipe(Effect.asVoid)
  })
}
