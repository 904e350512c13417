/**
 * How each database keys the email ids that appends record (`email_message_ids`, whose identity
 * `Ddl.emailIdentity` adds): the unique constraint an insert of an id the workspace already holds
 * violates, and the condition that finds an id through that identity. An email id may be 998
 * characters, past what a MySQL index entry holds, so MySQL keys a hash of it; the others key the
 * id itself. The shared append and lookup (`ticketStore/EmailIds.ts`) ask the record which.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely"

/**
 * The keying of `email_message_ids` on one database.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmailIds {
  /** The unique constraint on (workspace, id) that `Ddl.emailIdentity` adds. */
  readonly constraint: { readonly name: string; readonly table: string; readonly columns: ReadonlyArray<string> }
  /** The condition on `email_message_ids` of rows holding `messageId` (as stored, `key`ed), through the constraint's index. */
  readonly matches: (messageId: string) => RawBuilder<SqlBool>
}

/**
 * Keyed by the id itself: the primary key (workspace_id, message_id) (SQLite, PostgreSQL).
 *
 * @category constructors
 * @since 0.1.0
 */
export const byId: EmailIds = {
  constraint: { name: "email_message_ids_pk", table: "email_message_ids", columns: ["workspace_id", "message_id"] },
  matches: (messageId) => sql<SqlBool>`message_id = ${messageId}`
}

/**
 * Keyed by the SHA-256 of the id (`message_key`, a stored generated column), the id compared too
 * (MySQL, MariaDB).
 *
 * @category constructors
 * @since 0.1.0
 */
export const byHash: EmailIds = {
  constraint: { name: "email_message_ids_key", table: "email_message_ids", columns: ["workspace_id", "message_key"] },
  matches: (messageId) => sql<SqlBool>`message_key = unhex(sha2(${messageId}, 256)) and message_id = ${messageId}`
}
