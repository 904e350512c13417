/**
 * The errors of opening a database from a URL (a URL that names no database this package can
 * open, an option it cannot use, a database that cannot be reached, a driver that is not
 * installed) and the default statement timeout the drivers set. The errors are `@tessera/core`'s
 * (`OpenError`), so that `createHelpdesk({ database })` and its guard know them; `Connection`
 * exports them, and they are named here so that the dialects' drivers (`dialect/*Connection.ts`)
 * raise them without importing `Connection`, which imports the drivers.
 */
import { OpenError } from "@tessera/core"
import { Duration } from "effect"

/**
 * The URL names no database this package can open (`OpenError.InvalidUrl` of `@tessera/core`).
 *
 * @category errors
 * @since 0.1.0
 */
export const InvalidUrl: typeof OpenError.InvalidUrl = OpenError.InvalidUrl
/** @category errors @since 0.1.0 */
export type InvalidUrl = OpenError.InvalidUrl

/**
 * The database could not be opened or reached (`OpenError.ConnectionFailed` of `@tessera/core`).
 *
 * @category errors
 * @since 0.1.0
 */
export const ConnectionFailed: typeof OpenError.ConnectionFailed = OpenError.ConnectionFailed
/** @category errors @since 0.1.0 */
export type ConnectionFailed = OpenError.ConnectionFailed

/**
 * An option of `open` has a value it cannot use (`OpenError.InvalidOption` of `@tessera/core`).
 *
 * @category errors
 * @since 0.1.0
 */
export const InvalidOption: typeof OpenError.InvalidOption = OpenError.InvalidOption
/** @category errors @since 0.1.0 */
export type InvalidOption = OpenError.InvalidOption

/**
 * The driver package of the URL's database is not installed (`OpenError.PackageNotInstalled`).
 *
 * @category errors
 * @since 0.1.0
 */
export const PackageNotInstalled: typeof OpenError.PackageNotInstalled = OpenError.PackageNotInstalled
/** @category errors @since 0.1.0 */
export type PackageNotInstalled = OpenError.PackageNotInstalled

/**
 * The statement timeout `open` sets on PostgreSQL when none is given: far above what any of the
 * store's statements takes on a million tickets (milliseconds), far below "forever".
 *
 * @category models
 * @since 0.1.0
 */
export const defaultStatementTimeout: Duration.Duration = Duration.seconds(30)
