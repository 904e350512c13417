/**
 * The queues an agent's access leaves besides a group's (issue 18): every unresolved ticket of
 * the workspace (`tickets_queue`, the queue of an agent who sees all groups) and an agent's own
 * (`tickets_assignee_queue`, the part of a group-scoped agent's queue outside their groups), each
 * nearest SLA due first as `tickets_group_queue` orders a group's. Without them such a queue
 * reads and sorts every unresolved ticket it may show to return the first page.
 */
import { type Kysely, sql } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

/** The predicate of `tickets_group_queue` (001), in the very words queries state it. */
const unresolved = sql<boolean>`category in ('new', 'open', 'pending', 'on_hold')`

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  await dialect.ddl.unresolvedIndex(db, "tickets_queue", ["workspace_id"], unresolved)
  await dialect.ddl.unresolvedIndex(db, "tickets_assignee_queue", ["workspace_id", "assignee"], unresolved)
}
