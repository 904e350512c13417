/**
 * The `TicketStore` port on SQL, with the `Timers` and `Outbox` its appends write to: one code
 * path for SQLite (better-sqlite3) and PostgreSQL (pg) on kysely, held to the in-memory store by
 * the conformance suite. An append is one transaction (events, the `tickets` projection with its
 * snapshot, tags, timers, outbox, email ids), and so is a batch of them (`appendAll`); queries
 * are built from `TicketQuery`'s sort keys with bound parameters only. Everything within `Limits`
 * is written (multi-row statements are cut to the databases' bound-parameter maxima, see
 * `Chunks`), and anything beyond is `LimitExceeded`, as in the memory store. Migrations and
 * opening clients are left to `Migrations` and `SqlStore`.
 */
import {
  type Ids,
  Limits,
  Message,
  Outbox,
  Priority,
  StoreError,
  Ticket,
  TicketEvent,
  TicketQuery,
  TicketStore,
  Timers
} from "@tessera/core"
import { Context, DateTime, Effect, Layer, Option, Result, Schema } from "effect"
import {
  type Expression,
  type ExpressionBuilder,
  type InsertType,
  type Kysely,
  type OrderByItemBuilder,
  type SqlBool,
  sql
} from "kysely"
import type { Database, Dialect, OutboxTable, TicketsTable, TimersTable } from "./Database.js"
import { inChunks as inChunksOf } from "./internal/Chunks.js"
import * as DriverError from "./internal/DriverError.js"
import * as PublicIdSequence from "./internal/PublicIdSequence.js"
import * as QueryScope from "./internal/QueryScope.js"
import * as TagFilters from "./internal/TagFilters.js"
import { transact as writeTransaction } from "./internal/transact.js"

/**
 * What the store runs on: the user's kysely client (never closed here), its dialect, and the
 * first public number of each workspace (default 1, as in the memory store).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly firstPublicId?: number
  /**
   * How searches choose their plan (results are the same either way): a term with fewer than
   * `rare` matching texts (default 2,000 counted on SQLite, 10,000 estimated by PostgreSQL's
   * statistics) drives the query from the full-text index; when every
   * term is common, the first `window` tickets in the query's order (default 5,000) are checked
   * one by one before the matches are collected from the index instead.
   */
  readonly searchTuning?: { readonly rare?: number; readonly window?: number }
}

/**
 * The three ports one SQL store provides.
 *
 * @category models
 * @since 0.1.0
 */
export interface SqlStore {
  readonly tickets: TicketStore.TicketStore["Service"]
  readonly timers: Timers.Timers["Service"]
  readonly outbox: Outbox.Outbox["Service"]
}

type AppendError = StoreError.VersionConflict | StoreError.PublicIdTaken | Limits.LimitExceeded | StoreError.StoreError
type Tickets = ExpressionBuilder<Database, "tickets">
type OrderBy = OrderByItemBuilder
type State = Ticket.State

const encodeEvent = Schema.encodeSync(TicketEvent.TicketEventJson)
const decodeEvent = Schema.decodeUnknownSync(TicketEvent.TicketEventJson)
const decodeEventResult = Schema.decodeUnknownResult(TicketEvent.TicketEventJson)
const encodeTicket = Schema.encodeSync(Ticket.Ticket)
// States this store folds from events it has just checked are valid by construction: encoding
// them for the projection skips re-running every field's checks.
const encodeFolded = { disableChecks: true } as const
const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)
const decodeSummary = Schema.decodeUnknownSync(TicketQuery.TicketSummary)
const encodeMessage = Schema.encodeSync(Message.Message)
const millis = DateTime.toEpochMillis

/** The categories of the `tickets_group_queue` partial index (see the migration). */
const unresolvedCategories: ReadonlyArray<string> = ["new", "open", "pending", "on_hold"]
const unresolved = sql<SqlBool>`category in ('new', 'open', 'pending', 'on_hold')`
const never = sql<SqlBool>`1 = 0`

/** Full-text rowids on SQLite: the texts of ticket `num` are `num * textSpan + n` (2^24 per ticket). */
const textSpan = 16_777_216

/** A complete row to insert: every column given (null where empty), times as numbers. */
type Row<T> = { readonly [K in keyof T]-?: Exclude<InsertType<T[K]>, undefined> }

/** A ticket's projection row (its `num` on SQLite comes from the insert). */
type TicketRow = Row<Omit<TicketsTable, "num">>

/** One text of a ticket as stored: the subject (`n` 0) or a message. */
interface TextRow {
  readonly n: number
  readonly data: string | null
  readonly words: string
  readonly visibility: "public" | "internal"
}

/** What an append does to a ticket's texts: deletes first, then inserts `rows`. */
interface TextChanges {
  readonly deleteSubject: boolean
  readonly deleteMessages: boolean
  readonly rows: ReadonlyArray<TextRow>
}

/** Everything one append writes, as rows (keys already escaped). */
interface Plan {
  readonly next: State
  readonly id: string
  readonly workspace: string
  readonly events: ReadonlyArray<{
    readonly version: number
    readonly type: string
    readonly data: string
    readonly at: number
  }>
  readonly row: TicketRow | undefined
  /** The row as this process last wrote it, at the expected version, if it knows it. */
  readonly priorRow: TicketRow | undefined
  /** No `slaDueAt` in the effects: the stored due time stays. */
  readonly keepSla: boolean
  /** The append opens the ticket: no row was stored before it. */
  readonly fresh: boolean
  readonly texts: TextChanges | undefined
  readonly tagsAdded: ReadonlyArray<string>
  readonly tagsRemoved: ReadonlyArray<string>
  readonly emailIds: ReadonlyArray<string>
  readonly timers: Array<Row<TimersTable>>
  readonly outbox: Array<Row<OutboxTable>>
  /** The SLA fold to keep beside the snapshot (`AppendEffects.sla`), at the version written. */
  readonly sla: { readonly version: number; readonly value: string } | undefined
  /** The append would take the ticket past a per-ticket limit: nothing may be written. */
  readonly exceeded: Limits.LimitExceeded | undefined
}

/** One stream's append, its events as they are kept (through the codec). */
interface Entry {
  readonly ticketId: Ids.TicketId
  readonly expectedVersion: number
  readonly decoded: ReadonlyArray<TicketEvent.TicketEvent>
  readonly encoded: ReadonlyArray<string>
  readonly effects: TicketStore.AppendEffects
}

/** A stream as read in a write transaction: its projection row (if it holds a ticket) and version. */
interface Locked {
  readonly row:
    | {
        readonly version: number
        readonly summary: string
        readonly messages: string | null
        readonly sla_due_at: number | string | null
      }
    | undefined
  readonly version: number
}

/** What a committed append left: the stream's version and state, and its row when known. */
interface Written {
  readonly version: number
  readonly state: State
  readonly row: TicketRow | undefined
}

/** An expected refusal raised inside a transaction, so that it rolls back. */
class Refused {
  constructor(readonly error: AppendError) {}
}

/** A concurrent writer inserted the same (stream, version) first. */
class RaceLost {
  readonly _tag = "RaceLost"
}

/** Whether a driver error is a unique violation of `constraint` (PostgreSQL name, SQLite columns). */
const violates = (cause: unknown, constraint: string, sqliteColumns: string): boolean => {
  const code = DriverError.fieldOf(cause, "code")
  if (code === "23505") return DriverError.fieldOf(cause, "constraint") === constraint
  return (
    (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") &&
    DriverError.messageOf(cause).includes(sqliteColumns)
  )
}

/** A tiny bounded cache: the oldest entry goes first. */
const boundedCache = <V>(size: number) => {
  const entries = new Map<string, V>()
  return {
    get: (key: string) => entries.get(key),
    set: (key: string, value: V) => {
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > size) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
    },
    delete: (key: string) => void entries.delete(key)
  }
}

/** The messages an event adds to the conversation. */
const messagesOf = (event: TicketEvent.TicketEvent): ReadonlyArray<Message.Message> =>
  event._tag === "TicketOpened" || event._tag === "ReplyAdded" || event._tag === "NoteAdded" ? [event.message] : []

/**
 * Builds the store on a migrated database.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<SqlStore> =>
  Effect.sync(() => {
    const { db, dialect } = options
    const pg = dialect === "postgres"
    const first = options.firstPublicId ?? 1
    // PostgreSQL text cannot hold U+0000: keys are escaped (injectively, so equality is kept)
    // rather than failing the statement. SQLite stores them as they are.
    const key = pg
      ? (value: string): string =>
          value.includes("\u0000") || value.includes("\u0001")
            ? value.replaceAll("\u0001", "\u0001\u0001").replaceAll("\u0000", "\u0001\u0002")
            : value
      : (value: string): string => value
    const unkey = pg
      ? (value: string): string => {
          if (!value.includes("\u0001")) return value
          let out = ""
          for (let i = 0; i < value.length; i++) {
            const c = value.charAt(i)
            if (c === "\u0001") {
              out += value.charAt(i + 1) === "\u0002" ? "\u0000" : "\u0001"
              i++
            } else out += c
          }
          return out
        }
      : (value: string): string => value
    /** Insertion order of timers and outbox rows, for ties (PostgreSQL: a bigserial; SQLite: rowid). */
    const seq = sql<number>`${sql.ref(pg ? "seq" : "rowid")}`
    /** A number to compare a bigint column with; a fraction must not be cast to bigint. */
    const numeric = (value: number): Expression<number> =>
      Number.isSafeInteger(value) || !pg ? sql<number>`${value}` : sql<number>`cast(${value} as double precision)`

    // Decoded snapshots and summaries by ticket, valid for the version they were read at: a
    // version's state never changes, so a hit saves decoding JSON on every append and query.
    // With the state, the projection row this process wrote for it (if it did): an update then
    // sets only the columns that changed, and SQLite leaves the other columns' indexes alone.
    const states = boundedCache<{ readonly version: number; readonly state: State; readonly row?: TicketRow }>(1_000)
    const summaries = boundedCache<{
      readonly version: number
      readonly sla: number | null
      readonly summary: TicketQuery.TicketSummary
    }>(20_000)

    const withSignal = QueryScope.of(db)
    /**
     * Runs one operation's statements. Interrupting the calling fiber cancels the statement
     * running on the server (PostgreSQL clients of `Connection.open`) and sends no further ones.
     */
    const run = <A>(operation: string, query: () => Promise<A>): Effect.Effect<A, StoreError.StoreUnavailable> =>
      Effect.tryPromise({ try: withSignal(query), catch: (cause) => DriverError.unavailable(operation, cause) })

    /** Runs `body` in one write transaction (SQLite: `BEGIN IMMEDIATE`, see `transact.ts`). */
    const transact = <A>(body: (trx: Kysely<Database>) => Promise<A>): Promise<A> => writeTransaction(db, dialect, body)

    /** The snapshot of a stored ticket: its row's summary with the messages of `ticket_texts`. */
    const decodeStored = (ticketId: string, version: number, summary: string, messages: string | null): State => {
      const cached = states.get(ticketId)
      if (cached !== undefined && cached.version === version) return cached.state
      const state = decodeTicket({ ...JSON.parse(summary), messages: JSON.parse(`[${messages ?? ""}]`) })
      states.set(ticketId, { version, state })
      return state
    }

    /** Decodes event rows; the first that does not decode is a `CorruptEvent`. */
    const decodeRows = (
      ticketId: string,
      rows: ReadonlyArray<{ readonly version: number; readonly data: string }>
    ): Result.Result<Array<TicketEvent.TicketEvent>, StoreError.CorruptEvent> => {
      const events: Array<TicketEvent.TicketEvent> = []
      for (const row of rows) {
        const decoded = decodeEventResult(row.data)
        if (Result.isFailure(decoded)) {
          return Result.fail(
            new StoreError.CorruptEvent({
              ticketId,
              version: Number(row.version),
              issue: decoded.failure.message
            })
          )
        }
        events.push(decoded.success)
      }
      return Result.succeed(events)
    }

    const eventRows = (trx: Kysely<Database>, ticketId: string) =>
      trx
        .selectFrom("events")
        .select(["version", "data"])
        .where("stream_id", "=", key(ticketId))
        .orderBy("version")
        .execute()

    /** The version of a stream with no projection row (it holds no opened ticket). */
    const bareVersion = async (trx: Kysely<Database>, ticketId: string): Promise<number> => {
      const row = await trx
        .selectFrom("events")
        .select((eb) => eb.fn.max("version").as("version"))
        .where("stream_id", "=", key(ticketId))
        .executeTakeFirst()
      return Number(row?.version ?? 0)
    }

    /** The messages of a ticket as one JSON list body (`a,b,c`), in order; null when none. */
    const messagesJson = sql<string | null>`(select ${
      pg ? sql`string_agg(data, ',' order by n)` : sql`group_concat(data, ',' order by n)`
    } from ticket_texts where ticket_texts.ticket_id = tickets.id and n > 0)`

    /** A ticket's row with its messages; on PostgreSQL inside a write, the row is locked. */
    const storedRow = (trx: Kysely<Database>, ticketId: string, lock: boolean) =>
      trx
        .selectFrom("tickets")
        .select(["version", "summary", "sla_due_at", messagesJson.as("messages")])
        .where("id", "=", key(ticketId))
        .$if(pg && lock, (q) => q.forUpdate())
        .executeTakeFirst()

    /** The SLA fold kept beside a ticket's snapshot, read in the same statement as the row. */
    const slaValue = sql<string | null>`(select value from ticket_sla where ticket_sla.ticket_id = tickets.id)`
    const slaVersion = sql<number | null>`(select version from ticket_sla where ticket_sla.ticket_id = tickets.id)`

    const currentVersion = (ticketId: string) =>
      run("append", async () => {
        const row = await db.selectFrom("tickets").select("version").where("id", "=", key(ticketId)).executeTakeFirst()
        return row === undefined ? bareVersion(db, ticketId) : Number(row.version)
      })

    /** The projection row of a ticket at a version: queue columns and the snapshot without messages. */
    const projection = (ticket: Ticket.Ticket, version: number, slaDueAt: number | null): TicketRow => {
      const { messages: _messages, ...summary } = encodeTicket({ ...ticket, messages: [] }, encodeFolded)
      return {
        id: key(ticket.id),
        workspace_id: key(ticket.workspaceId),
        public_id: ticket.publicId,
        version,
        subject: key(ticket.subject),
        requester: key(ticket.requester),
        organization: ticket.organization === undefined ? null : key(ticket.organization),
        channel: key(ticket.channel),
        priority: key(ticket.priority),
        priority_rank: Priority.rank(ticket.priority),
        type: ticket.type === undefined ? null : key(ticket.type),
        status: key(ticket.status),
        category: key(ticket.category),
        group_id: ticket.group === undefined ? null : key(ticket.group),
        assignee: ticket.assignee === undefined ? null : key(ticket.assignee),
        created_at: millis(ticket.createdAt),
        updated_at: millis(ticket.updatedAt),
        sla_due_at: slaDueAt,
        summary: JSON.stringify(summary)
      }
    }

    const subjectText = (ticket: Ticket.Ticket): TextRow => ({
      n: 0,
      data: null,
      words: TicketQuery.words(ticket.subject).join(" "),
      visibility: "public"
    })

    const messageText = (message: Message.Message, index: number): TextRow => ({
      n: index + 1,
      data: JSON.stringify(encodeMessage(message, encodeFolded)),
      words: TicketQuery.words(message.text).join(" "),
      visibility: message.visibility
    })

    /**
     * The texts an append changes. Messages only ever grow at the end through `evolve`, which
     * keeps the earlier message objects: then only the new ones are written (and indexed);
     * anything else rewrites the ticket's messages.
     */
    /** Whether `list` starts with every message of `prefix`, the same objects in order. */
    const isPrefix = (prefix: ReadonlyArray<Message.Message>, list: ReadonlyArray<Message.Message>): boolean => {
      if (list.length < prefix.length) return false
      for (let i = 0; i < prefix.length; i++) if (prefix[i] !== list[i]) return false
      return true
    }

    const textChanges = (
      prior: State,
      next: Ticket.Ticket,
      decoded: ReadonlyArray<TicketEvent.TicketEvent>
    ): TextChanges => {
      if (prior === undefined)
        return {
          deleteSubject: false,
          deleteMessages: false,
          rows: [subjectText(next), ...next.messages.map(messageText)]
        }
      const subjectChanged = prior.subject !== next.subject
      const grown = decoded.every(Ticket.keepsEarlierMessages) || isPrefix(prior.messages, next.messages)
      const from = grown ? prior.messages.length : 0
      return {
        deleteSubject: subjectChanged,
        deleteMessages: !grown,
        rows: [
          ...(subjectChanged ? [subjectText(next)] : []),
          ...next.messages.slice(from).map((m, i) => messageText(m, from + i))
        ]
      }
    }

    /** Everything an append writes, worked out before any statement runs. */
    const planAppend = (
      operation: string,
      ticketId: Ids.TicketId,
      expectedVersion: number,
      decoded: ReadonlyArray<TicketEvent.TicketEvent>,
      encoded: ReadonlyArray<string>,
      prior: State,
      priorRow: TicketRow | undefined,
      effects: TicketStore.AppendEffects
    ): Plan => {
      const next = Ticket.fold(decoded, prior)
      const opening = decoded.find((e) => e._tag === "TicketOpened")
      const workspace = next?.workspaceId ?? (opening?._tag === "TicketOpened" ? opening.workspaceId : "")
      // An absent `slaDueAt` leaves the stored one (a new row starts without).
      const slaDueAt = effects.slaDueAt === undefined || effects.slaDueAt === null ? null : millis(effects.slaDueAt)
      const priorTags = new Set(prior?.tags ?? [])
      const nextTags = new Set(next?.tags ?? [])
      return {
        next,
        id: key(ticketId),
        workspace: key(workspace),
        events: decoded.map((event, i) => ({
          version: expectedVersion + i + 1,
          type: event._tag,
          data: encoded[i] as string,
          at: millis(event.at)
        })),
        row: next === undefined ? undefined : projection(next, expectedVersion + decoded.length, slaDueAt),
        priorRow,
        keepSla: effects.slaDueAt === undefined,
        fresh: prior === undefined,
        texts: next === undefined ? undefined : textChanges(prior, next, decoded),
        tagsAdded: Array.from(nextTags)
          .filter((t) => !priorTags.has(t))
          .map(key),
        tagsRemoved: Array.from(priorTags)
          .filter((t) => !nextTags.has(t))
          .map(key),
        emailIds: Array.from(
          new Set(
            decoded.flatMap((e) =>
              messagesOf(e).flatMap((m) => (m.email === undefined ? [] : [key(m.email.messageId)]))
            )
          )
        ),
        timers: Array.from(new Map((effects.timers ?? []).map((t) => [t.id, t])).values()).map((t) => ({
          id: key(t.id),
          workspace_id: key(t.workspaceId),
          ticket_id: key(t.ticketId),
          purpose: key(t.purpose),
          due_at: millis(t.dueAt),
          available_at: 0
        })),
        outbox: Array.from(new Map((effects.outbox ?? []).map((m) => [m.id, m])).values()).map((m) => ({
          id: key(m.id),
          workspace_id: key(m.workspaceId),
          ticket_id: key(m.ticketId),
          channel: key(m.channel),
          payload: JSON.stringify(m.payload) ?? "null",
          created_at: millis(m.createdAt),
          available_at: 0,
          attempts: 0
        })),
        sla: effects.sla === undefined ? undefined : { version: expectedVersion + decoded.length, value: effects.sla },
        exceeded: Limits.checkTicket(Limits.sizeOf(prior), Limits.sizeOf(next), operation)
      }
    }

    /**
     * The row as the database holds it after the plan, when this process can know it: with the
     * stored SLA due time kept, only if the prior row (and so that time) was known.
     */
    const rowAfter = (plan: Plan): TicketRow | undefined =>
      plan.row === undefined || !plan.keepSla || plan.fresh
        ? plan.row
        : plan.priorRow === undefined
          ? undefined
          : { ...plan.row, sla_due_at: plan.priorRow.sla_due_at }

    const inChunks = inChunksOf(dialect)

    /**
     * The full-text rowid of a text on SQLite (see the migration). Unreachable: every append holds
     * a ticket to `Limits.messagesPerTicket` messages, far fewer than `textSpan`.
     */
    const textKey = (num: number, n: number): number => {
      if (n >= textSpan)
        throw new Refused(
          DriverError.unavailable("append", new Error(`a ticket holds at most ${textSpan - 1} messages`))
        )
      return num * textSpan + n
    }

    /**
     * Writes a plan in the current transaction. `known`: the prior state is this process's own
     * snapshot at `expectedVersion`, not read in this transaction, so the row's update is the
     * version check.
     */
    const writePlan = async (trx: Kysely<Database>, plan: Plan, expectedVersion: number, known: boolean) => {
      const { row, priorRow } = plan
      const { id: _id, sla_due_at: _sla, ...unchanged } = row ?? { id: "", sla_due_at: null }
      const changes: Partial<TicketRow> = plan.keepSla
        ? unchanged
        : { ...unchanged, sla_due_at: row?.sla_due_at ?? null }
      let num = 0
      if (known && row !== undefined) {
        if (priorRow !== undefined) {
          for (const column of Object.keys(changes) as Array<keyof TicketRow>) {
            if (changes[column] === priorRow[column]) delete changes[column]
          }
        }
        // Without the read, the row lock comes first here too (as `for update` takes it on
        // the other path), so two writers never wait on each other's events in a cycle.
        const updated = await trx
          .updateTable("tickets")
          .set(changes)
          .where("id", "=", row.id)
          .where("version", "=", expectedVersion)
          .$if(!pg, (q) => q.returning("num"))
          .executeTakeFirst()
        if (pg ? Number((updated as { numUpdatedRows?: bigint }).numUpdatedRows ?? 0) === 0 : updated === undefined) {
          throw new RaceLost()
        }
        num = pg ? 0 : Number((updated as { num?: number }).num)
      }
      await inChunks(
        plan.events.map((e) => ({ workspace_id: plan.workspace, stream_id: plan.id, ...e })),
        (slice) => trx.insertInto("events").values(slice).execute()
      )
      if (row === undefined || plan.texts === undefined) return
      if (!known) {
        const inserted = await trx
          .insertInto("tickets")
          .values(pg ? row : { ...row, num: sql<number>`(select coalesce(max(num), 0) + 1 from tickets)` })
          .onConflict((oc) => oc.column("id").doUpdateSet(changes))
          .$if(!pg, (q) => q.returning("num"))
          .executeTakeFirst()
        num = pg ? 0 : Number((inserted as { num?: number }).num)
      }
      const { texts } = plan
      if (texts.deleteSubject || texts.deleteMessages) {
        await trx
          .deleteFrom("ticket_texts")
          .where("ticket_id", "=", row.id)
          .where("n", texts.deleteMessages && texts.deleteSubject ? ">=" : texts.deleteMessages ? ">" : "=", 0)
          .execute()
      }
      await inChunks(
        texts.rows.map((t) => ({
          ...(pg ? {} : { key: textKey(num, t.n) }),
          workspace_id: row.workspace_id,
          ticket_id: row.id,
          ...t
        })),
        (slice) => trx.insertInto("ticket_texts").values(slice).execute()
      )
      await inChunks(plan.tagsRemoved, (slice) =>
        trx.deleteFrom("ticket_tags").where("ticket_id", "=", row.id).where("tag", "in", slice).execute()
      )
      await inChunks(
        plan.tagsAdded.map((tag) => ({ workspace_id: row.workspace_id, ticket_id: row.id, tag })),
        (slice) =>
          trx
            .insertInto("ticket_tags")
            .values(slice)
            .onConflict((oc) => oc.doNothing())
            .execute()
      )
      await inChunks(
        plan.emailIds.map((message_id) => ({ workspace_id: row.workspace_id, message_id, ticket_id: row.id })),
        (slice) =>
          trx
            .insertInto("email_message_ids")
            .values(slice)
            .onConflict((oc) => oc.doNothing())
            .execute()
      )
    }

    /** Timers and outbox rows: written with the events, whether or not the stream holds a ticket. */
    const writeEffects = async (trx: Kysely<Database>, plan: Plan) => {
      await inChunks(plan.timers, (slice) =>
        trx
          .insertInto("timers")
          .values(slice)
          .onConflict((oc) => oc.column("id").doNothing())
          .execute()
      )
      await inChunks(plan.outbox, (slice) =>
        trx
          .insertInto("outbox")
          .values(slice)
          .onConflict((oc) => oc.column("id").doNothing())
          .execute()
      )
      if (plan.sla !== undefined) {
        const { version, value } = plan.sla
        await trx
          .insertInto("ticket_sla")
          .values({ ticket_id: plan.id, version, value })
          .onConflict((oc) => oc.column("ticket_id").doUpdateSet({ version, value }))
          .execute()
      }
    }

    /** Rows a plan writes, over every table. */
    const rowsOf = (plan: Plan): number =>
      plan.events.length +
      (plan.texts?.rows.length ?? 0) +
      plan.tagsAdded.length +
      plan.tagsRemoved.length +
      plan.emailIds.length +
      plan.timers.length +
      plan.outbox.length +
      (plan.sla === undefined ? 0 : 1)

    /**
     * Most rows the one-statement append writes. Its arrays are one parameter each whatever their
     * length, but one value PostgreSQL must hold in memory at once (at most 1 GB): a larger append
     * (a long list of events, say) goes through the transaction, statement by statement, instead.
     */
    const oneStatementRows = 1_000

    /**
     * PostgreSQL, a known snapshot and texts that only grow: the whole append as one statement
     * (one round trip, atomic on its own). Every write selects from `t`, the row's update guarded
     * by the expected version, so when another writer got there first nothing at all is written.
     * Only the parts with rows to write are in the statement: an empty part still costs the
     * server its planning and start-up, and a priority change needs only the row and the event.
     */
    const appendInOneStatement = async (plan: Plan, row: TicketRow, expectedVersion: number): Promise<boolean> => {
      const texts = plan.texts?.rows ?? []
      const parts = [
        sql`t as (
  update tickets set version = ${row.version}, subject = ${row.subject}, requester = ${row.requester},
    organization = ${row.organization}, channel = ${row.channel}, priority = ${row.priority},
    priority_rank = ${row.priority_rank}, type = ${row.type}, status = ${row.status}, category = ${row.category},
    group_id = ${row.group_id}, assignee = ${row.assignee}, created_at = ${row.created_at},
    updated_at = ${row.updated_at}, summary = ${row.summary},
    sla_due_at = case when cast(${plan.keepSla} as boolean) then tickets.sla_due_at else cast(${row.sla_due_at} as bigint) end
  where id = ${row.id} and version = ${expectedVersion}
  returning id, workspace_id
)`,
        sql`e as (
  insert into events (workspace_id, stream_id, version, type, data, at)
  select t.workspace_id, t.id, x.version, x.type, x.data, x.at from t,
    unnest(cast(${plan.events.map((e) => e.version)} as integer[]), cast(${plan.events.map((e) => e.type)} as text[]),
      cast(${plan.events.map((e) => e.data)} as text[]), cast(${plan.events.map((e) => e.at)} as bigint[])) as x(version, type, data, at)
)`
      ]
      if (texts.length > 0)
        parts.push(sql`x as (
  insert into ticket_texts (workspace_id, ticket_id, n, data, words, visibility)
  select t.workspace_id, t.id, x.n, x.data, x.words, x.visibility from t,
    unnest(cast(${texts.map((r) => r.n)} as integer[]), cast(${texts.map((r) => r.data)} as text[]),
      cast(${texts.map((r) => r.words)} as text[]), cast(${texts.map((r) => r.visibility)} as text[])) as x(n, data, words, visibility)
)`)
      if (plan.tagsRemoved.length > 0)
        parts.push(sql`d as (
  delete from ticket_tags where ticket_id = (select id from t) and tag = any(cast(${plan.tagsRemoved} as text[]))
)`)
      if (plan.tagsAdded.length > 0)
        parts.push(sql`a as (
  insert into ticket_tags (workspace_id, ticket_id, tag)
  select t.workspace_id, t.id, x.tag from t, unnest(cast(${plan.tagsAdded} as text[])) as x(tag) on conflict do nothing
)`)
      if (plan.emailIds.length > 0)
        parts.push(sql`m as (
  insert into email_message_ids (workspace_id, message_id, ticket_id)
  select t.workspace_id, x.id, t.id from t, unnest(cast(${plan.emailIds} as text[])) as x(id) on conflict do nothing
)`)
      if (plan.timers.length > 0)
        parts.push(sql`tm as (
  insert into timers (id, workspace_id, ticket_id, purpose, due_at, available_at)
  select x.id, x.workspace_id, x.ticket_id, x.purpose, x.due_at, 0 from t,
    unnest(cast(${plan.timers.map((r) => r.id)} as text[]), cast(${plan.timers.map((r) => r.workspace_id)} as text[]),
      cast(${plan.timers.map((r) => r.ticket_id)} as text[]), cast(${plan.timers.map((r) => r.purpose)} as text[]),
      cast(${plan.timers.map((r) => r.due_at)} as bigint[])) as x(id, workspace_id, ticket_id, purpose, due_at)
  on conflict (id) do nothing
)`)
      if (plan.outbox.length > 0)
        parts.push(sql`o as (
  insert into outbox (id, workspace_id, ticket_id, channel, payload, created_at, available_at, attempts)
  select x.id, x.workspace_id, x.ticket_id, x.channel, x.payload, x.created_at, 0, 0 from t,
    unnest(cast(${plan.outbox.map((r) => r.id)} as text[]), cast(${plan.outbox.map((r) => r.workspace_id)} as text[]),
      cast(${plan.outbox.map((r) => r.ticket_id)} as text[]), cast(${plan.outbox.map((r) => r.channel)} as text[]),
      cast(${plan.outbox.map((r) => r.payload)} as text[]), cast(${plan.outbox.map((r) => r.created_at)} as bigint[]))
    as x(id, workspace_id, ticket_id, channel, payload, created_at)
  on conflict (id) do nothing
)`)
      if (plan.sla !== undefined)
        parts.push(sql`s as (
  insert into ticket_sla (ticket_id, version, value)
  select t.id, ${plan.sla.version}, ${plan.sla.value} from t
  on conflict (ticket_id) do update set version = excluded.version, value = excluded.value
)`)
      const result = await sql<{ readonly n: number }>`with ${sql.join(parts, sql`, `)}
select count(*) as n from t`.execute(db)
      return Number(result.rows[0]?.n ?? 0) === 1
    }

    /**
     * An append's events as they are kept: what the codec gives back, as in the memory store. An
     * event that does not round-trip is a bug in the caller (a defect), found here.
     */
    const prepare = (request: TicketStore.AppendRequest): Entry => {
      const encoded = request.events.map((e) => encodeEvent(e))
      return {
        ticketId: request.ticketId,
        expectedVersion: request.expectedVersion,
        decoded: encoded.map((text) => decodeEvent(text)),
        encoded,
        effects: request.effects ?? {}
      }
    }

    /** A stream's row, read (and on PostgreSQL locked) in the transaction, with its version. */
    const lockStream = async (trx: Kysely<Database>, ticketId: string): Promise<Locked> => {
      const row = await storedRow(trx, ticketId, true)
      return { row, version: row === undefined ? await bareVersion(trx, ticketId) : Number(row.version) }
    }

    const conflictOf = (entry: Entry, actual: number): StoreError.VersionConflict | undefined =>
      actual === entry.expectedVersion
        ? undefined
        : new StoreError.VersionConflict({ ticketId: entry.ticketId, expected: entry.expectedVersion, actual })

    /** The state of a locked stream: its snapshot, or the fold of its events when that no longer decodes. */
    const priorOf = async (trx: Kysely<Database>, ticketId: string, locked: Locked): Promise<State> => {
      if (locked.row === undefined) return undefined
      try {
        return decodeStored(ticketId, locked.version, locked.row.summary, locked.row.messages)
      } catch {
        const history = decodeRows(ticketId, await eventRows(trx, ticketId))
        if (Result.isFailure(history)) throw new Refused(history.failure)
        return Ticket.fold(history.success)
      }
    }

    /** The first opening among `events` whose public number a ticket of its workspace holds. */
    const takenNumber = async (
      trx: Kysely<Database>,
      events: ReadonlyArray<TicketEvent.TicketEvent>
    ): Promise<StoreError.PublicIdTaken | undefined> => {
      for (const event of events) {
        if (event._tag !== "TicketOpened") continue
        const holder = await trx
          .selectFrom("tickets")
          .select("id")
          .where("workspace_id", "=", key(event.workspaceId))
          .where("public_id", "=", event.publicId)
          .executeTakeFirst()
        if (holder !== undefined) {
          return new StoreError.PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId })
        }
      }
      return undefined
    }

    /**
     * Writes one entry whose version and numbers were checked, in the current transaction
     * (`known`: see `writePlan`), unless it goes beyond a per-ticket limit. An entry with no
     * events and no effects writes nothing: it only asserted its version. `planned`: the plan
     * already worked out on the same prior state.
     */
    const writeEntry = async (
      trx: Kysely<Database>,
      operation: string,
      entry: Entry,
      prior: State,
      priorRow: TicketRow | undefined,
      known: boolean,
      planned?: Plan
    ): Promise<Written> => {
      const { ticketId, expectedVersion, decoded, encoded, effects } = entry
      const plan =
        planned ?? planAppend(operation, ticketId, expectedVersion, decoded, encoded, prior, priorRow, effects)
      if (plan.exceeded !== undefined) throw new Refused(plan.exceeded)
      const idle =
        decoded.length === 0 &&
        (effects.timers ?? []).length === 0 &&
        (effects.outbox ?? []).length === 0 &&
        effects.slaDueAt === undefined &&
        effects.sla === undefined
      if (!idle) {
        await writePlan(trx, plan, expectedVersion, known)
        await writeEffects(trx, plan)
      }
      return { version: expectedVersion + decoded.length, state: plan.next, row: idle ? undefined : rowAfter(plan) }
    }

    /** One entry by reading its row in the transaction: lock, check the version and numbers, write. */
    const appendIn = async (trx: Kysely<Database>, entry: Entry): Promise<Written> => {
      const locked = await lockStream(trx, entry.ticketId)
      const conflict = conflictOf(entry, locked.version)
      if (conflict !== undefined) throw new Refused(conflict)
      const prior = await priorOf(trx, entry.ticketId, locked)
      const taken = await takenNumber(trx, entry.decoded)
      if (taken !== undefined) throw new Refused(taken)
      // The row as stored (its queue columns follow from the state; its SLA due time was read),
      // so that the next append from this process can update only the columns that change.
      const stored = locked.row
      const priorRow =
        prior === undefined || stored === undefined
          ? undefined
          : projection(prior, locked.version, stored.sla_due_at === null ? null : Number(stored.sla_due_at))
      return writeEntry(trx, "append", entry, prior, priorRow, false)
    }

    /** Keeps what a committed write left as the stream's cached state. */
    const remember = (ticketId: string, written: Written) => {
      if (written.state === undefined) states.delete(ticketId)
      else
        states.set(ticketId, {
          version: written.version,
          state: written.state,
          ...(written.row === undefined ? {} : { row: written.row })
        })
    }

    /** What a failed append's transaction threw, as the error it stands for. */
    const appendFailure =
      (operation: string, entries: ReadonlyArray<Entry>) =>
      (cause: unknown): AppendError | RaceLost => {
        if (cause instanceof Refused) return cause.error
        // A deadlock victim (PostgreSQL) lost a race too: the caller reloads and decides again.
        if (cause instanceof RaceLost || DriverError.fieldOf(cause, "code") === "40P01") return new RaceLost()
        if (violates(cause, "events_stream_version", "events.stream_id, events.version")) return new RaceLost()
        if (violates(cause, "tickets_workspace_public_id", "tickets.workspace_id, tickets.public_id")) {
          const openings = entries.flatMap((entry) =>
            entry.decoded.flatMap((e) => (e._tag === "TicketOpened" ? [e] : []))
          )
          // PostgreSQL names the number in the detail; SQLite does not (but its writers are serial).
          const detail = String(DriverError.fieldOf(cause, "detail") ?? "")
          const opening =
            openings.find((o) => detail.includes(`=(${key(o.workspaceId)}, ${o.publicId})`)) ?? openings[0]
          if (opening !== undefined) {
            return new StoreError.PublicIdTaken({ workspaceId: opening.workspaceId, publicId: opening.publicId })
          }
        }
        return DriverError.unavailable(operation, cause)
      }

    /**
     * The conflict a lost race stands for: the first entry whose stream is no longer at its
     * expected version, or the first entry when every stream is back where it was expected.
     */
    const lostRace = (entries: ReadonlyArray<Entry>): Effect.Effect<never, AppendError> =>
      Effect.gen(function* () {
        let first: StoreError.VersionConflict | undefined
        for (const entry of entries) {
          const actual = yield* currentVersion(entry.ticketId)
          const conflict = new StoreError.VersionConflict({
            ticketId: entry.ticketId,
            expected: entry.expectedVersion,
            actual
          })
          if (actual !== entry.expectedVersion) return yield* Effect.fail(conflict)
          first ??= conflict
        }
        return yield* first === undefined ? Effect.die(new Error("a lost race in an empty batch")) : Effect.fail(first)
      })

    const append = (
      ticketId: Ids.TicketId,
      expectedVersion: number,
      events: ReadonlyArray<TicketEvent.TicketEvent>,
      effects: TicketStore.AppendEffects = {}
    ): Effect.Effect<number, AppendError> =>
      Effect.suspend((): Effect.Effect<number, AppendError> => {
        const tooLarge = Limits.checkWrite([{ events }], "append")
        if (tooLarge !== undefined) return Effect.fail(tooLarge)
        const entry = prepare({ ticketId, expectedVersion, events, effects })
        const { decoded, encoded } = entry
        // The snapshot this process last saw at exactly `expectedVersion`: a version's state
        // never changes, and versions only grow, so writing version `expectedVersion + 1` is
        // then the version check itself, and the read of the row (and its lock) can be skipped.
        const seen = states.get(ticketId)
        const snapshot =
          seen !== undefined &&
          seen.version === expectedVersion &&
          seen.state !== undefined &&
          decoded.length > 0 &&
          !decoded.some((e) => e._tag === "TicketOpened")
            ? seen.state
            : undefined
        // An append beyond a limit on the snapshot goes the way that reads the row: the stream
        // may have moved on, and then the conflict is the answer, as in the memory store.
        const planned =
          snapshot === undefined
            ? undefined
            : planAppend("append", ticketId, expectedVersion, decoded, encoded, snapshot, seen?.row, effects)
        const plan = planned?.exceeded === undefined ? planned : undefined
        const body = (trx: Kysely<Database>): Promise<Written> =>
          plan === undefined || snapshot === undefined
            ? appendIn(trx, entry)
            : writeEntry(trx, "append", entry, snapshot, seen?.row, true, plan)
        const oneStatement = (): Promise<Written> | undefined => {
          if (!pg || plan === undefined) return undefined
          const { row, texts } = plan
          if (row === undefined || texts === undefined || texts.deleteMessages || texts.deleteSubject) return undefined
          if (rowsOf(plan) > oneStatementRows) return undefined
          return appendInOneStatement(plan, row, expectedVersion).then((written) => {
            if (!written) throw new RaceLost()
            return { version: expectedVersion + decoded.length, state: plan.next, row: rowAfter(plan) }
          })
        }
        return Effect.tryPromise({
          try: withSignal(() => oneStatement() ?? transact(body)),
          catch: appendFailure("append", [entry])
        }).pipe(
          Effect.tap((written) => Effect.sync(() => remember(ticketId, written))),
          Effect.map((written) => written.version),
          Effect.tapError(() => Effect.sync(() => states.delete(ticketId))),
          Effect.catch((error) => (error instanceof RaceLost ? lostRace([entry]) : Effect.fail(error)))
        )
      })

    const appendAll = (
      batch: ReadonlyArray<TicketStore.AppendRequest>
    ): Effect.Effect<ReadonlyArray<number>, AppendError> =>
      Effect.suspend((): Effect.Effect<ReadonlyArray<number>, AppendError> => {
        if (batch.length === 0) return Effect.succeed([])
        const tooLarge = Limits.checkWrite(batch, "appendAll")
        if (tooLarge !== undefined) return Effect.fail(tooLarge)
        const named = new Set<string>()
        for (const request of batch) {
          if (named.has(request.ticketId)) {
            return Effect.fail(
              new StoreError.StoreUnavailable({
                operation: "appendAll",
                reason: `ticket ${request.ticketId} appears twice in a batch`
              })
            )
          }
          named.add(request.ticketId)
        }
        const entries = batch.map(prepare)
        // Every batch locks its rows in one order (by ticket id), so that two batches on
        // PostgreSQL never wait on each other's rows in a cycle; versions go back in batch order.
        const order = entries
          .map((_, index) => index)
          .sort((a, b) => {
            const [x, y] = [entries[a]?.ticketId ?? "", entries[b]?.ticketId ?? ""]
            return x < y ? -1 : x > y ? 1 : 0
          })
        const body = async (trx: Kysely<Database>): Promise<ReadonlyArray<Written>> => {
          const locked: Array<Locked> = []
          for (const index of order) locked[index] = await lockStream(trx, (entries[index] as Entry).ticketId)
          // Every refusal before any write, in batch order (as the memory store gives them);
          // two openings of the batch may not claim the same number either.
          const claimed = new Set<string>()
          for (const [index, entry] of entries.entries()) {
            const refused =
              conflictOf(entry, (locked[index] as Locked).version) ?? (await takenNumber(trx, entry.decoded))
            if (refused !== undefined) throw new Refused(refused)
            for (const event of entry.decoded) {
              if (event._tag !== "TicketOpened") continue
              const number = `${event.workspaceId}\u0000${event.publicId}`
              if (claimed.has(number)) {
                throw new Refused(
                  new StoreError.PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId })
                )
              }
              claimed.add(number)
            }
          }
          const written: Array<Written> = []
          for (const index of order) {
            const entry = entries[index] as Entry
            const prior = await priorOf(trx, entry.ticketId, locked[index] as Locked)
            written[index] = await writeEntry(trx, "appendAll", entry, prior, undefined, false)
          }
          return written
        }
        return Effect.tryPromise({
          try: withSignal(() => transact(body)),
          catch: appendFailure("appendAll", entries)
        }).pipe(
          Effect.tap((written) =>
            Effect.sync(() => {
              for (const [index, w] of written.entries()) remember((entries[index] as Entry).ticketId, w)
            })
          ),
          Effect.map((written) => written.map((w) => w.version)),
          Effect.tapError(() =>
            Effect.sync(() => {
              for (const entry of entries) states.delete(entry.ticketId)
            })
          ),
          Effect.catch((error) => (error instanceof RaceLost ? lostRace(entries) : Effect.fail(error)))
        )
      })

    const read = (ticketId: Ids.TicketId): Effect.Effect<TicketStore.StoredStream, StoreError.StoreError> =>
      Effect.flatMap(
        run("read", () => eventRows(db, ticketId)),
        (rows) =>
          Effect.map(Effect.fromResult(decodeRows(ticketId, rows)), (events) => ({ events, version: events.length }))
      )

    const load = (ticketId: Ids.TicketId): Effect.Effect<TicketStore.LoadedStream, StoreError.StoreError> =>
      Effect.flatMap(
        run("load", async () => {
          const row = await db
            .selectFrom("tickets")
            .select([
              "version",
              "summary",
              messagesJson.as("messages"),
              slaValue.as("sla_value"),
              slaVersion.as("sla_version")
            ])
            .where("id", "=", key(ticketId))
            .executeTakeFirst()
          if (row === undefined) return { version: await bareVersion(db, ticketId), state: undefined }
          const version = Number(row.version)
          const sla =
            row.sla_value === null || row.sla_version === null
              ? {}
              : { sla: { value: row.sla_value, version: Number(row.sla_version) } }
          try {
            return { version, state: decodeStored(ticketId, version, row.summary, row.messages), ...sla }
          } catch {
            return undefined
          }
        }),
        (loaded): Effect.Effect<TicketStore.LoadedStream, StoreError.StoreError> =>
          loaded !== undefined
            ? Effect.succeed(loaded)
            : // A snapshot that no longer decodes: the fold of the events is the truth.
              Effect.map(read(ticketId), (stream) => ({ state: Ticket.fold(stream.events), version: stream.version }))
      )

    const nextPublicId = (
      workspaceId: Ids.WorkspaceId
    ): Effect.Effect<Ids.PublicId, Limits.LimitExceeded | StoreError.StoreError> =>
      Effect.flatMap(
        first > Limits.publicIdMax
          ? Effect.succeed(undefined)
          : run("nextPublicId", () => PublicIdSequence.next(db, key(workspaceId), first)),
        (number) =>
          number === undefined
            ? Effect.fail(
                new Limits.LimitExceeded({
                  limit: "publicIdMax",
                  max: Limits.publicIdMax,
                  actual: Math.max(first, Limits.publicIdMax + 1),
                  operation: "nextPublicId"
                })
              )
            : Effect.succeed(number as Ids.PublicId)
      )

    const resolve = (
      workspaceId: Ids.WorkspaceId,
      publicId: Ids.PublicId
    ): Effect.Effect<Option.Option<Ids.TicketId>, StoreError.StoreError> =>
      // A number outside `PublicId`'s range is held by no ticket (and PostgreSQL's column could
      // not even compare it).
      !Number.isSafeInteger(publicId) || publicId < 1 || publicId > Limits.publicIdMax
        ? Effect.succeed(Option.none())
        : run("resolve", () =>
            db
              .selectFrom("tickets")
              .select("id")
              .where("workspace_id", "=", key(workspaceId))
              .where("public_id", "=", publicId)
              .executeTakeFirst()
          ).pipe(Effect.map((row) => (row === undefined ? Option.none() : Option.some(unkey(row.id) as Ids.TicketId))))

    /** `column in (values)`; an empty list matches nothing, as `includes` on `[]` does. */
    const oneOf = (
      eb: Tickets,
      column: "category" | "status" | "priority" | "channel",
      values: ReadonlyArray<string>
    ): Expression<SqlBool> => (values.length === 0 ? never : eb(column, "in", values.map(key)))

    const nullable = (eb: Tickets, column: "assignee" | "group_id", value: string | null): Expression<SqlBool> =>
      value === null ? eb(column, "is", null) : eb(column, "=", key(value))

    const tagFilters = TagFilters.make(pg)

    /** A term as a prefix query: FTS5 string syntax, or a tsquery lexeme (not normalised by the cast). */
    const prefixQuery = (term: string): string =>
      pg ? `'${term.replaceAll("\\", "\\\\").replaceAll("'", "''")}':*` : `"${term.replaceAll('"', '""')}"*`

    // Constants in the SQL text: better-sqlite3 binds numbers as REAL, and `rowid / 2^24.0`
    // would not be the ticket's number.
    const span = sql.lit(textSpan)
    const last = sql.lit(textSpan - 1)

    /**
     * A term's prefix query for PostgreSQL, as a literal in the SQL text: the planner must see
     * the term to choose between the GIN index and a scan (a prepared generic plan cannot). Terms
     * are letters and digits only (`TicketQuery.searchTerms`), and are escaped all the same.
     */
    const tsquery = (term: string) => sql`cast(${sql.lit(prefixQuery(term))} as tsquery)`

    /**
     * Some text of the ticket has a word starting with `term`, checked ticket by ticket (for a
     * common term, while walking the tickets in the query's order): the ticket's own texts,
     * through their primary key, never a full-text index lookup (FTS5 reads a term's whole
     * doclist for every lookup). PostgreSQL: a scalar subquery, which the planner cannot turn
     * into a join that first collects every match. SQLite: a word of the text starts with the
     * term when `' ' || term` occurs in `' ' || words` (both are `TicketQuery.words`).
     */
    const hasTerm = (term: string, publicOnly: boolean): Expression<SqlBool> =>
      pg
        ? sql<SqlBool>`coalesce((select true from ticket_texts where ticket_texts.ticket_id = tickets.id and ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)} limit 1), false)`
        : sql<SqlBool>`exists (select 1 from ticket_texts where ticket_texts.key between tickets.num * ${span} and tickets.num * ${span} + ${last} and instr(' ' || ticket_texts.words, ${` ${term}`}) > 0${publicText(publicOnly)})`

    /**
     * The tickets with a text matching `term`, straight from the full-text index. PostgreSQL: a
     * rare term's matches as an array computed once from the GIN index, so the planner looks the
     * tickets up by id instead of walking every ticket to probe its texts; a common one (a search
     * whose walk found too little) as a semi-join, which hashes its many matches.
     */
    const withTerm = (term: string, common: boolean, publicOnly: boolean): Expression<SqlBool> =>
      !pg
        ? common
          ? // `+` keeps SQLite from driving the query from this set: each term's set is built once
            // and the walk of the query's order checks tickets against them.
            sql<SqlBool>`+tickets.num in (${ftsMatches(term, publicOnly)})`
          : sql<SqlBool>`tickets.num in (${ftsMatches(term, publicOnly)})`
        : common
          ? sql<SqlBool>`tickets.id in (select ticket_id from ticket_texts where ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)})`
          : sql<SqlBool>`tickets.id = any(array(select ticket_id from ticket_texts where ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)}))`

    /** Searches for requesters (`searchIn: "public"`) leave internal notes out (#12). */
    const publicText = (publicOnly: boolean) => (publicOnly ? sql` and ticket_texts.visibility = 'public'` : sql``)

    /** SQLite: the numbers of the tickets with a text matching `term` (public ones: each match looked up by key). */
    const ftsMatches = (term: string, publicOnly: boolean) =>
      publicOnly
        ? sql`select ticket_texts.key / ${span} from ticket_texts_fts join ticket_texts on ticket_texts.key = ticket_texts_fts.rowid where ticket_texts_fts match ${prefixQuery(term)}${publicText(true)}`
        : sql`select rowid / ${span} from ticket_texts_fts where ticket_texts_fts match ${prefixQuery(term)}`

    /**
     * The term to drive a search from: the rarest, if fewer than `rareMatches` texts match it;
     * none when every term is common, and then walking the tickets in the query's order and
     * checking each finds a page sooner than collecting every match (planners misjudge this:
     * PostgreSQL hash-joins millions of matches for a 50-row page). Only the plan depends on it;
     * the results are the same.
     */
    // PostgreSQL estimates a word outside its statistics' most common ones at about 0.1% of the
    // texts: a higher bar there keeps those words rare.
    const rareMatches = Math.max(1, Math.floor(options.searchTuning?.rare ?? (pg ? 10_000 : 2_000)))
    /** How many tickets a search of common terms walks before it collects matches instead. */
    const walkWindow = Math.max(1, Math.floor(options.searchTuning?.window ?? 5_000))

    /**
     * SQLite: texts matching a term, counted up to the cap (FTS5 stops there). PostgreSQL: the
     * planner's estimate from the column's statistics, read with EXPLAIN: counting there needs
     * either a scan (which never stops for a word no text has) or a full GIN bitmap (slow for a
     * common one), while the estimate costs a plan and is good enough to choose.
     */
    const countedTexts = async (term: string): Promise<number> => {
      const counted = await sql<{
        readonly count: number
      }>`select count(*) as count from (select 1 from ticket_texts_fts where ticket_texts_fts match ${prefixQuery(term)} limit ${rareMatches}) as m`.execute(
        db
      )
      return Number(counted.rows[0]?.count ?? rareMatches)
    }
    const estimatedTexts = async (term: string): Promise<number> => {
      const explained = await sql<
        Record<string, unknown>
      >`explain (format json) select 1 from ticket_texts where search @@ ${tsquery(term)}`.execute(db)
      const plan = Object.values(explained.rows[0] ?? {})[0]
      const parsed = typeof plan === "string" ? JSON.parse(plan) : plan
      const rows = Array.isArray(parsed)
        ? (parsed[0] as { Plan?: { "Plan Rows"?: unknown } })?.Plan?.["Plan Rows"]
        : undefined
      return typeof rows === "number" ? rows : rareMatches
    }
    const rarestTerm = (terms: ReadonlyArray<string>) =>
      run("query", async () => {
        let rarest: { readonly term: string; readonly count: number } | undefined
        for (const term of terms) {
          // SQLite: a term of one to three characters is taken as common without counting. FTS5
          // merges the doclists of every word it begins, which is what costs (a whole second for
          // "t" at a million tickets); walking finds a page of such a term at once.
          const count = pg ? await estimatedTexts(term) : term.length < 4 ? rareMatches : await countedTexts(term)
          if (count < rareMatches && (rarest === undefined || count < rarest.count)) rarest = { term, count }
        }
        return rarest?.term
      })

    interface Search {
      readonly terms: ReadonlyArray<string>
      /** The term whose matches drive the query (see `rarestTerm`). */
      readonly driver: string | undefined
      /** The driver is common: a walk of the first candidates did not fill the page. */
      readonly common?: boolean
    }

    const filters = (eb: Tickets, ws: string, query: TicketQuery.TicketQuery): Array<Expression<SqlBool>> => {
      const where: Array<Expression<SqlBool>> = [eb("workspace_id", "=", key(ws))]
      if (query.category !== undefined) {
        // Categories within the unresolved ones also state the partial index's predicate, in
        // its very words, so that both planners can use `tickets_group_queue`.
        const categories: ReadonlyArray<string> = query.category
        const withinUnresolved = categories.length > 0 && categories.every((c) => unresolvedCategories.includes(c))
        if (withinUnresolved) where.push(unresolved)
        if (!withinUnresolved || !unresolvedCategories.every((c) => categories.includes(c))) {
          where.push(oneOf(eb, "category", categories))
        }
      }
      if (query.status !== undefined) where.push(oneOf(eb, "status", query.status))
      if (query.assignee !== undefined) where.push(nullable(eb, "assignee", query.assignee))
      if (query.group !== undefined) where.push(nullable(eb, "group_id", query.group))
      if (query.requester !== undefined) where.push(eb("requester", "=", key(query.requester)))
      if (query.organization !== undefined) where.push(eb("organization", "=", key(query.organization)))
      if (query.priority !== undefined) where.push(oneOf(eb, "priority", query.priority))
      if (query.channel !== undefined) where.push(oneOf(eb, "channel", query.channel))
      if (query.tagsAny !== undefined) {
        where.push(query.tagsAny.length === 0 ? never : tagFilters.any(eb, Array.from(new Set(query.tagsAny), key)))
      }
      if (query.tagsAll !== undefined && query.tagsAll.length > 0) {
        where.push(tagFilters.all(eb, key(ws), Array.from(new Set(query.tagsAll), key)))
      }
      if (query.createdFrom !== undefined) where.push(eb("created_at", ">=", millis(query.createdFrom)))
      if (query.createdTo !== undefined) where.push(eb("created_at", "<", millis(query.createdTo)))
      if (query.updatedFrom !== undefined) where.push(eb("updated_at", ">=", millis(query.updatedFrom)))
      if (query.updatedTo !== undefined) where.push(eb("updated_at", "<", millis(query.updatedTo)))
      if (query.slaDueBefore !== undefined) {
        where.push(eb.and([eb("sla_due_at", "is not", null), eb("sla_due_at", "<", millis(query.slaDueBefore))]))
      }
      return where
    }

    /** The sort keys of `TicketQuery.position`, as SQL expressions, the id last. */
    const sortKeys = (sort: TicketQuery.SortKey): ReadonlyArray<Expression<unknown>> => {
      const ref = (column: "created_at" | "updated_at" | "priority_rank" | "sla_due_at" | "id") =>
        sql`${sql.ref(`tickets.${column}`)}`
      switch (sort) {
        case "created":
          return [ref("created_at"), ref("id")]
        case "updated":
          return [ref("updated_at"), ref("id")]
        case "priority":
          return [ref("priority_rank"), ref("created_at"), ref("id")]
        case "sla_due":
          return [sql`(sla_due_at is null)`, ref("sla_due_at"), ref("id")]
      }
    }

    /** Rows strictly after `after` in the query's order (lexicographic, with each key's direction). */
    const keyset = (
      eb: Tickets,
      sort: TicketQuery.SortKey,
      dirs: ReadonlyArray<1 | -1>,
      after: TicketQuery.Position
    ): Expression<SqlBool> => {
      const [values, id] = after
      const afterId = eb("tickets.id", (dirs[dirs.length - 1] ?? 1) === 1 ? ">" : "<", key(id))
      if (sort === "sla_due" && (values[0] === 0 || values[0] === 1)) {
        // The index-friendly form: tickets without a due time come last, ordered by id.
        if (values[0] === 1) return eb.and([eb("sla_due_at", "is", null), afterId])
        const due = numeric(values[1] ?? 0)
        return eb.or([
          eb("sla_due_at", "is", null),
          eb("sla_due_at", (dirs[1] ?? 1) === 1 ? ">" : "<", due),
          eb.and([eb("sla_due_at", "=", due), afterId])
        ])
      }
      const keys: ReadonlyArray<Expression<unknown>> =
        sort === "sla_due"
          ? [sql`(case when sla_due_at is null then 1 else 0 end)`, sql`coalesce(sla_due_at, 0)`]
          : sortKeys(sort).slice(0, -1)
      // Missing cursor keys count as 0 and extra ones are ignored, as `TicketQuery.compare` does.
      const alternatives: Array<Expression<SqlBool>> = []
      keys.forEach((k, i) => {
        const equal = keys.slice(0, i).map((prior, j) => eb(prior, "=", numeric(values[j] ?? 0)))
        alternatives.push(eb.and([...equal, eb(k, (dirs[i] ?? 1) === 1 ? ">" : "<", numeric(values[i] ?? 0))]))
      })
      alternatives.push(eb.and([...keys.map((k, j) => eb(k, "=", numeric(values[j] ?? 0))), afterId]))
      return eb.or(alternatives)
    }

    const summaryOf = (row: {
      readonly id: string
      readonly version: number
      readonly summary: string
      readonly sla_due_at: number | null
    }): TicketQuery.TicketSummary => {
      const version = Number(row.version)
      const sla = row.sla_due_at === null ? null : Number(row.sla_due_at)
      const cached = summaries.get(row.id)
      if (cached !== undefined && cached.version === version && cached.sla === sla) return cached.summary
      const decoded = decodeSummary(JSON.parse(row.summary))
      const summary = sla === null ? decoded : { ...decoded, slaDueAt: DateTime.makeUnsafe(sla) }
      summaries.set(row.id, { version, sla, summary })
      return summary
    }

    const query = (
      workspaceId: Ids.WorkspaceId,
      ticketQuery: TicketQuery.TicketQuery
    ): Effect.Effect<TicketQuery.TicketPage, StoreError.InvalidCursor | StoreError.StoreError> =>
      Effect.gen(function* () {
        const { sort, direction } = TicketQuery.ordering(ticketQuery)
        const after =
          ticketQuery.cursor === undefined
            ? undefined
            : yield* TicketQuery.decodeCursor(ticketQuery.cursor, sort, direction)
        const limit = ticketQuery.limit ?? TicketQuery.defaultLimit
        const terms = ticketQuery.search === undefined ? undefined : TicketQuery.searchTerms(ticketQuery.search)
        const search: Search | undefined =
          terms === undefined || terms.length === 0 ? undefined : { terms, driver: yield* rarestTerm(terms) }
        const dirs = TicketQuery.directions(sort, direction)
        const keys = sortKeys(sort)
        const ordered = <Q extends { orderBy: (...args: Array<never>) => unknown }>(select: Q): Q => {
          let out = select as unknown as {
            orderBy: (k: Expression<unknown>, d: (ob: OrderBy) => OrderBy) => typeof out
          }
          keys.forEach((k, i) => {
            out = out.orderBy(k, (ob) => ((dirs[i] ?? 1) === 1 ? ob.asc() : ob.desc()))
          })
          return out as unknown as Q
        }
        /** The tickets the query's filters (but not its search) and cursor let through. */
        const candidates = (eb: Tickets): Expression<SqlBool> => {
          const where = filters(eb, workspaceId, ticketQuery)
          if (after !== undefined) where.push(keyset(eb, sort, dirs, after))
          return eb.and(where)
        }
        const publicOnly = ticketQuery.searchIn === "public"
        /** The page, in one statement: the search's terms checked on every candidate. */
        const searchConditions = (driven: Search | undefined): Array<Expression<SqlBool>> =>
          (driven?.terms ?? []).map((term) =>
            // SQLite, common terms: every term's matches as a set (see `withTerm`).
            term === driven?.driver || (!pg && driven?.common === true)
              ? withTerm(term, driven?.common === true, publicOnly)
              : hasTerm(term, publicOnly)
          )
        const whole = (driven: Search | undefined) =>
          run("query", () =>
            ordered(
              db
                .selectFrom("tickets")
                .select(["id", "version", "summary", "sla_due_at"])
                .where((eb) => eb.and([candidates(eb), ...searchConditions(driven)]))
            )
              .limit(limit + 1)
              .execute()
          )
        let rows: ReadonlyArray<{ id: string; version: number; summary: string; sla_due_at: number | null }>
        if (search === undefined || search.driver !== undefined) rows = yield* whole(search)
        else {
          // Every term is common: the first `walkWindow` candidates in the query's order
          // usually hold a page. If they do not (the terms are common, their combination is
          // not), and there are more candidates, the longest term drives the query instead.
          const windowed = yield* run("query", () =>
            ordered(
              db
                .selectFrom(
                  ordered(db.selectFrom("tickets").selectAll().where(candidates)).limit(walkWindow).as("tickets")
                )
                .select(["id", "version", "summary", "sla_due_at"])
                .where((eb) => eb.and(searchConditions({ terms: search.terms, driver: undefined })))
            )
              .limit(limit + 1)
              .execute()
          )
          const exhausted =
            windowed.length > limit ||
            (yield* run("query", () =>
              db
                .selectFrom(
                  db
                    .selectFrom("tickets")
                    .select("id")
                    .where(candidates)
                    .limit(walkWindow + 1)
                    .as("c")
                )
                .select((eb) => eb.fn.countAll<number>().as("n"))
                .executeTakeFirstOrThrow()
            )).n <= walkWindow
          const longest = [...search.terms].sort((a, b) => b.length - a.length)[0]
          rows = exhausted ? windowed : yield* whole({ terms: search.terms, driver: longest, common: true })
        }
        const items = yield* Effect.try({
          try: () => rows.slice(0, limit).map(summaryOf),
          catch: (cause) => DriverError.unavailable("query", cause)
        })
        const last = items[items.length - 1]
        return {
          items,
          nextCursor:
            rows.length > limit && last !== undefined
              ? TicketQuery.encodeCursor(sort, direction, TicketQuery.position(sort, last))
              : undefined
        }
      })

    const tickets = TicketStore.TicketStore.of({
      capabilities: { durable: true, multiProcess: true },
      read,
      load,
      append,
      appendAll,
      nextPublicId,
      resolve,
      query
    })

    const timerPort = Timers.Timers.of({
      schedule: (timer) =>
        run("schedule", () =>
          db
            .insertInto("timers")
            .values({
              id: key(timer.id),
              workspace_id: key(timer.workspaceId),
              ticket_id: key(timer.ticketId),
              purpose: key(timer.purpose),
              due_at: millis(timer.dueAt),
              available_at: 0
            })
            .onConflict((oc) => oc.column("id").doNothing())
            .execute()
        ).pipe(Effect.asVoid),
      claimDue: (workspaceId, now, limit, leaseMillis) =>
        run("claimDue", () => {
          const at = millis(now)
          // One statement: the rows it picks are leased before anyone else can pick them
          // (SQLite: the statement holds the write lock; PostgreSQL: rows locked, others skipped).
          const due = db
            .selectFrom("timers")
            .select("id")
            .where("workspace_id", "=", key(workspaceId))
            .where("due_at", "<=", at)
            .where("available_at", "<=", at)
            .orderBy("due_at")
            .orderBy(seq)
            .limit(Math.max(0, limit))
            .$if(pg, (q) => q.forUpdate().skipLocked())
          return db
            .updateTable("timers")
            .set({ available_at: at + leaseMillis })
            .where("id", "in", due)
            .returning(["id", "workspace_id", "ticket_id", "purpose", "due_at", seq.as("seq")])
            .execute()
        }).pipe(
          Effect.map((rows) =>
            rows
              .map((r) => ({ ...r, due_at: Number(r.due_at), seq: Number(r.seq) }))
              .sort((a, b) => a.due_at - b.due_at || a.seq - b.seq)
              .map(
                (r): Timers.Timer => ({
                  id: unkey(r.id),
                  workspaceId: unkey(r.workspace_id) as Ids.WorkspaceId,
                  ticketId: unkey(r.ticket_id) as Ids.TicketId,
                  purpose: unkey(r.purpose) as Timers.TimerPurpose,
                  dueAt: DateTime.makeUnsafe(r.due_at)
                })
              )
          )
        ),
      complete: (id) =>
        run("complete", () => db.deleteFrom("timers").where("id", "=", key(id)).execute()).pipe(Effect.asVoid)
    })

    const outboxPort = Outbox.Outbox.of({
      claim: (channel, now, limit, leaseMillis) =>
        run("claim", () => {
          const at = millis(now)
          const ready = db
            .selectFrom("outbox")
            .select("id")
            .where("channel", "=", key(channel))
            .where("available_at", "<=", at)
            .orderBy("created_at")
            .orderBy(seq)
            .limit(Math.max(0, limit))
            .$if(pg, (q) => q.forUpdate().skipLocked())
          return db
            .updateTable("outbox")
            .set({ available_at: at + leaseMillis })
            .where("id", "in", ready)
            .returning([
              "id",
              "workspace_id",
              "ticket_id",
              "channel",
              "payload",
              "created_at",
              "attempts",
              seq.as("seq")
            ])
            .execute()
        }).pipe(
          Effect.flatMap((rows) =>
            Effect.try({
              try: () =>
                rows
                  .map((r) => ({ ...r, created_at: Number(r.created_at), seq: Number(r.seq) }))
                  .sort((a, b) => a.created_at - b.created_at || a.seq - b.seq)
                  .map(
                    (r): Outbox.ClaimedMessage => ({
                      id: unkey(r.id),
                      workspaceId: unkey(r.workspace_id) as Ids.WorkspaceId,
                      ticketId: unkey(r.ticket_id) as Ids.TicketId,
                      channel: unkey(r.channel),
                      payload: JSON.parse(r.payload),
                      createdAt: DateTime.makeUnsafe(r.created_at),
                      attempts: Number(r.attempts)
                    })
                  ),
              catch: (cause) => DriverError.unavailable("claim", cause)
            })
          )
        ),
      complete: (id) =>
        run("complete", () => db.deleteFrom("outbox").where("id", "=", key(id)).execute()).pipe(Effect.asVoid),
      retry: (id, retryAt) =>
        run("retry", () =>
          db
            .updateTable("outbox")
            .set((eb) => ({ attempts: eb("attempts", "+", 1), available_at: millis(retryAt) }))
            .where("id", "=", key(id))
            .execute()
        ).pipe(Effect.asVoid)
    })

    return { tickets, timers: timerPort, outbox: outboxPort }
  })

/**
 * The store as a layer on a migrated database: `TicketStore`, with the `Timers` and `Outbox`
 * it writes to. `SqlStore.layer` also runs the migrations.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<TicketStore.TicketStore | Timers.Timers | Outbox.Outbox> =>
  Layer.effectContext(
    Effect.map(make(options), (store) =>
      Context.make(TicketStore.TicketStore, store.tickets).pipe(
        Context.add(Timers.Timers, store.timers),
        Context.add(Outbox.Outbox, store.outbox)
      )
    )
  )
