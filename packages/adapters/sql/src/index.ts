/**
 * @tessera/sql: Tessera's ports on kysely, one schema and one code path for SQLite (the
 * embedded default, better-sqlite3) and PostgreSQL (pg, the path to scale).
 *
 * @since 0.1.0
 * @module @tessera/sql
 */

export * as Connection from "./Connection.js"
export type * as Database from "./Database.js"
export * as Migrations from "./Migrations.js"
export * as SqlDirectoryStore from "./SqlDirectoryStore.js"
export * as SqlReport from "./SqlReport.js"
export * as SqlStore from "./SqlStore.js"
export * as SqlTicketStore from "./SqlTicketStore.js"
