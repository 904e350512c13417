/**
 * Loading a driver package (better-sqlite3, pg, mysql2): they are optional peers, so each is
 * imported only when a URL of its database is opened, and its absence is a
 * `PackageNotInstalled` that says what to install, not a connection that failed.
 */
import { OpenError } from "@tessera/core"
import * as DriverError from "./DriverError.js"
import { ConnectionFailed } from "./OpenErrors.js"

/**
 * Imports the driver `name` (`load` is its `import`) for the database at `url` (password masked);
 * rejects with `PackageNotInstalled` when the package is not installed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const load = async <A>(name: string, url: string, load: () => Promise<A>): Promise<A> => {
  try {
    return await load()
  } catch (cause) {
    if (OpenError.isNotInstalled(cause, name)) {
      throw new OpenError.PackageNotInstalled({ package: name, neededBy: url, install: `npm i ${name}`, cause })
    }
    throw cause
  }
}

/**
 * What a failure of opening the database at `url` is: the `PackageNotInstalled` of `load` as it
 * is, anything else a `ConnectionFailed` with the driver's reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const failure =
  (url: string) =>
  (cause: unknown): OpenError.PackageNotInstalled | ConnectionFailed =>
    cause instanceof OpenError.PackageNotInstalled
      ? cause
      : new ConnectionFailed({ url, reason: DriverError.messageOf(cause), cause })
