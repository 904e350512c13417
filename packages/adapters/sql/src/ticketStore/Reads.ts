/**
 * Reads and snapshots of the SQL ticket store: a stream's events (`read`), its state from the
 * snapshot its projection row keeps (`load`, falling back to the fold of its events when the
 * snapshot no longer decodes), and the row and version reads the writers lock and check.
 * Writing is left to `Append`; the queue's queries to `Query`.
 */
import { type Ids, StoreError, Ticket, type TicketEvent, type TicketStore } from "@tessera/core"
import { Effect, Result } from "effect"
import { type Kysely, sql } from "kysely"
import type { Database } from "../Database.js"
import { decodeEventResult, decodeTicket, type Shared, type State } from "./Shared.js"

/**
 * The reads of the store, and the row reads its writers build on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { db, dialect, key, run, states } = shared

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
  const messagesJson = sql<string | null>`(select ${dialect.joinOrdered(
    "data",
    "n"
  )} from ticket_texts where ticket_texts.ticket_id = tickets.id and n > 0)`

  /** A ticket's row with its messages; inside a write, the row is locked where the dialect locks rows. */
  const storedRow = (trx: Kysely<Database>, ticketId: string, lock: boolean) =>
    trx
      .selectFrom("tickets")
      .select(["version", "summary", "sla_due_at", messagesJson.as("messages")])
      .where("id", "=", key(ticketId))
      .$if(dialect.rowLocks && lock, (q) => q.forUpdate())
      .executeTakeFirst()

  /** The SLA fold kept beside a ticket's snapshot, read in the same statement as the row. */
  const slaValue = sql<string | null>`(select value from ticket_sla where ticket_sla.ticket_id = tickets.id)`
  const slaVersion = sql<number | null>`(select version from ticket_sla where ticket_sla.ticket_id = tickets.id)`

  const currentVersion = (ticketId: string) =>
    run("append", async () => {
      const row = await db.selectFrom("tickets").select("version").where("id", "=", key(ticketId)).executeTakeFirst()
      return row === undefined ? bareVersion(db, ticketId) : Number(row.version)
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

  return { decodeStored, decodeRows, eventRows, bareVersion, storedRow, currentVersion, read, load }
}

/**
 * What `make` gives: the port's `read` and `load`, and the reads the writers use.
 *
 * @category models
 * @since 0.1.0
 */
export type Reads = ReturnType<typeof make>
