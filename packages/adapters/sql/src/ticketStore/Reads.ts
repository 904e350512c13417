/**
 * Reads and snapshots of the SQL ticket store: a stream's events (`read`), its state from the
 * snapshot its projection row keeps (`load`, falling back to the fold of its events when the
 * snapshot no longer decodes), and the row and version reads the writers lock and check.
 * Writing is left to `Append`; the queue's queries to `Query`.
 */
import { type Ids, StoreError, Ticket, type TicketEvent, type TicketStore } from "@tessera/core"
import { Effect, Result } from "effect"
import { type Kysely, type RawBuilder, sql } from "kysely"
import type { Database } from "../Database.js"
import { decodeEventResult, decodeTicket, type Shared, type State } from "./Shared.js"

/**
 * The reads of the store, and the row reads its writers build on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { dialect, key, run, states, statements } = shared

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

  const eventRows = async (trx: Kysely<Database>, ticketId: string) =>
    (
      await statements.execute(
        trx,
        "events of a stream",
        (on, $) =>
          on.selectFrom("events").select(["version", "data"]).where("stream_id", "=", $<string>(0)).orderBy("version"),
        [key(ticketId)]
      )
    ).rows

  /** The version of a stream with no projection row (it holds no opened ticket). */
  const bareVersion = async (trx: Kysely<Database>, ticketId: string): Promise<number> => {
    const result = await statements.execute(
      trx,
      "version of a stream",
      (on, $) =>
        on
          .selectFrom("events")
          .select((eb) => eb.fn.max("version").as("version"))
          .where("stream_id", "=", $<string>(0)),
      [key(ticketId)]
    )
    return Number(result.rows[0]?.version ?? 0)
  }

  /** The messages of a ticket as one JSON list body (`a,b,c`), in order; null when none. */
  const messagesJson = sql<string | null>`(select ${dialect.joinOrdered(
    "data",
    "n"
  )} from ticket_texts where ticket_texts.ticket_id = tickets.id and n > 0)`

  /** `value`, or null when the row is at `known` (the version whose snapshot the caller holds). */
  const unlessAt = <A>(known: number | undefined, value: RawBuilder<A>) =>
    known === undefined ? value : sql<A | null>`case when version = ${known} then null else ${value} end`

  /**
   * A ticket's row read in a write, locked where the dialect locks rows: its version and SLA due
   * time, and its snapshot (summary and messages) unless the row is at `known`, the version of
   * the snapshot the writer holds. The lock never makes the server aggregate a conversation the
   * writer already has.
   */
  const lockedRow = async (trx: Kysely<Database>, ticketId: string, known: number | undefined) => {
    if (known === undefined || !dialect.versionFirst) return lockedSnapshot(trx, ticketId, known)
    const locked = await versionOf(trx, ticketId, true)
    if (locked === undefined || Number(locked.version) !== known)
      return locked && lockedSnapshot(trx, ticketId, undefined)
    return { ...locked, summary: null, messages: null }
  }

  /** `lockedRow` in one statement. */
  const lockedSnapshot = async (trx: Kysely<Database>, ticketId: string, known: number | undefined) => {
    const result = await statements.execute(
      trx,
      known === undefined ? "lock a row" : "lock a known row",
      (on, $) => {
        const at = known === undefined ? undefined : $<number>(1)
        return on
          .selectFrom("tickets")
          .select([
            "version",
            "sla_due_at",
            unlessAt(at, sql<string>`summary`).as("summary"),
            unlessAt(at, messagesJson).as("messages")
          ])
          .where("id", "=", $<string>(0))
          .$if(dialect.rowLocks, (q) => q.forUpdate())
      },
      known === undefined ? [key(ticketId)] : [key(ticketId), known]
    )
    return result.rows[0]
  }

  /**
   * A ticket's version and SLA due time alone (`versionFirst`), locked where the dialect locks
   * rows when `lock` (in a write's transaction).
   */
  const versionOf = async (on: Kysely<Database>, ticketId: string, lock: boolean) => {
    const result = await statements.execute(
      on,
      lock ? "lock a row's version" : "a row's version",
      (db, $) =>
        db
          .selectFrom("tickets")
          .select(["version", "sla_due_at"])
          .where("id", "=", $<string>(0))
          .$if(lock && dialect.rowLocks, (q) => q.forUpdate()),
      [key(ticketId)]
    )
    return result.rows[0]
  }

  /** The SLA fold kept beside a ticket's snapshot, read in the same statement as the row. */
  const slaValue = sql<string | null>`(select value from ticket_sla where ticket_sla.ticket_id = tickets.id)`
  const slaVersion = sql<number | null>`(select version from ticket_sla where ticket_sla.ticket_id = tickets.id)`

  const currentVersion = (ticketId: string) =>
    run("append", async (db) => {
      const row = await db.selectFrom("tickets").select("version").where("id", "=", key(ticketId)).executeTakeFirst()
      return row === undefined ? bareVersion(db, ticketId) : Number(row.version)
    })

  const read = (ticketId: Ids.TicketId): Effect.Effect<TicketStore.StoredStream, StoreError.StoreError> =>
    Effect.flatMap(
      run("read", (db) => eventRows(db, ticketId)),
      (rows) =>
        Effect.map(Effect.fromResult(decodeRows(ticketId, rows)), (events) => ({ events, version: events.length }))
    )

  /** A loaded row: its version, and its snapshot unless the caller already holds that version. */
  interface LoadedRow {
    readonly id: string
    readonly version: number
    readonly summary: string | null
    readonly messages: string | null
    readonly sla_value: string | null
    readonly sla_version: number | null
  }

  /**
   * The rows of `ticketIds` as `load` reads them. With `known`, a row still at that version
   * comes back without its snapshot, messages or SLA fold: the server never aggregates them.
   */
  const loadRows = async (
    trx: Kysely<Database>,
    ticketIds: ReadonlyArray<string>,
    known?: number
  ): Promise<ReadonlyArray<LoadedRow>> => {
    const result = await statements.execute(
      trx,
      `load ${ticketIds.length}${known === undefined ? "" : " known"}`,
      (on, $) => {
        const at = known === undefined ? undefined : $<number>(ticketIds.length)
        const unlessKnown = <A>(value: RawBuilder<A>) => unlessAt(at, value)
        const ids = ticketIds.map((_, i) => $<string>(i))
        return on
          .selectFrom("tickets")
          .select([
            "id",
            "version",
            unlessKnown(sql<string>`summary`).as("summary"),
            unlessKnown(messagesJson).as("messages"),
            unlessKnown(slaValue).as("sla_value"),
            unlessKnown(slaVersion).as("sla_version")
          ])
          .where("id", ids.length === 1 ? "=" : "in", ids.length === 1 ? (ids[0] as string) : ids)
      },
      known === undefined ? ticketIds.map(key) : [...ticketIds.map(key), known]
    )
    return result.rows as ReadonlyArray<LoadedRow>
  }

  /** What a read row holds; `undefined` when its snapshot no longer decodes (the caller folds). */
  const loadedOf = (ticketId: string, row: LoadedRow): TicketStore.LoadedStream | undefined => {
    const version = Number(row.version)
    const sla =
      row.sla_value === null || row.sla_version === null
        ? {}
        : { sla: { value: row.sla_value, version: Number(row.sla_version) } }
    try {
      return { version, state: decodeStored(ticketId, version, row.summary ?? "", row.messages), ...sla }
    } catch {
      return undefined
    }
  }

  /** A stream whose snapshot did not decode, or with no row: the fold of its events is the truth. */
  const folded = (ticketId: Ids.TicketId): Effect.Effect<TicketStore.LoadedStream, StoreError.StoreError> =>
    Effect.map(read(ticketId), (stream) => ({ state: Ticket.fold(stream.events), version: stream.version }))

  const load = (ticketId: Ids.TicketId): Effect.Effect<TicketStore.LoadedStream, StoreError.StoreError> =>
    Effect.flatMap(
      run("load", async (db) => {
        const row = (await loadRows(db, [ticketId]))[0]
        if (row === undefined) return { version: await bareVersion(db, ticketId), state: undefined }
        return loadedOf(ticketId, row)
      }),
      (loaded) => (loaded !== undefined ? Effect.succeed(loaded) : folded(ticketId))
    )

  const loadIfChanged = (
    ticketId: Ids.TicketId,
    known: number
  ): Effect.Effect<TicketStore.LoadedStream | undefined, StoreError.StoreError> =>
    Effect.flatMap(
      run("load", async (db) => {
        let changed = false
        if (dialect.versionFirst) {
          const current = (await versionOf(db, ticketId, false))?.version
          if (current !== undefined && Number(current) === known) return { loaded: undefined }
          changed = current !== undefined
        }
        const row = (await loadRows(db, [ticketId], changed ? undefined : known))[0]
        if (row === undefined) {
          const version = await bareVersion(db, ticketId)
          return { loaded: version === known ? undefined : { version, state: undefined } }
        }
        if (Number(row.version) === known) return { loaded: undefined }
        const loaded = loadedOf(ticketId, row)
        return loaded === undefined ? undefined : { loaded }
      }),
      (result) => (result !== undefined ? Effect.succeed(result.loaded) : folded(ticketId))
    )

  /** Candidates read together: one statement for every row, then the rare stream without one. */
  const loadMany = (
    ticketIds: ReadonlyArray<Ids.TicketId>
  ): Effect.Effect<ReadonlyArray<TicketStore.LoadedStream>, StoreError.StoreError> =>
    Effect.gen(function* () {
      if (ticketIds.length === 0) return []
      const distinct = Array.from(new Set(ticketIds))
      const rows = new Map<string, LoadedRow>()
      yield* run("load", (db) =>
        shared.inChunks(distinct, async (slice) => {
          for (const row of await loadRows(db, slice)) rows.set(shared.unkey(row.id), row)
        })
      )
      const loaded = new Map<string, TicketStore.LoadedStream>()
      for (const ticketId of distinct) {
        const row = rows.get(ticketId)
        const decoded = row === undefined ? undefined : loadedOf(ticketId, row)
        loaded.set(ticketId, decoded ?? (yield* load(ticketId)))
      }
      return ticketIds.map((ticketId) => loaded.get(ticketId) as TicketStore.LoadedStream)
    })

  return {
    decodeStored,
    decodeRows,
    eventRows,
    bareVersion,
    lockedRow,
    currentVersion,
    read,
    load,
    loadMany,
    loadIfChanged
  }
}

/**
 * What `make` gives: the port's `read` and `load`, and the reads the writers use.
 *
 * @category models
 * @since 0.1.0
 */
export type Reads = ReturnType<typeof make>
