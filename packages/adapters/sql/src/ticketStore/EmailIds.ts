/**
 * Email ids on SQL: `findByEmailId` reads the ticket an email `Message-ID` was first recorded on
 * from `email_message_ids`, which every append writes in its transaction (`Writes`), through the
 * dialect's keying (`SqlDialect.emailIds`). When an append is refused because another already
 * recorded one of its ids (the insert violates the table's key, the transaction rolled back),
 * `holder` finds which ticket holds it, for the `EmailMessageRecorded` the append fails with.
 */
import { type Ids, StoreError } from "@tessera/core"
import { Effect, Option } from "effect"
import type { Shared } from "./Shared.js"

/**
 * An append's recordings: the email ids a stream's events record as new messages
 * (`EventStore.recordedEmailIds`, as given, not `key`ed) in its workspace.
 *
 * @category models
 * @since 0.1.0
 */
export interface Recorded {
  readonly ticketId: Ids.TicketId
  readonly workspaceId: string
  readonly messageIds: ReadonlyArray<string>
}

/**
 * The email-id operations of the store.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { dialect, key, unkey, run } = shared

  const findByEmailId = (
    workspaceId: Ids.WorkspaceId,
    messageId: string
  ): Effect.Effect<Option.Option<Ids.TicketId>, StoreError.StoreError> =>
    run("findByEmailId", (db) =>
      db
        .selectFrom("email_message_ids")
        .select("ticket_id")
        .where("workspace_id", "=", key(workspaceId))
        .where(dialect.emailIds.matches(key(messageId)))
        .executeTakeFirst()
    ).pipe(Effect.map((row) => (row === undefined ? Option.none() : Option.some(unkey(row.ticket_id) as Ids.TicketId))))

  /**
   * The refusal of the first of `recorded`'s ids (in order) that a ticket holds, if any: read
   * after an append's transaction rolled back on the table's key, so the holder is another's.
   */
  const holder = (
    recorded: ReadonlyArray<Recorded>
  ): Effect.Effect<StoreError.EmailMessageRecorded | undefined, StoreError.StoreError> =>
    Effect.gen(function* () {
      for (const { workspaceId, messageIds } of recorded) {
        for (const messageId of messageIds) {
          const found = yield* findByEmailId(workspaceId as Ids.WorkspaceId, messageId)
          if (Option.isSome(found)) {
            return new StoreError.EmailMessageRecorded({ workspaceId, messageId, ticketId: found.value })
          }
        }
      }
      return undefined
    })

  return { findByEmailId, holder }
}

/**
 * What `make` gives.
 *
 * @category models
 * @since 0.1.0
 */
export type EmailIds = ReturnType<typeof make>
