/**
 * Reporting tables (issue 18): each ticket's metrics (`TicketMetrics`) as one row of
 * `report_tickets`, the columns a period report filters, groups and aggregates on, and the
 * folded state as JSON to continue from (`report_states`); what a ticket has several of (tags, next-reply waits,
 * SLA milestones per policy and metric, finished solved periods, the latest rating of each
 * survey) in side tables; and
 * `report_checkpoints`, the feed position each projection has folded up to.
 */
import type { Kysely } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  const millis = "bigint" as const
  const { id, ref, key, text } = dialect.ddl

  await db.schema
    .createTable("report_tickets")
    .addColumn("ticket_id", id, (c) => c.primaryKey())
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("created_at", millis, (c) => c.notNull())
    // Business milliseconds from the epoch to `created_at`: a backlog's business age at `to` is
    // the same count at `to` minus this one, summed and sorted in SQL.
    .addColumn("created_business", millis, (c) => c.notNull())
    // The dimensions, as `Report.keysOf` gives them (the hour as "00".."23").
    .addColumn("channel", key)
    .addColumn("type", key)
    .addColumn("group_id", ref)
    .addColumn("assignee", ref)
    .addColumn("organization", ref)
    .addColumn("priority", key)
    .addColumn("complexity", key)
    .addColumn("created_hour", key)
    .addColumn("solved_at", millis)
    // The start of the solved (or closed) period the ticket is in now; finished ones are `report_done`.
    .addColumn("done_since", millis)
    .addColumn("first_reply_calendar", millis)
    .addColumn("first_reply_business", millis)
    .addColumn("full_resolution_calendar", millis)
    .addColumn("full_resolution_business", millis)
    .addColumn("requester_wait_calendar", millis, (c) => c.notNull())
    .addColumn("requester_wait_business", millis, (c) => c.notNull())
    .addColumn("agent_work_calendar", millis, (c) => c.notNull())
    .addColumn("agent_work_business", millis, (c) => c.notNull())
    .addColumn("replies", "integer", (c) => c.notNull())
    .addColumn("reopens", "integer", (c) => c.notNull())
    .execute()
  // A report reads the tickets opened in its period, those solved in it, and the backlog at its
  // end: unsolved now (or solved since), opened before the end.
  await db.schema
    .createIndex("report_tickets_created")
    .on("report_tickets")
    .columns(["workspace_id", "created_at"])
    .execute()
  await db.schema
    .createIndex("report_tickets_solved")
    .on("report_tickets")
    .columns(["workspace_id", "solved_at"])
    .execute()
  await db.schema
    .createIndex("report_tickets_open")
    .on("report_tickets")
    .columns(["workspace_id", "done_since", "created_at"])
    .execute()

  await db.schema
    .createTable("report_tags")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", id, (c) => c.notNull())
    .addColumn("tag", key, (c) => c.notNull())
    .addPrimaryKeyConstraint("report_tags_pk", ["ticket_id", "tag"])
    .execute()
  await db.schema
    .createTable("report_next_replies")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", id, (c) => c.notNull())
    .addColumn("n", "integer", (c) => c.notNull())
    .addColumn("calendar", millis, (c) => c.notNull())
    .addColumn("business", millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("report_next_replies_pk", ["ticket_id", "n"])
    .execute()
  await db.schema
    .createTable("report_sla")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", id, (c) => c.notNull())
    .addColumn("policy", key, (c) => c.notNull())
    .addColumn("metric", key, (c) => c.notNull())
    .addColumn("warnings", "integer", (c) => c.notNull())
    .addColumn("breaches", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("report_sla_pk", ["ticket_id", "policy", "metric"])
    .execute()
  // Solved periods a reopening ended, `[since, until)`; the current one is `done_since`.
  await db.schema
    .createTable("report_done")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", id, (c) => c.notNull())
    .addColumn("n", "integer", (c) => c.notNull())
    .addColumn("since", millis, (c) => c.notNull())
    .addColumn("until", millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("report_done_pk", ["ticket_id", "n"])
    .execute()
  // The latest rating of each survey answered: its kind (csat, nps), verdict (good, neutral,
  // bad) and time; a report counts those given in its period.
  await db.schema
    .createTable("report_ratings")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", id, (c) => c.notNull())
    .addColumn("survey", key, (c) => c.notNull())
    .addColumn("kind", key, (c) => c.notNull())
    .addColumn("verdict", key, (c) => c.notNull())
    .addColumn("at", millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("report_ratings_pk", ["ticket_id", "survey"])
    .execute()
  // `TicketMetrics` as JSON, where the fold continues from: apart, so that the rows a report
  // reads stay narrow.
  await db.schema
    .createTable("report_states")
    .addColumn("ticket_id", id, (c) => c.primaryKey())
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("state", text, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable("report_checkpoints")
    .addColumn("name", key, (c) => c.primaryKey())
    .addColumn("position", millis, (c) => c.notNull())
    .execute()
}
