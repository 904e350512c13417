/**
 * `append` and `appendAll` of the SQL ticket store: each one transaction that locks the streams'
 * rows (in one order, so batches never deadlock), checks their versions and the public numbers
 * opened, and writes the plans; a simple append from a snapshot this process holds skips the
 * read (down to one statement where the dialect has one). Failures become the port's errors here: a lost
 * race or a deadlock is the `VersionConflict` it stands for, an email id the key of
 * `email_message_ids` refused the `EmailMessageRecorded` of the ticket holding it, a driver
 * failure `StoreUnavailable`.
 */
import {
  EventStore,
  type Ids,
  Limits,
  StoreCapabilities,
  StoreError,
  Ticket,
  type TicketEvent,
  type TicketStore
} from "@tessera/core"
import { Effect, Result } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../Database.js"
import * as DriverError from "../internal/DriverError.js"
import * as PlainJson from "../internal/PlainJson.js"
import type { Plan, Planner } from "./AppendPlan.js"
import type { EmailIds, Recorded } from "./EmailIds.js"
import type { Reads } from "./Reads.js"
import { type AppendError, EmailIdHeld, RaceLost, Refused, type Shared, type State, type TicketRow } from "./Shared.js"
import type { Writes } from "./Writes.js"

/** One stream's append: its events as given, and as the JSON stored. */
interface Entry {
  readonly ticketId: Ids.TicketId
  readonly expectedVersion: number
  readonly events: ReadonlyArray<TicketEvent.TicketEvent>
  readonly encoded: ReadonlyArray<string>
  readonly effects: TicketStore.AppendEffects
}

/**
 * A stream as read in a write transaction: its version, its projection row (if it holds a
 * ticket), and its state when this process already held the snapshot at that version (then the
 * row carries no summary or messages).
 */
interface Locked {
  readonly row:
    | {
        readonly version: number
        readonly summary: string | null
        readonly messages: string | null
        readonly sla_due_at: number | string | null
      }
    | undefined
  readonly version: number
  readonly known: { readonly state: State } | undefined
}

/**
 * What a committed append left: the stream's version and state, and its row when known; and,
 * until the transaction's last statements insert them, the plan whose events are still to write.
 */
interface Written {
  readonly version: number
  readonly state: State
  readonly row: TicketRow | undefined
  readonly plan: Plan | undefined
}

/** The unique constraints whose violation an append tells apart (see the migration). */
const streamVersion = { name: "events_stream_version", table: "events", columns: ["stream_id", "version"] }
const publicNumber = { name: "tickets_workspace_public_id", table: "tickets", columns: ["workspace_id", "public_id"] }

/**
 * The appends of the store, from its reads, planner and writers.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  shared: Shared,
  capabilities: StoreCapabilities.StoreCapabilities,
  reads: Reads,
  planner: Planner,
  writes: Writes,
  emailIds: EmailIds
) => {
  const { dialect, key, states, attempt } = shared
  const { transact } = dialect
  const { lockedRow, bareVersion, decodeStored, decodeRows, eventRows, currentVersion } = reads
  const { projection, planAppend, rowAfter, rowsOf } = planner
  const { writePlan, writeEvents, writeEffects, appendInOneStatement } = writes

  /** Inserts the events of what a transaction wrote, as its last statements (see `writeEvents`). */
  const eventsOf = (trx: Kysely<Database>, written: ReadonlyArray<Written>): Promise<void> =>
    writeEvents(
      trx,
      written.flatMap((w) => (w.plan === undefined ? [] : [w.plan]))
    )

  /**
   * An append's events as given, with the JSON their schema would encode them to (`PlainJson`,
   * held to the schema by its tests): they are folded as they are, never decoded back from what
   * was just encoded. Whether every event round-trips is the codec's tests' concern, not a cost
   * of every append.
   */
  const prepare = (request: TicketStore.AppendRequest): Entry => ({
    ticketId: request.ticketId,
    expectedVersion: request.expectedVersion,
    events: request.events,
    encoded: request.events.map(PlainJson.stringify),
    effects: request.effects ?? {}
  })

  /**
   * A stream's row, read (and locked, where the dialect locks rows) in the transaction, with its
   * version; its snapshot comes from the state cache when that holds the row's version, and is
   * read with the row only when it does not.
   */
  const lockStream = async (trx: Kysely<Database>, ticketId: string): Promise<Locked> => {
    const cached = states.get(ticketId)
    const held = cached?.state === undefined ? undefined : cached
    const row = await lockedRow(trx, ticketId, held?.version)
    if (row === undefined) return { row, version: await bareVersion(trx, ticketId), known: undefined }
    const version = Number(row.version)
    // A version's state never changes: the snapshot held at the row's version is the row's.
    return { row, version, known: held !== undefined && held.version === version ? { state: held.state } : undefined }
  }

  const conflictOf = (entry: Entry, actual: number): StoreError.VersionConflict | undefined =>
    actual === entry.expectedVersion
      ? undefined
      : new StoreError.VersionConflict({ ticketId: entry.ticketId, expected: entry.expectedVersion, actual })

  /** The state of a locked stream: its snapshot, or the fold of its events when that no longer decodes. */
  const priorOf = async (trx: Kysely<Database>, ticketId: string, locked: Locked): Promise<State> => {
    if (locked.row === undefined) return undefined
    if (locked.known !== undefined) return locked.known.state
    try {
      return decodeStored(ticketId, locked.version, locked.row.summary ?? "", locked.row.messages)
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
      const holders = await shared.statements.execute(
        trx,
        "holder of a public number",
        (on, $) =>
          on
            .selectFrom("tickets")
            .select("id")
            .where("workspace_id", "=", $<string>(0))
            .where("public_id", "=", $<number>(1)),
        [key(event.workspaceId), event.publicId]
      )
      if (holders.rows.length > 0) {
        return new StoreError.PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId })
      }
    }
    return undefined
  }

  /**
   * Writes one entry whose version and numbers were checked, in the current transaction
   * (`known`: see `writePlan`), unless it goes beyond a per-ticket limit. An entry with no
   * events and no effects writes nothing: it only asserted its version. `planned`: the plan
   * already worked out on the same prior state. The email ids it records go to `tried` first,
   * for the refusal should the table's key refuse one (`emailRefusal`).
   */
  const writeEntry = async (
    trx: Kysely<Database>,
    operation: string,
    entry: Entry,
    prior: State,
    priorRow: TicketRow | undefined,
    known: boolean,
    tried: Array<Recorded>,
    planned?: Plan
  ): Promise<Written> => {
    const { ticketId, expectedVersion, events, encoded, effects } = entry
    const plan = planned ?? planAppend(operation, ticketId, expectedVersion, events, encoded, prior, priorRow, effects)
    if (plan.exceeded !== undefined) throw new Refused(plan.exceeded)
    const repeated = EventStore.repeatedEmailId([plan.recorded])
    if (repeated !== undefined) throw new Refused(repeated)
    tried.push(plan.recorded)
    const idle =
      events.length === 0 &&
      (effects.timers ?? []).length === 0 &&
      (effects.outbox ?? []).length === 0 &&
      effects.slaDueAt === undefined &&
      effects.sla === undefined
    if (!idle) {
      await writePlan(trx, plan, expectedVersion, known)
      await writeEffects(trx, plan)
    }
    return {
      version: expectedVersion + events.length,
      state: plan.next,
      row: idle ? undefined : rowAfter(plan),
      plan: idle ? undefined : plan
    }
  }

  /** One entry by reading its row in the transaction: lock, check the version and numbers, write. */
  const appendIn = async (trx: Kysely<Database>, entry: Entry, tried: Array<Recorded>): Promise<Written> => {
    const locked = await lockStream(trx, entry.ticketId)
    const conflict = conflictOf(entry, locked.version)
    if (conflict !== undefined) throw new Refused(conflict)
    const prior = await priorOf(trx, entry.ticketId, locked)
    const taken = await takenNumber(trx, entry.events)
    if (taken !== undefined) throw new Refused(taken)
    // The row as stored (its queue columns follow from the state; its SLA due time was read),
    // so that the next append from this process can update only the columns that change.
    const stored = locked.row
    const priorRow =
      prior === undefined || stored === undefined
        ? undefined
        : projection(prior, locked.version, stored.sla_due_at === null ? null : Number(stored.sla_due_at))
    return writeEntry(trx, "append", entry, prior, priorRow, false, tried)
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
    (cause: unknown): AppendError | RaceLost | EmailIdHeld => {
      if (cause instanceof Refused) return cause.error
      // A deadlock victim lost a race too: the caller reloads and decides again.
      if (cause instanceof RaceLost || dialect.errors.lostRace(cause)) return new RaceLost()
      if (dialect.errors.violates(cause, streamVersion)) return new RaceLost()
      if (dialect.errors.violates(cause, dialect.emailIds.constraint)) return new EmailIdHeld(cause)
      if (dialect.errors.violates(cause, publicNumber)) {
        const openings = entries.flatMap((entry) => entry.events.flatMap((e) => (e._tag === "TicketOpened" ? [e] : [])))
        // PostgreSQL names the number in the detail; SQLite does not (but its writers are serial).
        const opening =
          openings.find((o) => dialect.errors.names(cause, [key(o.workspaceId), o.publicId])) ?? openings[0]
        if (opening !== undefined) {
          return new StoreError.PublicIdTaken({ workspaceId: opening.workspaceId, publicId: opening.publicId })
        }
      }
      // A single stream's append names its ticket; which stream of a batch held the value is unknown.
      return DriverError.failure(operation, cause, entries.length === 1 ? entries[0]?.ticketId : undefined)
    }

  /**
   * The conflict a lost race stands for: the first entry whose stream is no longer at its
   * expected version; else an email id the append records that another append recorded
   * meanwhile (a deadlock between two appends of the same mail); else the first entry, every
   * stream being back where it was expected.
   */
  const lostRace = (entries: ReadonlyArray<Entry>, tried: ReadonlyArray<Recorded>): Effect.Effect<never, AppendError> =>
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
      const held = yield* emailIds.holder(tried)
      if (held !== undefined) return yield* Effect.fail(held)
      return yield* first === undefined ? Effect.die(new Error("a lost race in an empty batch")) : Effect.fail(first)
    })

  /**
   * What an append refused by `email_message_ids`' key fails with: the `EmailMessageRecorded` of
   * the first id it records that a ticket holds (read once its transaction rolled back), or,
   * should none be found, the driver's failure.
   */
  const emailRefusal = (
    operation: string,
    entries: ReadonlyArray<Entry>,
    tried: ReadonlyArray<Recorded>,
    held: EmailIdHeld
  ): Effect.Effect<never, AppendError> =>
    Effect.flatMap(emailIds.holder(tried), (refusal) =>
      Effect.fail(
        refusal ?? DriverError.failure(operation, held.cause, entries.length === 1 ? entries[0]?.ticketId : undefined)
      )
    )

  /** A failed append's marker failures (`RaceLost`, `EmailIdHeld`) turned into the port's errors. */
  const settle =
    (operation: string, entries: ReadonlyArray<Entry>, tried: ReadonlyArray<Recorded>) =>
    (error: AppendError | RaceLost | EmailIdHeld): Effect.Effect<never, AppendError> =>
      error instanceof RaceLost
        ? lostRace(entries, tried)
        : error instanceof EmailIdHeld
          ? emailRefusal(operation, entries, tried, error)
          : Effect.fail(error)

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
      const { encoded } = entry
      // The snapshot this process last saw at exactly `expectedVersion`: a version's state
      // never changes, and versions only grow, so writing version `expectedVersion + 1` is
      // then the version check itself, and the read of the row (and its lock) can be skipped.
      const seen = states.get(ticketId)
      const snapshot =
        seen !== undefined &&
        seen.version === expectedVersion &&
        seen.state !== undefined &&
        events.length > 0 &&
        !events.some((e) => e._tag === "TicketOpened")
          ? seen.state
          : undefined
      // An append beyond a limit on the snapshot goes the way that reads the row: the stream
      // may have moved on, and then the conflict is the answer, as in the memory store.
      const planned =
        snapshot === undefined
          ? undefined
          : planAppend("append", ticketId, expectedVersion, events, encoded, snapshot, seen?.row, effects)
      const plan = planned?.exceeded === undefined ? planned : undefined
      /** The email ids this append tried to record, for the refusal should the table's key refuse one. */
      const tried: Array<Recorded> = []
      const body = async (trx: Kysely<Database>): Promise<Written> => {
        tried.length = 0
        const written =
          plan === undefined || snapshot === undefined
            ? await appendIn(trx, entry, tried)
            : await writeEntry(trx, "append", entry, snapshot, seen?.row, true, tried, plan)
        await eventsOf(trx, [written])
        return written
      }
      const oneStatement = (db: Kysely<Database>): Promise<Written> | undefined => {
        // An id recorded twice by the append itself is refused by `writeEntry`, in the transaction.
        if (plan === undefined || EventStore.repeatedEmailId([plan.recorded]) !== undefined) return undefined
        const { row, texts } = plan
        if (row === undefined || texts === undefined || texts.deleteMessages || texts.deleteSubject) return undefined
        tried.push(plan.recorded)
        return appendInOneStatement(db, plan, row, expectedVersion, rowsOf(plan))?.then((written) => {
          if (!written) throw new RaceLost()
          return { version: expectedVersion + events.length, state: plan.next, row: rowAfter(plan), plan: undefined }
        })
      }
      // One step after the statements: the state kept, or forgotten and the failure settled.
      return Effect.matchEffect(
        attempt((db) => oneStatement(db) ?? transact(db, body), appendFailure("append", [entry])),
        {
          onSuccess: (written) => {
            remember(ticketId, written)
            return Effect.succeed(written.version)
          },
          onFailure: (error) => {
            states.delete(ticketId)
            return settle("append", [entry], tried)(error)
          }
        }
      )
    })

  const appendAll = (
    batch: ReadonlyArray<TicketStore.AppendRequest>
  ): Effect.Effect<ReadonlyArray<number>, AppendError> =>
    Effect.suspend((): Effect.Effect<ReadonlyArray<number>, AppendError> => {
      if (batch.length === 0) return Effect.succeed([])
      const tooLarge = Limits.checkWrite(batch, "appendAll") ?? StoreCapabilities.checkBatch(capabilities, batch.length)
      if (tooLarge !== undefined) return Effect.fail(tooLarge)
      const repeated = EventStore.repeatedStream(batch)
      if (repeated !== undefined) return Effect.die(EventStore.duplicateInBatch(repeated))
      const entries = batch.map(prepare)
      // Every batch locks its rows in one order (by ticket id), so that two batches where rows
      // are locked never wait on each other's rows in a cycle; versions go back in batch order.
      const order = entries
        .map((_, index) => index)
        .sort((a, b) => {
          const [x, y] = [entries[a]?.ticketId ?? "", entries[b]?.ticketId ?? ""]
          return x < y ? -1 : x > y ? 1 : 0
        })
      const tried: Array<Recorded> = []
      const body = async (trx: Kysely<Database>): Promise<ReadonlyArray<Written>> => {
        tried.length = 0
        const locked: Array<Locked> = []
        for (const index of order) locked[index] = await lockStream(trx, (entries[index] as Entry).ticketId)
        // Every refusal before any write, in batch order (as the memory store gives them);
        // two openings of the batch may not claim the same number either.
        const claimed = new Set<string>()
        for (const [index, entry] of entries.entries()) {
          const refused = conflictOf(entry, (locked[index] as Locked).version) ?? (await takenNumber(trx, entry.events))
          if (refused !== undefined) throw new Refused(refused)
          for (const event of entry.events) {
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
        // Then the limits and the email ids recorded twice in the batch, in batch order too.
        const priors: Array<State> = []
        for (const index of order) {
          priors[index] = await priorOf(trx, (entries[index] as Entry).ticketId, locked[index] as Locked)
        }
        const plans = entries.map((entry, index) =>
          planAppend(
            "appendAll",
            entry.ticketId,
            entry.expectedVersion,
            entry.events,
            entry.encoded,
            priors[index],
            undefined,
            entry.effects
          )
        )
        for (const plan of plans) if (plan.exceeded !== undefined) throw new Refused(plan.exceeded)
        const repeatedEmail = EventStore.repeatedEmailId(plans.map((plan) => plan.recorded))
        if (repeatedEmail !== undefined) throw new Refused(repeatedEmail)
        const written: Array<Written> = []
        for (const index of order) {
          const entry = entries[index] as Entry
          const plan = plans[index] as Plan
          written[index] = await writeEntry(trx, "appendAll", entry, priors[index], undefined, false, tried, plan)
        }
        // In batch order: the events of one batch commit together, at consecutive positions.
        await eventsOf(trx, written)
        return written
      }
      return attempt((db) => transact(db, body), appendFailure("appendAll", entries)).pipe(
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
        Effect.catch(settle("appendAll", entries, tried))
      )
    })

  return { append, appendAll }
}
