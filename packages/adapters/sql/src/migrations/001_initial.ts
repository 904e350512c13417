/**
 * The first schema: event log, tickets projection with the indexes agents' queues use, tags,
 * the texts of each ticket (subject and messages, one row each) with their full-text index,
 * public-number sequences, timers, outbox, email ids and the directory. Full-text search is the
 * dialect's (`Ddl.fullText`: an FTS5 table on SQLite, a generated tsvector column on PostgreSQL);
 * each indexes the words of `TicketQuery.words` exactly as they are (no parser, no stemming), so
 * a search answers the same on every database and in memory. A ticket's row holds its snapshot without messages, so an append
 * rewrites a small row and indexes only the new message, however long the conversation.
 */
import { type Kysely, sql } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

const unresolved = sql<boolean>`category in ('new', 'open', 'pending', 'on_hold')`

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  const millis = "bigint" as const
  // Ids sort and compare bytewise, as JavaScript compares them (`TicketQuery.compare`), whatever
  // the database's default collation; every column holding a ticket id has the same collation,
  // so joins on it can use each other's indexes.
  const { id: ticketIdType, ref, key, text, ...hooks } = dialect.ddl

  await db.schema
    .createTable("events")
    .$call(hooks.position)
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("stream_id", key, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("type", key, (c) => c.notNull())
    .addColumn("data", text, (c) => c.notNull())
    .addColumn("at", millis, (c) => c.notNull())
    .addUniqueConstraint("events_stream_version", ["stream_id", "version"])
    .execute()
  await db.schema.createIndex("events_workspace_position").on("events").columns(["workspace_id", "position"]).execute()

  await db.schema
    .createTable("tickets")
    .addColumn("id", ticketIdType, (c) => c.primaryKey())
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("public_id", "integer", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("subject", text, (c) => c.notNull())
    .addColumn("requester", ref, (c) => c.notNull())
    .addColumn("organization", ref)
    .addColumn("channel", key, (c) => c.notNull())
    .addColumn("priority", key, (c) => c.notNull())
    .addColumn("priority_rank", "integer", (c) => c.notNull())
    .addColumn("type", key)
    .addColumn("status", key, (c) => c.notNull())
    .addColumn("category", key, (c) => c.notNull())
    .addColumn("group_id", ref)
    .addColumn("assignee", ref)
    .addColumn("created_at", millis, (c) => c.notNull())
    .addColumn("updated_at", millis, (c) => c.notNull())
    .addColumn("sla_due_at", millis)
    .addColumn("summary", text, (c) => c.notNull())
    // SQLite: a stable number per ticket (rowids may change on VACUUM); each text of the ticket
    // has the full-text rowid `num * 2^24 + n`, so "this ticket's texts" is one rowid range.
    .$call(hooks.ticketColumns)
    .addUniqueConstraint("tickets_workspace_public_id", ["workspace_id", "public_id"])
    .execute()
  // The queue agents look at most: unresolved tickets of a group, nearest SLA due first and
  // tickets without one last. `(sla_due_at is null)` is the key both databases can index and
  // order by (SQLite puts NULLs first, PostgreSQL last); queries order by the same expression.
  await hooks.queueIndex(db, unresolved)
  await db.schema
    .createIndex("tickets_assignee")
    .on("tickets")
    .columns(["workspace_id", "assignee", "category", "created_at", "id"])
    .execute()
  await db.schema
    .createIndex("tickets_requester")
    .on("tickets")
    .columns(["workspace_id", "requester", "created_at", "id"])
    .execute()
  await db.schema.createIndex("tickets_created").on("tickets").columns(["workspace_id", "created_at", "id"]).execute()
  await db.schema.createIndex("tickets_updated").on("tickets").columns(["workspace_id", "updated_at", "id"]).execute()
  await db.schema
    .createIndex("tickets_category")
    .on("tickets")
    .columns(["workspace_id", "category", "created_at", "id"])
    .execute()

  await db.schema
    .createTable("ticket_tags")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", ticketIdType, (c) => c.notNull())
    .addColumn("tag", key, (c) => c.notNull())
    .addPrimaryKeyConstraint("ticket_tags_pk", ["ticket_id", "tag"])
    .execute()
  await db.schema
    .createIndex("ticket_tags_by_tag")
    .on("ticket_tags")
    .columns(["workspace_id", "tag", "ticket_id"])
    .execute()

  await db.schema
    .createTable("public_id_sequences")
    .addColumn("workspace_id", ref, (c) => c.primaryKey())
    .addColumn("last_value", "integer", (c) => c.notNull())
    .execute()

  await db.schema
    .createTable("timers")
    .addColumn("id", key, (c) => c.primaryKey())
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", ticketIdType, (c) => c.notNull())
    .addColumn("purpose", key, (c) => c.notNull())
    .addColumn("due_at", millis, (c) => c.notNull())
    .addColumn("available_at", millis, (c) => c.notNull().defaultTo(0))
    // Claims take timers with the same due time in the order they were scheduled (SQLite: rowid).
    .$call(hooks.insertionOrder)
    .execute()
  await db.schema.createIndex("timers_due").on("timers").columns(["workspace_id", "due_at"]).execute()

  await db.schema
    .createTable("outbox")
    .addColumn("id", key, (c) => c.primaryKey())
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", ticketIdType, (c) => c.notNull())
    .addColumn("channel", key, (c) => c.notNull())
    .addColumn("payload", text, (c) => c.notNull())
    .addColumn("created_at", millis, (c) => c.notNull())
    .addColumn("available_at", millis, (c) => c.notNull().defaultTo(0))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .$call(hooks.insertionOrder)
    .execute()
  await db.schema.createIndex("outbox_ready").on("outbox").columns(["channel", "available_at", "created_at"]).execute()

  await db.schema
    .createTable("email_message_ids")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    // An email id may be long (998 characters): the dialect keys it (`ddl.emailIdentity`).
    .addColumn("message_id", text, (c) => c.notNull())
    .addColumn("ticket_id", ticketIdType, (c) => c.notNull())
    .$call(hooks.emailIdentity)
    .execute()

  for (const table of ["contacts", "organizations", "agents", "groups"]) {
    await db.schema
      .createTable(table)
      .addColumn("workspace_id", ref, (c) => c.notNull())
      .addColumn("id", ref, (c) => c.notNull())
      .addColumn("data", text, (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ["workspace_id", "id"])
      .execute()
  }
  await db.schema
    .createTable("contact_emails")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("email", key, (c) => c.notNull())
    .addColumn("contact_id", ref, (c) => c.notNull())
    .addPrimaryKeyConstraint("contact_emails_pk", ["workspace_id", "email"])
    .execute()
  await db.schema
    .createTable("agent_groups")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("agent_id", ref, (c) => c.notNull())
    .addColumn("group_id", ref, (c) => c.notNull())
    .addPrimaryKeyConstraint("agent_groups_pk", ["workspace_id", "group_id", "agent_id"])
    .execute()

  await db.schema
    .createTable("ticket_texts")
    .$call(hooks.textColumns)
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", ticketIdType, (c) => c.notNull())
    // 0: the subject; 1..: the messages in order.
    .addColumn("n", "integer", (c) => c.notNull())
    // The message as JSON (`Message` encoded); null for the subject.
    .addColumn("data", text)
    // `TicketQuery.words` of the text, joined by spaces.
    .addColumn("words", text, (c) => c.notNull())
    .$call(hooks.textIdentity)
    .execute()

  await hooks.fullText(db)
}
