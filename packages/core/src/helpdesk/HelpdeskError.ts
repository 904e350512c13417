/**
 * Every way a `Helpdesk` operation can fail, in one union, and the two questions the help desk
 * asks of a failure: was the command refused on its merits, or did another writer get there
 * first? The errors themselves live with the layer that raises them (`ticket/`, `links/`,
 * `ports/`, `directory/`); `Helpdesk` re-exports the union.
 */
import type { Effect } from "effect"
import type { AgentUnavailable, EmailTaken, NotInDirectory } from "../directory/DirectoryError.js"
import type { LinkError } from "../links/LinkError.js"
import type {
  EmailMessageRecorded,
  InvalidCursor,
  PublicIdTaken,
  StoreError,
  VersionConflict
} from "../ports/StoreError.js"
import type { TagNotAllowed } from "../tags/TagPolicy.js"
import type { TicketError } from "../ticket/TicketError.js"
import type { SurveyRefused } from "../values/Satisfaction.js"
import type { InvalidInput } from "./Input.js"

/**
 * Every way a `Helpdesk` operation can fail.
 *
 * @category errors
 * @since 0.1.0
 */
export type HelpdeskError =
  | TicketError
  | LinkError
  | InvalidInput
  | NotInDirectory
  | AgentUnavailable
  | EmailTaken
  | VersionConflict
  | PublicIdTaken
  | EmailMessageRecorded
  | InvalidCursor
  | TagNotAllowed
  | SurveyRefused
  | StoreError

/** An operation of the help desk: an Effect that fails with a `HelpdeskError`. */
export type Op<A> = Effect.Effect<A, HelpdeskError>

/** A command refused on its merits (not a store failure nor a race): nothing to retry. */
export const isRefusal = (error: HelpdeskError): boolean =>
  error._tag !== "StoreUnavailable" && error._tag !== "CorruptEvent" && error._tag !== "VersionConflict"

/** Another writer got to the stream first: deciding again on fresh state may succeed. */
export const isConflict = (error: unknown): error is VersionConflict =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "VersionConflict"
