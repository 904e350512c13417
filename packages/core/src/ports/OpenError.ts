/**
 * The errors of opening a store's database: a URL that names no database, an option that cannot
 * be used, a database that cannot be reached, a migration that failed, and a package (an adapter
 * or its driver) that is not installed. Core opens nothing itself; the adapters that do
 * (`@tessera/sql`) raise these, and `createHelpdesk({ database })` rejects with them, so that one
 * guard (`PromiseHelpdesk.isHelpdeskError`) knows every error a help desk can fail with.
 */
import { Schema } from "effect"

/**
 * The URL names no database the adapter can open.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", {
  url: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Cannot open ${this.url}: ${this.reason}`
  }
}

/**
 * The database could not be opened or reached (missing directory, refused connection, bad password).
 *
 * @category errors
 * @since 0.1.0
 */
export class ConnectionFailed extends Schema.TaggedError<ConnectionFailed>()("ConnectionFailed", {
  url: Schema.String,
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Cannot connect to ${this.url}: ${this.reason}`
  }
}

/**
 * An option of opening a database has a value that cannot be used.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidOption extends Schema.TaggedError<InvalidOption>()("InvalidOption", {
  option: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Invalid option ${this.option}: ${this.reason}`
  }
}

/**
 * A migration failed; the database is left as the migrations found it (the migrations of one
 * run commit together or not at all, where the database allows it).
 *
 * @category errors
 * @since 0.1.0
 */
export class MigrationFailed extends Schema.TaggedError<MigrationFailed>()("MigrationFailed", {
  migration: Schema.optionalKey(Schema.String),
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  override get message() {
    return `Migration ${this.migration ?? "(setup)"} failed: ${this.reason}`
  }
}

/**
 * A package the requested database needs is not installed: `@tessera/sql` itself, or the driver
 * of the URL's database (`better-sqlite3`, `pg`, `mysql2`). `install` is the command that adds
 * it; retrying without it cannot help.
 *
 * @category errors
 * @since 0.1.0
 */
export class PackageNotInstalled extends Schema.TaggedError<PackageNotInstalled>()("PackageNotInstalled", {
  /** The package that could not be loaded. */
  package: Schema.String,
  /** What needs it (`sqlite:./helpdesk.db`, `createHelpdesk({ database })`). */
  neededBy: Schema.String,
  /** The command that installs what is missing (`npm i better-sqlite3`). */
  install: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `${this.neededBy} needs the package ${this.package}, which is not installed: run \`${this.install}\``
  }
}

/** A field of an unknown value, if it is an object that has it. */
const fieldOf = (u: unknown, key: string): unknown =>
  typeof u === "object" && u !== null && key in u ? (u as Record<string, unknown>)[key] : undefined

/**
 * Whether a failed `import(name)` (or `require(name)`) failed because the package `name` itself is
 * not installed: Node's not-found code, on the error or one it wraps, with a message that names
 * the package (a package that is there but misses one of its own dependencies is not this).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isNotInstalled = (cause: unknown, name: string, depth = 0): boolean => {
  const code = fieldOf(cause, "code")
  const message = fieldOf(cause, "message")
  if (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    (message.includes(`'${name}'`) || message.includes(`"${name}"`))
  ) {
    return true
  }
  const inner = fieldOf(cause, "cause")
  return depth < 4 && inner !== undefined && isNotInstalled(inner, name, depth + 1)
}
