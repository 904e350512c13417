/**
 * Every error a `createHelpdesk` promise may reject with, in one union, and the one guard that
 * recognises them: the `Helpdesk`'s tagged errors, `InvalidConfig` for options that do not hold,
 * the errors of opening a database (`OpenError`) and `HelpdeskClosed` for a call after `close()`. Anything else a promise rejects with is a
 * bug (a defect), or the error of a ports layer the caller wrote.
 */
import { Schema } from "effect"
import type * as Helpdesk from "../helpdesk/HelpdeskError.js"
import type * as OpenError from "../ports/OpenError.js"
import type { InvalidConfig } from "../values/ConfigError.js"

/**
 * A call on a help desk after its `close()`: the help desk has released its runtime (and its
 * database), so it does nothing and rejects with this. `operation` names the method called. Never
 * retryable: create a new help desk instead.
 *
 * @example
 * ```ts
 * await helpdesk.close()
 * await helpdesk.open({ ... }) // rejects: HelpdeskClosed { operation: "open" }
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class HelpdeskClosed extends Schema.TaggedError<HelpdeskClosed>()("HelpdeskClosed", {
  operation: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `This help desk is closed: ${this.operation} was called after close()`
  }
}

/**
 * Every error a facade promise may reject with: the `Helpdesk`'s tagged errors, as instances;
 * `InvalidConfig` from `createHelpdesk` when the options do not hold; with `database`, the
 * errors of opening it (`InvalidUrl`, `ConnectionFailed`, `InvalidOption`, `MigrationFailed`,
 * and `PackageNotInstalled` when `@tessera/sql` or the database's driver is not installed); and
 * `HelpdeskClosed` for a call after `close()`.
 *
 * @category errors
 * @since 0.1.0
 */
export type HelpdeskError =
  | Helpdesk.HelpdeskError
  | InvalidConfig
  | OpenError.InvalidUrl
  | OpenError.ConnectionFailed
  | OpenError.InvalidOption
  | OpenError.MigrationFailed
  | OpenError.PackageNotInstalled
  | HelpdeskClosed

/** Every tag of the union: the compiler checks that none is missing and none is extra. */
const tags: Readonly<Record<HelpdeskError["_tag"], true>> = {
  TicketNotFound: true,
  TicketAlreadyExists: true,
  TicketClosed: true,
  TransitionNotAllowed: true,
  UnknownStatus: true,
  NotPermitted: true,
  UnknownCustomField: true,
  InvalidCustomFieldValue: true,
  InvalidEscalation: true,
  EmptyMessage: true,
  NotDue: true,
  FollowUpRequired: true,
  InvalidLink: true,
  MergeRefused: true,
  UndoMergeRefused: true,
  SplitRefused: true,
  InvalidInput: true,
  InvalidConfig: true,
  NotInDirectory: true,
  AgentUnavailable: true,
  EmailTaken: true,
  VersionConflict: true,
  PublicIdTaken: true,
  EmailMessageRecorded: true,
  InvalidCursor: true,
  TagNotAllowed: true,
  SurveyRefused: true,
  LimitExceeded: true,
  StoreUnavailable: true,
  CorruptEvent: true,
  Unsupported: true,
  ValueTooLarge: true,
  InvalidUrl: true,
  ConnectionFailed: true,
  InvalidOption: true,
  MigrationFailed: true,
  PackageNotInstalled: true,
  HelpdeskClosed: true
}

/**
 * The tag of every error in `HelpdeskError`.
 *
 * @category models
 * @since 0.1.0
 */
export const errorTags: ReadonlyArray<HelpdeskError["_tag"]> = Object.keys(tags) as Array<HelpdeskError["_tag"]>

/**
 * Whether a rejection is one of the errors a help desk expects (`HelpdeskError`: a refused
 * command, bad input or options, a store or database that failed) and not a bug. It checks the
 * `_tag`, so it also recognises errors of another copy of the package (ESM and CJS builds loaded
 * side by side), where `instanceof` cannot; `switch (error._tag)` then narrows to the class.
 *
 * @example
 * ```ts
 * try {
 *   await helpdesk.reply({ ticket: 69369, by: mary, text: "On it" })
 * } catch (error) {
 *   if (!PromiseHelpdesk.isHelpdeskError(error)) throw error // a bug
 *   if (error._tag === "TicketClosed") console.log(`ticket ${error.ticketId} is closed`)
 * }
 * ```
 *
 * @category predicates
 * @since 0.1.0
 */
export const isHelpdeskError = (u: unknown): u is HelpdeskError =>
  u instanceof Error && "_tag" in u && typeof u._tag === "string" && Object.hasOwn(tags, u._tag)
