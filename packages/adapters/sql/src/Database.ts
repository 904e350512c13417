/**
 * The tables of the SQL store, as kysely sees them. One schema serves every database:
 * times are epoch milliseconds (`bigint` columns, numbers in TypeScript), JSON is text, and
 * every table carries the workspace, so no query can forget it.
 */
import type { ColumnType, Generated } from "kysely"

/** A `bigint` column read back as a number (pg returns int8 as a string unless told otherwise). */
type Millis = ColumnType<number, number, number>

/**
 * The append-only event log: one row per event, unique per (stream, version); `position`
 * orders all events for subscribers. On PostgreSQL a position is taken when the row is
 * inserted, not when its transaction commits, so a smaller position can become visible after a
 * larger one: a subscriber reading "position > last seen" must re-read a window behind its
 * mark (or wait for older transactions) rather than trust that no gap will be filled.
 *
 * @category models
 * @since 0.1.0
 */
export interface EventsTable {
  position: Generated<number>
  workspace_id: string
  stream_id: string
  version: number
  type: string
  data: string
  at: Millis
}

/**
 * The tickets projection: the columns agents' queues filter and sort on, plus `summary`, the
 * snapshot of the folded ticket without its messages (JSON); the messages are `ticket_texts`.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketsTable {
  id: string
  workspace_id: string
  public_id: number
  version: number
  subject: string
  requester: string
  organization: string | null
  channel: string
  priority: string
  priority_rank: number
  type: string | null
  status: string
  category: string
  group_id: string | null
  assignee: string | null
  created_at: Millis
  updated_at: Millis
  sla_due_at: Millis | null
  /**
   * The ticket without its messages (`Ticket` encoded, `messages` left out): what queries
   * return (`TicketQuery.TicketSummary`, without `slaDueAt`) and, with the messages of
   * `ticket_texts`, the snapshot commands start from.
   */
  summary: string
  /** SQLite only: the ticket's stable number, the high bits of its texts' full-text rowids. */
  num?: number
}

/**
 * The texts of a ticket, one row each: its subject (`n` 0) and its messages in order (`n` 1..),
 * with their words for full-text search (FTS5 on SQLite, a tsvector on PostgreSQL).
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketTextsTable {
  /** SQLite only: `num * 2^24 + n`, the full-text rowid. */
  key?: number
  workspace_id: string
  ticket_id: string
  n: number
  /** The message (`Message` encoded as JSON); null for the subject. */
  data: string | null
  /** `TicketQuery.words` of the text, joined by spaces. */
  words: string
  /** Who may read the text: `public` (the subject, replies) or `internal` (notes); searches for requesters skip notes. */
  visibility: "public" | "internal"
}

/**
 * MySQL only: the words of each text, one row per distinct word (cut to 64 characters), which
 * its full-text search looks up by prefix (`word like 'term%'`) on a B-tree index.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketWordsTable {
  ticket_id: string
  n: number
  word: string
}

/** @category models @since 0.1.0 */
export interface TicketTagsTable {
  workspace_id: string
  ticket_id: string
  tag: string
}

/**
 * A contact following a ticket (a CC): what a customer's queue reads besides their own tickets.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketFollowersTable {
  workspace_id: string
  ticket_id: string
  contact_id: string
}

/** @category models @since 0.1.0 */
export interface PublicIdSequencesTable {
  workspace_id: string
  last_value: number
}

/** @category models @since 0.1.0 */
export interface TimersTable {
  id: string
  workspace_id: string
  ticket_id: string
  purpose: string
  due_at: Millis
  /** Not claimable before this instant: a lease. */
  available_at: Millis
}

/** @category models @since 0.1.0 */
export interface OutboxTable {
  id: string
  workspace_id: string
  ticket_id: string
  channel: string
  payload: string
  created_at: Millis
  available_at: Millis
  attempts: number
  /** The error of the last failed attempt (migration 005). */
  last_error: string | null
  /** When the message became a dead letter; its `available_at` is then `DeadLetterReady` (migration 005). */
  dead_at: Millis | null
}

/**
 * Email `Message-ID`s of a ticket's messages, so replies thread onto it.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmailMessageIdsTable {
  workspace_id: string
  message_id: string
  ticket_id: string
}

/**
 * Directory records keep their JSON in `data`; the columns are what lookups need.
 *
 * @category models
 * @since 0.1.0
 */
export interface DirectoryTable {
  workspace_id: string
  id: string
  data: string
}

/** @category models @since 0.1.0 */
export interface ContactEmailsTable {
  workspace_id: string
  email: string
  contact_id: string
}

/** @category models @since 0.1.0 */
export interface AgentGroupsTable {
  workspace_id: string
  agent_id: string
  group_id: string
}

/**
 * What the help desk keeps beside a ticket's snapshot (its SLA fold): the value the last append
 * that gave one wrote, opaque JSON, and the version that append ended on.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketSlaTable {
  ticket_id: string
  version: number
  value: string
}

/**
 * Every table of the SQL store.
 *
 * @category models
 * @since 0.1.0
 */
export interface Database {
  events: EventsTable
  tickets: TicketsTable
  ticket_tags: TicketTagsTable
  ticket_followers: TicketFollowersTable
  ticket_texts: TicketTextsTable
  ticket_words: TicketWordsTable
  ticket_sla: TicketSlaTable
  public_id_sequences: PublicIdSequencesTable
  timers: TimersTable
  outbox: OutboxTable
  email_message_ids: EmailMessageIdsTable
  contacts: DirectoryTable
  contact_emails: ContactEmailsTable
  organizations: DirectoryTable
  agents: DirectoryTable
  agent_groups: AgentGroupsTable
  groups: DirectoryTable
}

/**
 * The SQL dialects the store speaks.
 *
 * @category models
 * @since 0.1.0
 */
export type Dialect = "sqlite" | "postgres" | "mysql"
