/**
 * The `TicketStore` port on SQL, with the `Timers` and `Outbox` its appends write to: one code
 * path for SQLite (better-sqlite3) and PostgreSQL (pg) on kysely, held to the in-memory store by
 * the conformance suite. An append is one transaction (events, the `tickets` projection with its
 * snapshot, tags, timers, outbox, email ids); queries are built from `TicketQuery`'s sort keys
 * with bound parameters only. Migrations and opening clients are left to `Migrations` and
 * `SqlStore`.
 */
import {
  type Ids,
  type Message,
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
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql } from "kysely"
import type { Database, Dialect, TicketsTable } from "./Database.js"

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

type AppendError = StoreError.VersionConflict | StoreError.PublicIdTaken | StoreError.StoreError
type Tickets = ExpressionBuilder<Database, "tickets">
type State = Ticket.State

const encodeEvent = Schema.encodeSync(TicketEvent.TicketEventJson)
const decodeEvent = Schema.decodeUnknownSync(TicketEvent.TicketEventJson)
const decodeEventResult = Schema.decodeUnknownResult(TicketEvent.TicketEventJson)
const encodeTicket = Schema.encodeSync(Ticket.Ticket)
const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)
const decodeSummary = Schema.decodeUnknownSync(TicketQuery.TicketSummary)
const millis = DateTime.toEpochMillis

/** The categories of the `tickets_group_queue` partial index (see the migration). */
const unresolvedCategories: ReadonlyArray<string> = ["new", "open", "pending", "on_hold"]
const unresolved = sql<SqlBool>`category in ('new', 'open', 'pending', 'on_hold')`
const never = sql<SqlBool>`1 = 0`

/** An expected refusal raised inside a transaction, so that it rolls back. */
class Refused {
  constructor(readonly error: AppendError) {}
}

/** A concurrent writer inserted the same (stream, version) first. */
class RaceLost {
  readonly _tag = "RaceLost"
}

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const unavailable = (operation: string, cause: unknown) =>
  new StoreError.StoreUnavailable({ operation, reason: reasonOf(cause), cause })

const fieldOf = (cause: unknown, key: string): unknown =>
  typeof cause === "object" && cause !== null && key in cause ? (cause as Record<string, unknown>)[key] : undefined

/** Whether a driver error is a unique violation of `constraint` (PostgreSQL name, SQLite columns). */
const violates = (cause: unknown, constraint: string, sqliteColumns: string): boolean => {
  const code = fieldOf(cause, "code")
  if (code === "23505") return fieldOf(cause, "constraint") === constraint
  return (
    (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") &&
    reasonOf(cause).includes(sqliteColumns)
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
    const states = boundedCache<{ readonly version: number; readonly state: State }>(2_000)
    const summaries = boundedCache<{ readonly version: number; readonly summary: TicketQuery.TicketSummary }>(20_000)

    const run = <A>(operation: string, query: () => Promise<A>): Effect.Effect<A, StoreError.StoreUnavailable> =>
      Effect.tryPromise({ try: query, catch: (cause) => unavailable(operation, cause) })

    /**
     * Runs `body` in one write transaction. SQLite: `BEGIN IMMEDIATE` on kysely's single
     * connection (its mutex keeps other fibers out until we release it), so the write lock is
     * taken up front and other processes wait on `busy_timeout` instead of failing to upgrade.
     */
    const transact = <A>(body: (trx: Kysely<Database>) => Promise<A>): Promise<A> =>
      pg
        ? db.transaction().execute(body)
        : db.connection().execute(async (connection) => {
            await sql`begin immediate`.execute(connection)
            let result: A
            try {
              result = await body(connection)
            } catch (cause) {
              await sql`rollback`.execute(connection).catch(() => undefined)
              throw cause
            }
            try {
              await sql`commit`.execute(connection)
            } catch (cause) {
              await sql`rollback`.execute(connection).catch(() => undefined)
              throw cause
            }
            return result
          })

    const decodeStored = (ticketId: string, version: number, text: string): State => {
      const cached = states.get(ticketId)
      if (cached !== undefined && cached.version === version) return cached.state
      const state = decodeTicket(JSON.parse(text))
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
              streamId: ticketId,
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

    const currentVersion = (ticketId: string) =>
      run("append", async () => {
        const row = await db.selectFrom("tickets").select("version").where("id", "=", key(ticketId)).executeTakeFirst()
        return row === undefined ? bareVersion(db, ticketId) : Number(row.version)
      })

    /** The projection row of a ticket at a version. */
    const projection = (
      ticket: Ticket.Ticket,
      version: number,
      slaDueAt: number | null
    ): Insertable<TicketsTable> & { readonly id: string; readonly tags: ReadonlyArray<string> } => {
      const encoded = encodeTicket(ticket)
      const { messages: _messages, ...summary } = encoded
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
        document: TicketQuery.searchDocument(ticket),
        state: JSON.stringify(encoded),
        summary: JSON.stringify(summary),
        tags: Array.from(new Set(ticket.tags.map(key)))
      }
    }

    const append = (
      ticketId: Ids.TicketId,
      expectedVersion: number,
      events: ReadonlyArray<TicketEvent.TicketEvent>,
      effects: TicketStore.AppendEffects = {}
    ): Effect.Effect<number, AppendError> =>
      Effect.suspend(() => {
        // What is kept is what the codec gives back, as in the memory store: an event that does
        // not round-trip is a bug in the caller (a defect), found here.
        const encoded = events.map((e) => encodeEvent(e))
        const decoded = encoded.map((text) => decodeEvent(text))
        const newVersion = expectedVersion + decoded.length
        let committed: State
        // The snapshot this process last saw at exactly `expectedVersion`: a version's state
        // never changes, and versions only grow, so inserting event `expectedVersion + 1` is
        // then the version check itself (the unique (stream, version) fails if anyone wrote
        // first), and the read of the row (and its lock) can be skipped.
        const seen = states.get(ticketId)
        const known =
          seen !== undefined &&
          seen.version === expectedVersion &&
          seen.state !== undefined &&
          decoded.length > 0 &&
          !decoded.some((e) => e._tag === "TicketOpened")
            ? seen.state
            : undefined
        const body = async (trx: Kysely<Database>): Promise<number> => {
          let prior: State = known
          if (known === undefined) {
            const row = await trx
              .selectFrom("tickets")
              .select(["version", "state"])
              .where("id", "=", key(ticketId))
              .$if(pg, (q) => q.forUpdate())
              .executeTakeFirst()
            const actual = row === undefined ? await bareVersion(trx, ticketId) : Number(row.version)
            if (actual !== expectedVersion) {
              throw new Refused(
                new StoreError.VersionConflict({ streamId: ticketId, expected: expectedVersion, actual })
              )
            }
            if (row !== undefined) {
              try {
                prior = decodeStored(ticketId, actual, row.state)
              } catch {
                // A snapshot that no longer decodes is rebuilt from the events.
                const history = decodeRows(ticketId, await eventRows(trx, ticketId))
                if (Result.isFailure(history)) throw new Refused(history.failure)
                prior = Ticket.fold(history.success)
              }
            }
          }
          for (const event of decoded) {
            if (event._tag !== "TicketOpened") continue
            const holder = await trx
              .selectFrom("tickets")
              .select("id")
              .where("workspace_id", "=", key(event.workspaceId))
              .where("public_id", "=", event.publicId)
              .executeTakeFirst()
            if (holder !== undefined) {
              throw new Refused(
                new StoreError.PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId })
              )
            }
          }
          const next = Ticket.fold(decoded, prior)
          const opening = decoded.find((e) => e._tag === "TicketOpened")
          const workspace = next?.workspaceId ?? (opening?._tag === "TicketOpened" ? opening.workspaceId : "")
          // An absent `slaDueAt` leaves the stored one (a new row starts without).
          const slaDueAt = effects.slaDueAt === undefined || effects.slaDueAt === null ? null : millis(effects.slaDueAt)
          const row = next === undefined ? undefined : projection(next, newVersion, slaDueAt)
          const { id: _id, sla_due_at: _sla, tags: _tags, ...unchanged } = row ?? { id: "", sla_due_at: null, tags: [] }
          const changes = effects.slaDueAt === undefined ? unchanged : { ...unchanged, sla_due_at: slaDueAt }
          if (known !== undefined && row !== undefined) {
            // Without the read, the row lock comes first here too (as `for update` takes it on
            // the other path), so two writers never wait on each other's events in a cycle.
            const updated = await trx
              .updateTable("tickets")
              .set(changes)
              .where("id", "=", row.id)
              .where("version", "=", expectedVersion)
              .executeTakeFirst()
            if (Number(updated.numUpdatedRows) === 0) throw new RaceLost()
          }
          if (decoded.length > 0) {
            await trx
              .insertInto("events")
              .values(
                decoded.map((event, i) => ({
                  workspace_id: key(workspace),
                  stream_id: key(ticketId),
                  version: expectedVersion + i + 1,
                  type: event._tag,
                  data: encoded[i] as string,
                  at: millis(event.at)
                }))
              )
              .execute()
          }
          if (next !== undefined && row !== undefined) {
            const { tags, ...values } = row
            if (known === undefined) {
              await trx
                .insertInto("tickets")
                .values(values)
                .onConflict((oc) => oc.column("id").doUpdateSet(changes))
                .execute()
            }
            const tagsChanged =
              prior === undefined ||
              prior.tags.length !== next.tags.length ||
              prior.tags.some((t, i) => next.tags[i] !== t)
            if (tagsChanged) {
              if (prior !== undefined)
                await trx.deleteFrom("ticket_tags").where("ticket_id", "=", key(ticketId)).execute()
              if (tags.length > 0) {
                await trx
                  .insertInto("ticket_tags")
                  .values(tags.map((tag) => ({ workspace_id: values.workspace_id, ticket_id: values.id, tag })))
                  .execute()
              }
            }
            const emailIds = decoded.flatMap((e) =>
              messagesOf(e).flatMap((m) => (m.email === undefined ? [] : [key(m.email.messageId)]))
            )
            if (emailIds.length > 0) {
              await trx
                .insertInto("email_message_ids")
                .values(
                  Array.from(new Set(emailIds)).map((message_id) => ({
                    workspace_id: values.workspace_id,
                    message_id,
                    ticket_id: values.id
                  }))
                )
                .onConflict((oc) => oc.doNothing())
                .execute()
            }
          }
          const timers = effects.timers ?? []
          if (timers.length > 0) {
            await trx
              .insertInto("timers")
              .values(
                Array.from(new Map(timers.map((t) => [t.id, t])).values()).map((t) => ({
                  id: key(t.id),
                  workspace_id: key(t.workspaceId),
                  ticket_id: key(t.ticketId),
                  purpose: key(t.purpose),
                  due_at: millis(t.dueAt),
                  available_at: 0
                }))
              )
              .onConflict((oc) => oc.column("id").doNothing())
              .execute()
          }
          const outbox = effects.outbox ?? []
          if (outbox.length > 0) {
            await trx
              .insertInto("outbox")
              .values(
                Array.from(new Map(outbox.map((m) => [m.id, m])).values()).map((m) => ({
                  id: key(m.id),
                  workspace_id: key(m.workspaceId),
                  ticket_id: key(m.ticketId),
                  channel: key(m.channel),
                  payload: JSON.stringify(m.payload) ?? "null",
                  created_at: millis(m.createdAt),
                  available_at: 0,
                  attempts: 0
                }))
              )
              .onConflict((oc) => oc.column("id").doNothing())
              .execute()
          }
          committed = next
          return newVersion
        }
        return Effect.tryPromise({
          try: () => transact(body),
          catch: (cause): AppendError | RaceLost => {
            if (cause instanceof Refused) return cause.error
            // A deadlock victim (PostgreSQL) lost a race too: the caller reloads and decides again.
            if (cause instanceof RaceLost || fieldOf(cause, "code") === "40P01") return new RaceLost()
            if (violates(cause, "events_stream_version", "events.stream_id, events.version")) return new RaceLost()
            const opening = decoded.find((e) => e._tag === "TicketOpened")
            if (
              opening?._tag === "TicketOpened" &&
              violates(cause, "tickets_workspace_public_id", "tickets.workspace_id, tickets.public_id")
            ) {
              return new StoreError.PublicIdTaken({ workspaceId: opening.workspaceId, publicId: opening.publicId })
            }
            return unavailable("append", cause)
          }
        }).pipe(
          Effect.tap((version) =>
            Effect.sync(() => {
              if (committed === undefined) states.delete(ticketId)
              else states.set(ticketId, { version, state: committed })
            })
          ),
          Effect.catch((error) =>
            error instanceof RaceLost
              ? Effect.flatMap(currentVersion(ticketId), (actual) =>
                  Effect.fail(new StoreError.VersionConflict({ streamId: ticketId, expected: expectedVersion, actual }))
                )
              : Effect.fail(error)
          )
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
            .select(["version", "state"])
            .where("id", "=", key(ticketId))
            .executeTakeFirst()
          if (row === undefined) return { version: await bareVersion(db, ticketId), state: undefined }
          const version = Number(row.version)
          try {
            return { version, state: decodeStored(ticketId, version, row.state) }
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

    const nextPublicId = (workspaceId: Ids.WorkspaceId): Effect.Effect<Ids.PublicId, StoreError.StoreError> =>
      run("nextPublicId", async () => {
        const ws = key(workspaceId)
        // Each upsert hands out a number atomically; one a ticket already holds (chosen by
        // hand) is skipped, and the sequence moves past it, as in the memory store.
        for (;;) {
          const row = await db
            .insertInto("public_id_sequences")
            .values({ workspace_id: ws, last_value: first })
            .onConflict((oc) =>
              oc.column("workspace_id").doUpdateSet({
                last_value: (eb) =>
                  eb
                    .case()
                    .when(eb("public_id_sequences.last_value", "<", first))
                    .then(first)
                    .else(eb("public_id_sequences.last_value", "+", 1))
                    .end()
              })
            )
            .returning("last_value")
            .executeTakeFirstOrThrow()
          const candidate = Number(row.last_value)
          const taken = await db
            .selectFrom("tickets")
            .select("id")
            .where("workspace_id", "=", ws)
            .where("public_id", "=", candidate)
            .executeTakeFirst()
          if (taken === undefined) return candidate as Ids.PublicId
        }
      })

    const resolve = (
      workspaceId: Ids.WorkspaceId,
      publicId: Ids.PublicId
    ): Effect.Effect<Option.Option<Ids.TicketId>, StoreError.StoreError> =>
      run("resolve", () =>
        db
          .selectFrom("tickets")
          .select("state")
          .where("workspace_id", "=", key(workspaceId))
          .where("public_id", "=", publicId)
          .executeTakeFirst()
      ).pipe(
        // The id as the ticket holds it (the column may be escaped).
        Effect.map((row) =>
          row === undefined ? Option.none() : Option.some((JSON.parse(row.state) as { readonly id: Ids.TicketId }).id)
        )
      )

    /** `column in (values)`; an empty list matches nothing, as `includes` on `[]` does. */
    const oneOf = (
      eb: Tickets,
      column: "category" | "status" | "priority" | "channel",
      values: ReadonlyArray<string>
    ): Expression<SqlBool> => (values.length === 0 ? never : eb(column, "in", values.map(key)))

    const nullable = (eb: Tickets, column: "assignee" | "group_id", value: string | null): Expression<SqlBool> =>
      value === null ? eb(column, "is", null) : eb(column, "=", key(value))

    const hasTag = (eb: Tickets, tags: ReadonlyArray<string>): Expression<SqlBool> =>
      eb.exists(
        eb
          .selectFrom("ticket_tags")
          .select(sql`1`.as("one"))
          .whereRef("ticket_tags.ticket_id", "=", "tickets.id")
          .where(
            "ticket_tags.tag",
            tags.length === 1 ? "=" : "in",
            tags.length === 1 ? key(tags[0] as string) : tags.map(key)
          )
      )

    const searchCondition = (terms: ReadonlyArray<string>): Expression<SqlBool> =>
      pg
        ? // Lexemes as `array_to_tsvector` stored them, unparsed: the cast does not normalise.
          sql<SqlBool>`search @@ cast(${terms
            .map((t) => `'${t.replaceAll("\\", "\\\\").replaceAll("'", "''")}':*`)
            .join(" & ")} as tsquery)`
        : sql<SqlBool>`tickets.rowid in (select rowid from tickets_fts where tickets_fts match ${terms
            .map((t) => `"${t.replaceAll('"', '""')}"*`)
            .join(" AND ")})`

    const filters = (
      eb: Tickets,
      ws: string,
      query: TicketQuery.TicketQuery,
      terms: ReadonlyArray<string> | undefined
    ): Array<Expression<SqlBool>> => {
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
        where.push(query.tagsAny.length === 0 ? never : hasTag(eb, Array.from(new Set(query.tagsAny))))
      }
      for (const tag of new Set(query.tagsAll ?? [])) where.push(hasTag(eb, [tag]))
      if (query.createdFrom !== undefined) where.push(eb("created_at", ">=", millis(query.createdFrom)))
      if (query.createdTo !== undefined) where.push(eb("created_at", "<", millis(query.createdTo)))
      if (query.updatedFrom !== undefined) where.push(eb("updated_at", ">=", millis(query.updatedFrom)))
      if (query.updatedTo !== undefined) where.push(eb("updated_at", "<", millis(query.updatedTo)))
      if (query.slaDueBefore !== undefined) {
        where.push(eb.and([eb("sla_due_at", "is not", null), eb("sla_due_at", "<", millis(query.slaDueBefore))]))
      }
      if (terms !== undefined && terms.length > 0) where.push(searchCondition(terms))
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
      const cached = summaries.get(row.id)
      let summary: TicketQuery.TicketSummary
      if (cached !== undefined && cached.version === version) summary = cached.summary
      else {
        summary = decodeSummary(JSON.parse(row.summary))
        summaries.set(row.id, { version, summary })
      }
      return row.sla_due_at === null ? summary : { ...summary, slaDueAt: DateTime.makeUnsafe(Number(row.sla_due_at)) }
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
        const dirs = TicketQuery.directions(sort, direction)
        const keys = sortKeys(sort)
        const rows = yield* run("query", () => {
          let select = db
            .selectFrom("tickets")
            .select(["id", "version", "summary", "sla_due_at"])
            .where((eb) => {
              const where = filters(eb, workspaceId, ticketQuery, terms)
              if (after !== undefined) where.push(keyset(eb, sort, dirs, after))
              return eb.and(where)
            })
          keys.forEach((k, i) => {
            select = select.orderBy(k, (ob) => ((dirs[i] ?? 1) === 1 ? ob.asc() : ob.desc()))
          })
          return select.limit(limit + 1).execute()
        })
        const items = yield* Effect.try({
          try: () => rows.slice(0, limit).map(summaryOf),
          catch: (cause) => unavailable("query", cause)
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
              catch: (cause) => unavailable("claim", cause)
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
