/**
 * Public numbers on SQL: `nextPublicId` draws from the workspace's sequence (`PublicIdSequence`,
 * which skips numbers already held and stops at `Limits.publicIdMax`), and `resolve` finds the
 * ticket that holds a number through the projection's unique (workspace, number) index.
 */
import { type Ids, Limits, type StoreError } from "@tessera/core"
import { Effect, Option } from "effect"
import * as PublicIdSequence from "../internal/PublicIdSequence.js"
import type { Shared } from "./Shared.js"

/**
 * The public-number operations of the store; `first` is each workspace's first number.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared, first: number) => {
  const { dialect, key, unkey, run } = shared

  const nextPublicId = (
    workspaceId: Ids.WorkspaceId
  ): Effect.Effect<Ids.PublicId, Limits.LimitExceeded | StoreError.StoreError> =>
    Effect.flatMap(
      first > Limits.publicIdMax
        ? Effect.succeed(undefined)
        : run("nextPublicId", (db) => PublicIdSequence.next(db, dialect, key(workspaceId), first)),
      (number) =>
        number === undefined
          ? Effect.fail(
              new Limits.LimitExceeded({
                limit: "publicIdMax",
                max: Limits.publicIdMax,
                actual: Math.max(first, Limits.publicIdMax + 1),
                operation: "nextPublicId"
              })
            )
          : Effect.succeed(number as Ids.PublicId)
    )

  const resolve = (
    workspaceId: Ids.WorkspaceId,
    publicId: Ids.PublicId
  ): Effect.Effect<Option.Option<Ids.TicketId>, StoreError.StoreError> =>
    // A number outside `PublicId`'s range is held by no ticket (and PostgreSQL's column could
    // not even compare it).
    !Number.isSafeInteger(publicId) || publicId < 1 || publicId > Limits.publicIdMax
      ? Effect.succeed(Option.none())
      : run("resolve", (db) =>
          db
            .selectFrom("tickets")
            .select("id")
            .where("workspace_id", "=", key(workspaceId))
            .where("public_id", "=", publicId)
            .executeTakeFirst()
        ).pipe(Effect.map((row) => (row === undefined ? Option.none() : Option.some(unkey(row.id) as Ids.TicketId))))

  return { nextPublicId, resolve }
}
