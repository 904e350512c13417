/**
 * The "concurrency" part of the `TicketStore` suite (issue 2): concurrent writers on one ticket
 * through two `Helpdesk` instances, as two processes would be, lose no command and decide none on
 * a stale state. `interleaving` makes another writer's append possible between any read and
 * append, as against a remote store; `concurrentWriters` runs the writers and
 * `expectNothingLost` checks what they left, both exported for an adapter's own tests.
 */
import { Effect, Layer, Random, References } from "effect"
import { describe, expect, it } from "vitest"
import * as Helpdesk from "../../helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../helpdesk/HelpdeskInput.js"
import * as MemoryDirectoryStore from "../../memory/MemoryDirectoryStore.js"
import { IdGenerator } from "../../ports/IdGenerator.js"
import type { Outbox } from "../../ports/Outbox.js"
import type { StoredStream } from "../../ports/TicketStore.js"
import { TicketStore } from "../../ports/TicketStore.js"
import { Timers } from "../../ports/Timers.js"
import * as Ticket from "../../ticket/Ticket.js"
import type { InvalidConfig } from "../../values/ConfigError.js"
import type { FieldValue } from "../../values/CustomField.js"
import type { TicketId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import { prefixedIds, type Settings, type Store } from "./Support.js"

const { mary, show } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/**
 * A store that lets other fibers run after some reads and before some appends (chance
 * `yieldRate` each, from Effect's `Random`) and counts the `VersionConflict`s its appends
 * answer: between a writer's read (or its decision on a state the `Helpdesk` remembered, which
 * reads nothing) and its append, another writer may now append, as it would against a remote
 * store.
 *
 * @category testing
 * @since 0.1.0
 */
export const interleaving = (
  store: Store,
  yieldRate = 0.1
): {
  /** The store to run the help desk on. */
  readonly store: Store
  /** How many `VersionConflict`s its appends have answered so far. */
  readonly conflicts: () => number
} => {
  let conflicts = 0
  const maybeYield = Effect.flatMap(Random.next, (x) => (x < yieldRate ? Effect.yieldNow : Effect.void))
  return {
    store: TicketStore.of({
      ...store,
      load: (ticketId) => Effect.tap(store.load(ticketId), () => maybeYield),
      append: (ticketId, expectedVersion, events, effects) =>
        Effect.andThen(
          maybeYield,
          Effect.tapError(store.append(ticketId, expectedVersion, events, effects), (error) =>
            Effect.sync(() => {
              if (error._tag === "VersionConflict") conflicts++
            })
          )
        )
    }),
    conflicts: () => conflicts
  }
}

/**
 * What the concurrency property observed.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConcurrencyReport {
  readonly writers: number
  readonly commandsPerWriter: number
  readonly ticketId: TicketId
  /** The value each writer set, per writer, in the order it sent them. */
  readonly sent: ReadonlyArray<ReadonlyArray<string>>
  /** Errors of the commands the help desk refused (none expected). */
  readonly refused: ReadonlyArray<unknown>
  /** The version each accepted command left the ticket at. */
  readonly versions: ReadonlyArray<number>
  /** `VersionConflict`s the store answered, retried by the help desk. */
  readonly conflicts: number
  /** The ticket's stream afterwards. */
  readonly stream: StoredStream
}

/**
 * Concurrent writers on one ticket through two `Helpdesk` instances (as two processes would be),
 * each writer setting a text custom field to values no one else sends. A custom field keeps the
 * ticket's state small, so each fold stays linear in the stream's length; the chain of
 * `from`/`to` values shows which state each command was decided on. Runs with the scheduler's automatic yields off: interleavings come from
 * `interleaving`, at a rate that forces real conflicts without retrying most commands.
 *
 * @category testing
 * @since 0.1.0
 */
export const concurrentWriters = <E>(
  layer: Layer.Layer<TicketStore | Timers | Outbox, E>,
  options: { readonly writers?: number; readonly commandsPerWriter?: number; readonly seed?: number } = {}
): Effect.Effect<ConcurrencyReport, E | Helpdesk.HelpdeskError | InvalidConfig> => {
  const writers = options.writers ?? 8
  const commandsPerWriter = options.commandsPerWriter ?? 500
  return Effect.gen(function* () {
    const ws = yield* freshWorkspace
    const decorated = interleaving(yield* TicketStore)
    const config: typeof HelpdeskInput.Config.Encoded = {
      workspaceId: ws,
      maxAttempts: 1000,
      customFields: [{ key: "ref", label: "Reference", type: "text" }]
    }
    // Writers in one instance take turns on a ticket, so the races are between instances.
    const desks = yield* Effect.forEach([1, 2], () => Helpdesk.make(config)).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, decorated.store),
          MemoryDirectoryStore.layer,
          Layer.effect(IdGenerator, prefixedIds(`${ws}.`)),
          Layer.succeed(Timers, yield* Timers)
        )
      )
    )
    const desk = desks[0] as Helpdesk.Service
    yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    yield* desk.saveContact({ id: "jane", name: "Jane Sharpe" })
    const ticket = yield* desk.open({
      requester: { id: "jane" },
      subject: "Many hands",
      text: "Everyone writes here at once.",
      channel: "web"
    })
    const sent = Array.from({ length: writers }, (_, w) =>
      Array.from({ length: commandsPerWriter }, (_, i) => `w${w}-c${i}`)
    )
    const outcomes = yield* Effect.forEach(
      sent,
      (values, w) =>
        Effect.forEach(values, (value) =>
          Effect.result(
            (desks[w % desks.length] as Helpdesk.Service).setCustomField({
              ticket: ticket.id,
              by: mary,
              key: "ref",
              value
            })
          )
        ),
      { concurrency: writers }
    )
    const results = outcomes.flat()
    return {
      writers,
      commandsPerWriter,
      ticketId: ticket.id,
      sent,
      refused: results.flatMap((r) => (r._tag === "Failure" ? [r.failure] : [])),
      versions: results.flatMap((r) => (r._tag === "Success" ? [r.success.version] : [])),
      conflicts: decorated.conflicts(),
      stream: yield* (yield* TicketStore).read(ticket.id)
    }
  }).pipe(
    Effect.provide(Layer.fresh(layer)),
    Random.withSeed(options.seed ?? 2),
    Effect.provideService(References.PreventSchedulerYield, true)
  )
}

/**
 * Checks a concurrency report: every command accepted and in the stream exactly once, in each
 * writer's order, each decided on the state the one before it left, versions contiguous, and
 * conflicts did happen (otherwise the run proved nothing).
 *
 * @category testing
 * @since 0.1.0
 */
export const expectNothingLost = (report: ConcurrencyReport): void => {
  const total = report.writers * report.commandsPerWriter
  expect(report.refused.slice(0, 3).map(show), "refused commands").toEqual([])
  expect(report.conflicts, "the writers never conflicted: the run proved nothing").toBeGreaterThan(0)
  expect(report.stream.version).toBe(1 + total)
  expect(report.stream.events.length).toBe(1 + total)
  expect([...report.versions].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 2))
  const [first, ...changes] = report.stream.events
  expect(first?._tag).toBe("TicketOpened")
  const values: Array<string> = []
  let previous: FieldValue | undefined
  for (const event of changes) {
    if (event._tag !== "CustomFieldChanged") throw new Error(`unexpected ${event._tag} in the stream`)
    expect(event.from, "a command was decided on a stale state").toBe(previous)
    previous = event.to
    values.push(String(event.to))
  }
  expect(new Set(values).size, "a value appears twice").toBe(values.length)
  report.sent.forEach((mine, w) => {
    expect(
      values.filter((v) => v.startsWith(`w${w}-`)),
      `writer ${w}'s values, in order`
    ).toEqual(mine)
  })
  expect((Ticket.fold(report.stream.events) as Ticket.Ticket).customFields).toEqual({ ref: previous })
}

/**
 * Registers the "concurrency" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { writers, commandsPerWriter, timeout } = settings
  describe("concurrency", () => {
    it(
      `${writers} concurrent writers × ${commandsPerWriter} commands on one ticket lose nothing`,
      async () => {
        expectNothingLost(await Effect.runPromise(concurrentWriters(layer, { writers, commandsPerWriter })))
      },
      timeout
    )
  })
}
