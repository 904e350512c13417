/**
 * The feed of the SQL ticket store (`readAll`): the committed events after a position, in
 * position order, from the `events` table's global `position` column (one workspace's through
 * its `(workspace_id, position)` index). It only reads; handing out positions in commit order is
 * the appends' business.
 */
import { EventFeed, type Ids, StoreError, type TicketStore } from "@tessera/core"
import { Effect, Result } from "effect"
import { decodeEventResult, type Shared } from "./Shared.js"

/**
 * The store's `readAll`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { key, unkey, run } = shared

  const readAll = (
    after: number,
    limit: number,
    options: TicketStore.ReadAllOptions = {}
  ): Effect.Effect<ReadonlyArray<TicketStore.CommittedEvent>, StoreError.StoreError> => {
    const invalid = EventFeed.invalidRange(after, limit)
    if (invalid !== undefined) return Effect.die(invalid)
    const { workspaceId } = options
    return Effect.flatMap(
      run("readAll", (db) =>
        db
          .selectFrom("events")
          .select(["position", "workspace_id", "stream_id", "version", "data"])
          .where("position", ">", after)
          .$if(workspaceId !== undefined, (q) => q.where("workspace_id", "=", key(workspaceId as string)))
          .orderBy("position")
          .limit(limit)
          .execute()
      ),
      (rows) => {
        const items: Array<TicketStore.CommittedEvent> = []
        for (const row of rows) {
          const ticketId = unkey(row.stream_id) as Ids.TicketId
          const decoded = decodeEventResult(row.data)
          if (Result.isFailure(decoded)) {
            return Effect.fail(
              new StoreError.CorruptEvent({ ticketId, version: Number(row.version), issue: decoded.failure.message })
            )
          }
          items.push({
            position: Number(row.position),
            // A stream that held no ticket after its append has no workspace (stored as "").
            workspaceId: row.workspace_id === "" ? undefined : (unkey(row.workspace_id) as Ids.WorkspaceId),
            ticketId,
            version: Number(row.version),
            event: decoded.success
          })
        }
        return Effect.succeed(items)
      }
    )
  }

  return { readAll }
}
