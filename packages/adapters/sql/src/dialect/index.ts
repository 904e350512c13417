/**
 * The dialect records by the name users give (`Database.Dialect`): the one place that maps a
 * database's name to what the store does differently on it. A new database adds its record
 * here and its driver to `Connection`'s table.
 */
import type { Dialect } from "../Database.js"
import type { SqlDialect } from "./Dialect.js"
import { mysql } from "./mysql.js"
import { postgres } from "./postgres.js"
import { sqlite } from "./sqlite.js"

/**
 * Every dialect's record, by name.
 *
 * @category dialects
 * @since 0.1.0
 */
export const dialects: Readonly<Record<Dialect, SqlDialect>> = { sqlite, postgres, mysql }

/**
 * The record of the dialect named `name`.
 *
 * @category dialects
 * @since 0.1.0
 */
export const of = (name: Dialect): SqlDialect => dialects[name]

export type { SqlDialect } from "./Dialect.js"
