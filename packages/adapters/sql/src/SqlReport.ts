/**
 * Reporting in SQL (issue 18), for workspaces too large for core's in-memory projection: every
 * ticket's `TicketMetrics` kept in the reporting tables (migration 006), folded from the store's
 * ordered event feed with a checkpoint written in the same transaction as the rows it covers,
 * and period reports aggregated by the database, with the same definitions, shape and numbers
 * as `Report.makeProjection` of `@tessera/core`.
 *
 * @since 0.1.0
 */
import { type Ids, type Report, type StoreError, TicketMetrics } from "@tessera/core"
import { Effect, Schema } from "effect"
import type { Kysely } from "kysely"
import type { Database, Dialect } from "./Database.js"
import * as Dialects from "./dialect/index.js"
import { reportSql } from "./dialect/reports.js"
import { inChunks } from "./internal/Chunks.js"
import * as DriverError from "./internal/DriverError.js"
import * as Aggregate from "./report/Aggregate.js"
import { businessClock, type ReportTables, rowsOf, type TicketRows, ticketTables } from "./report/Rows.js"

/**
 * A ticket's stored metrics no longer decode (`TicketMetrics`): the ticket and why.
 *
 * @category errors
 * @since 0.1.0
 */
export class CorruptMetrics extends Schema.TaggedError<CorruptMetrics>()("CorruptMetrics", {
  ticketId: Schema.String,
  issue: Schema.String
}) {
  override get message() {
    return `Stored report metrics of ${this.ticketId} do not decode: ${this.issue}`
  }
}

/**
 * What the reporting operations may fail with: the database failed, or stored metrics do not decode.
 *
 * @category errors
 * @since 0.1.0
 */
export type ReportError = StoreError.StoreUnavailable | StoreError.ValueTooLarge | CorruptMetrics

/**
 * Options of `make`: the client (migrated, `Migrations.migrate`) and its dialect; how time is
 * counted (`TicketMetrics.Options`: the business calendar, the zone of the hour of day), which
 * must stay the same for the life of the tables; the checkpoint's `name` (default `"report"`);
 * and the one workspace followed, if only one.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends TicketMetrics.Options {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly name?: string
  readonly workspaceId?: Ids.WorkspaceId
}

/**
 * The reporting tables of one database: `catchUp` folds the feed into them, `report` aggregates.
 *
 * @category models
 * @since 0.1.0
 */
export interface SqlReport {
  /** The last feed position folded (0 before any). */
  readonly position: Effect.Effect<number, ReportError>
  /**
   * Folds a page of the feed, in one transaction with the checkpoint: events at or before the
   * checkpoint are skipped (a redelivery, or another process got there first). Returns the
   * events folded.
   */
  readonly apply: (events: ReadonlyArray<Report.FeedEvent>) => Effect.Effect<number, ReportError>
  /** Reads the feed after the checkpoint, `batch` events at a time, until it is drained. */
  readonly catchUp: <E>(feed: Report.Feed<E>, batch?: number) => Effect.Effect<number, E | ReportError>
  /** One ticket's metrics, as folded so far. */
  readonly metrics: (ticketId: Ids.TicketId) => Effect.Effect<TicketMetrics.TicketMetrics | undefined, ReportError>
  /**
   * Writes tickets' metrics computed elsewhere (an import, a rebuild), replacing what the
   * tables hold for them; the checkpoint is left alone.
   */
  readonly put: (
    workspaceId: Ids.WorkspaceId,
    tickets: ReadonlyArray<{ readonly ticketId: Ids.TicketId; readonly metrics: TicketMetrics.TicketMetrics }>
  ) => Effect.Effect<void, ReportError>
  /** The report of a workspace over a period, broken down by the dimensions asked for. */
  readonly report: (
    workspaceId: Ids.WorkspaceId,
    period: Report.Period,
    by?: ReadonlyArray<Report.Dimension>
  ) => Effect.Effect<Report.Report, ReportError>
}

const decodeMetrics = Schema.decodeUnknownResult(TicketMetrics.TicketMetricsJson)

/**
 * The reporting tables on a client.
 *
 * @example
 * ```ts
 * const reports = SqlReport.make({ db, dialect: "postgres", calendar })
 * yield* reports.catchUp(yield* TicketStore.TicketStore)
 * const report = yield* reports.report(workspaceId, { from, to }, ["group", "channel"])
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): SqlReport => {
  const dialect = Dialects.of(options.dialect)
  const report = reportSql[options.dialect]
  // The store's client, seeing the reporting tables (migration 006) too.
  const db = options.db as unknown as Kysely<ReportTables>
  const name = dialect.key(options.name ?? "report")
  const { key, unkey } = dialect
  const chunks = inChunks(dialect.parameterLimit, dialect.statementBytes)
  const clock = businessClock(options)
  const run = <A>(operation: string, body: () => Promise<A>) =>
    Effect.tryPromise({
      try: body,
      catch: (cause) => (cause instanceof CorruptMetrics ? cause : DriverError.failure(operation, cause))
    })

  const readPosition = async (on: Kysely<ReportTables>, lock: boolean): Promise<number | undefined> => {
    const row = await on
      .selectFrom("report_checkpoints")
      .select("position")
      .where("name", "=", name)
      .$if(lock && dialect.rowLocks, (q) => q.forUpdate())
      .executeTakeFirst()
    return row === undefined ? undefined : Number(row.position)
  }

  const loadStates = async (on: Kysely<ReportTables>, ids: ReadonlyArray<string>) => {
    const found = new Map<string, { workspace: string; metrics: TicketMetrics.TicketMetrics }>()
    await chunks(ids, async (slice) => {
      const rows = await on
        .selectFrom("report_states")
        .select(["ticket_id", "workspace_id", "state"])
        .where("ticket_id", "in", slice)
        .execute()
      for (const row of rows) {
        const decoded = decodeMetrics(row.state)
        if (decoded._tag === "Failure") {
          throw new CorruptMetrics({ ticketId: unkey(row.ticket_id), issue: decoded.failure.message })
        }
        found.set(row.ticket_id, { workspace: row.workspace_id, metrics: decoded.success })
      }
    })
    return found
  }

  /** Replaces the rows of `tickets` (stored ids) with `rows`. */
  const write = async (on: Kysely<ReportTables>, tickets: ReadonlyArray<string>, rows: ReadonlyArray<TicketRows>) => {
    for (const table of ticketTables) {
      await chunks(tickets, (slice) => on.deleteFrom(table).where("ticket_id", "in", slice).execute())
    }
    await chunks(
      rows.map((r) => r.ticket),
      (slice) => on.insertInto("report_tickets").values(slice).execute()
    )
    await chunks(
      rows.map((r) => r.state),
      (slice) => on.insertInto("report_states").values(slice).execute()
    )
    await chunks(
      rows.flatMap((r) => r.tags),
      (slice) => on.insertInto("report_tags").values(slice).execute()
    )
    await chunks(
      rows.flatMap((r) => r.nextReplies),
      (slice) => on.insertInto("report_next_replies").values(slice).execute()
    )
    await chunks(
      rows.flatMap((r) => r.sla),
      (slice) => on.insertInto("report_sla").values(slice).execute()
    )
    await chunks(
      rows.flatMap((r) => r.done),
      (slice) => on.insertInto("report_done").values(slice).execute()
    )
    await chunks(
      rows.flatMap((r) => r.ratings),
      (slice) => on.insertInto("report_ratings").values(slice).execute()
    )
  }

  const follows = (committed: Report.FeedEvent) =>
    options.workspaceId === undefined || committed.workspaceId === options.workspaceId

  const fold = async (on: Kysely<ReportTables>, events: ReadonlyArray<Report.FeedEvent>): Promise<number> => {
    const last = events[events.length - 1]?.position
    if (last === undefined) return 0
    const at = await readPosition(on, true)
    const since = at ?? 0
    if (last <= since) return 0
    const fresh = events.filter((e) => e.position > since && follows(e))
    const ids = [...new Set(fresh.map((e) => key(e.ticketId)))]
    const states = await loadStates(on, ids)
    const changed = new Map<string, { workspace: string | undefined; metrics: TicketMetrics.TicketMetrics }>()
    for (const committed of fresh) {
      const id = key(committed.ticketId)
      const before = changed.get(id) ?? states.get(id)
      const metrics = before?.metrics ?? TicketMetrics.empty
      const after = TicketMetrics.step(metrics, committed.event, options)
      const workspace =
        committed.workspaceId !== undefined
          ? key(committed.workspaceId)
          : committed.event._tag === "TicketOpened"
            ? key(committed.event.workspaceId)
            : before?.workspace
      if (after !== metrics || workspace !== before?.workspace) changed.set(id, { workspace, metrics: after })
    }
    const rows: Array<TicketRows> = []
    for (const [id, { workspace, metrics }] of changed) {
      const row = workspace === undefined ? undefined : rowsOf(workspace, id, metrics, clock, key)
      if (row !== undefined) rows.push(row)
    }
    await write(on, [...changed.keys()], rows)
    await on.updateTable("report_checkpoints").set({ position: last }).where("name", "=", name).execute()
    return fresh.length
  }

  // The checkpoint row exists before a fold reads and locks it, so that two processes folding
  // the same page wait for each other there (a missing row locks nothing). It is created on its
  // own, outside the folds: MySQL's `insert ignore` of an existing row takes a shared lock, and
  // two folds holding one would deadlock on `for update`.
  let ensured = false
  const ensure = async () => {
    if (ensured) return
    await report.unlessExists(db.insertInto("report_checkpoints").values({ name, position: 0 })).execute()
    ensured = true
  }

  const apply = (events: ReadonlyArray<Report.FeedEvent>) =>
    run("report.apply", async () => {
      if (events.length === 0) return 0
      await ensure()
      return dialect.transact(db, (trx) => fold(trx, events))
    })

  const position = run("report.position", async () => (await readPosition(db, false)) ?? 0)

  const catchUp = <E>(feed: Report.Feed<E>, batch = 1000): Effect.Effect<number, E | ReportError> =>
    Effect.gen(function* () {
      let applied = 0
      let after = yield* position
      for (;;) {
        const page = yield* feed.readAll(
          after,
          Math.max(1, Math.floor(batch)),
          options.workspaceId === undefined ? undefined : { workspaceId: options.workspaceId }
        )
        const last = page[page.length - 1]
        if (last === undefined) return applied
        applied += yield* apply(page)
        after = last.position
      }
    })

  const metrics = (ticketId: Ids.TicketId) =>
    run("report.metrics", async () => (await loadStates(db, [key(ticketId)])).get(key(ticketId))?.metrics)

  const put = (
    workspaceId: Ids.WorkspaceId,
    tickets: ReadonlyArray<{ readonly ticketId: Ids.TicketId; readonly metrics: TicketMetrics.TicketMetrics }>
  ) =>
    run("report.put", () =>
      dialect.transact(db, async (trx) => {
        const rows = tickets.flatMap((t) => rowsOf(key(workspaceId), key(t.ticketId), t.metrics, clock, key) ?? [])
        await write(
          trx,
          tickets.map((t) => key(t.ticketId)),
          rows
        )
      })
    )

  const reportOf = (workspaceId: Ids.WorkspaceId, period: Report.Period, by: ReadonlyArray<Report.Dimension> = []) =>
    run("report.report", async () => {
      const rows = await Aggregate.run(db, report, key(workspaceId), period, clock(period.to.epochMilliseconds), by)
      return Aggregate.assemble(rows, period, by, unkey)
    })

  return { position, apply, catchUp, metrics, put, report: reportOf }
}
