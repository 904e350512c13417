/**
 * The outbox worker: drains the `notification` channel of the `Outbox` at least once. It claims a
 * batch under a lease, turns each message into deliveries (`prepare`, the caller's: templates and
 * recipients), hands each to the `Sender` of its channel, then completes the message, retries it
 * later (exponential backoff with full jitter, `Backoff`) or parks it as a dead letter, and reports
 * the outcome for the ticket's log first (`record`, usually `Helpdesk.recordNotification`, or the
 * whole batch's outcomes at once with `recordAll`). What a delivery contains and how a channel
 * sends it is the senders' business.
 */
import type { NotificationRecords, Outbox as OutboxPort, StoreError } from "@tessera/core"
import { Outbox, Tracing } from "@tessera/core"
import { Cause, DateTime, Duration, Effect, Result, Schema } from "effect"
import * as Backoff from "./Backoff.js"
import { type Delivery, DeliveryFailed, type Sender } from "./Notification.js"

/**
 * How the worker drains: every field has a default.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The outbox channel it drains (default `notification`, where `Helpdesk` writes). */
  readonly channel?: string
  /** Messages claimed at a time (default 50). */
  readonly batchSize?: number
  /**
   * How long a claim keeps a message from other workers (default 2 minutes). A message not
   * settled by then is claimed again: keep it well above a sender's timeout.
   */
  readonly leaseMillis?: number
  /** The ceiling of the first retry's delay (default 5 seconds); it doubles with each attempt. */
  readonly baseDelayMillis?: number
  /** No retry waits longer than this (default 1 hour). */
  readonly maxDelayMillis?: number
  /** Attempts before a message becomes a dead letter (default 12, about 8 hours with the defaults). */
  readonly maxAttempts?: number
  /** Messages of a batch handled at once (default 8). */
  readonly concurrency?: number
  /** How long `run` waits after a batch that was not full (default 1 second). */
  readonly pollMillis?: number
}

/**
 * The options with their defaults filled in.
 *
 * @category models
 * @since 0.1.0
 */
export type Settings = { readonly [K in keyof Options]-?: NonNullable<Options[K]> }

/**
 * The defaults of `Options`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaults: Settings = {
  channel: "notification",
  batchSize: 50,
  leaseMillis: 120_000,
  baseDelayMillis: 5_000,
  maxDelayMillis: 3_600_000,
  maxAttempts: 12,
  concurrency: 8,
  pollMillis: 1_000
}

/**
 * What the worker reports about a notification: what `Helpdesk.recordNotification` takes.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome = NotificationRecords.NotificationOutcomeInput

/**
 * Records an outcome on its ticket. A failure whose `retryable` is true leaves the message for
 * another attempt once its lease ends (it is delivered again, under the same keys); any other
 * failure is logged and the message settled anyway.
 *
 * @category models
 * @since 0.1.0
 */
export type Recorder = (outcome: Outcome, message: OutboxPort.ClaimedMessage) => Effect.Effect<unknown, unknown>

/**
 * One message's outcome, as a batch of them goes to a `BatchRecorder`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reported {
  readonly outcome: Outcome
  readonly message: OutboxPort.ClaimedMessage
}

/**
 * Records the outcomes of a claimed batch at once (`Helpdesk.recordNotifications`: one write for
 * the batch instead of one per message). Succeeding, every message of the batch may be settled;
 * failing, each outcome is recorded again on its own (`record`), which decides message by
 * message as a `Recorder` does.
 *
 * @category models
 * @since 0.1.0
 */
export type BatchRecorder = (reported: ReadonlyArray<Reported>) => Effect.Effect<unknown, unknown>

/**
 * What the worker is built with.
 *
 * @category models
 * @since 0.1.0
 */
export interface Config {
  /** One sender per channel a delivery may name. */
  readonly senders: ReadonlyArray<Sender>
  /**
   * The deliveries of a message (one per recipient and channel), each with its idempotency key.
   * None: the message is completed and nothing is recorded. A `DeliveryFailed` that is not
   * retryable makes it a dead letter at once; a store error is retried like a failed delivery.
   */
  readonly prepare: (
    message: OutboxPort.ClaimedMessage
  ) => Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed | StoreError.StoreError>
  /** Where outcomes go (`recordOn(helpdesk)`); without one (and no `recordAll`), nothing is recorded. */
  readonly record?: Recorder
  /**
   * Where a claimed batch's outcomes go at once (`recordAllOn(helpdesk)`), after every message
   * of the batch was sent and before any is settled; `record` (or, without it, `recordAll` with
   * one outcome) takes each of them on its own when it fails.
   */
  readonly recordAll?: BatchRecorder
  readonly options?: Options
}

/**
 * What one batch did: messages claimed, delivered (completed), retried, made dead letters, and
 * left for their lease to end (their outcome could not be recorded yet).
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly claimed: number
  readonly delivered: number
  readonly retried: number
  readonly deadLettered: number
  readonly left: number
}

/**
 * A running outbox worker's operations.
 *
 * @category models
 * @since 0.1.0
 */
export interface Worker {
  readonly settings: Settings
  /** Claims one batch and settles every message of it. */
  readonly drainOnce: Effect.Effect<Report, StoreError.StoreError>
  /**
   * Drains batch after batch, waiting `pollMillis` after one that was not full, until
   * interrupted (close its scope or interrupt its fiber). A store failure is logged and waited out.
   */
  readonly run: Effect.Effect<never>
}

/**
 * The workspace of a message has no help desk among those `recordOn` was given.
 *
 * @category errors
 * @since 0.1.0
 */
export class NoHelpdesk extends Schema.TaggedError<NoHelpdesk>()("NoHelpdesk", { workspaceId: Schema.String }) {
  override get message() {
    return `No help desk records the notifications of workspace ${this.workspaceId}`
  }
}

/** The part of a help desk `recordOn` uses (a `Helpdesk.Service` has it). */
interface RecordingDesk {
  readonly config: { readonly workspaceId: string }
  readonly recordNotification: (outcome: Outcome) => Effect.Effect<boolean, unknown>
}

/**
 * Records outcomes through the help desks of their workspaces (`Helpdesk.recordNotification`).
 * A message of another workspace fails with `NoHelpdesk` (logged; the message is settled).
 *
 * @category constructors
 * @since 0.1.0
 */
export const recordOn = (...helpdesks: ReadonlyArray<RecordingDesk>): Recorder => {
  const byWorkspace = new Map(helpdesks.map((desk) => [desk.config.workspaceId, desk]))
  return (outcome, message) => {
    const desk = byWorkspace.get(message.workspaceId)
    return desk === undefined
      ? Effect.fail(new NoHelpdesk({ workspaceId: message.workspaceId }))
      : desk.recordNotification(outcome)
  }
}

/** The part of a help desk `recordAllOn` uses (a `Helpdesk.Service` has it). */
interface BatchRecordingDesk {
  readonly config: { readonly workspaceId: string }
  readonly recordNotifications: (outcomes: ReadonlyArray<Outcome>) => Effect.Effect<unknown, unknown>
}

/**
 * Records a batch's outcomes through the help desks of their workspaces, one
 * `Helpdesk.recordNotifications` per workspace. A message of another workspace fails the batch
 * with `NoHelpdesk` (each outcome is then recorded on its own, as `recordOn` would).
 *
 * @category constructors
 * @since 0.1.0
 */
export const recordAllOn = (...helpdesks: ReadonlyArray<BatchRecordingDesk>): BatchRecorder => {
  const byWorkspace = new Map(helpdesks.map((desk) => [desk.config.workspaceId, desk]))
  return (reported) =>
    Effect.suspend(() => {
      const outcomes = new Map<BatchRecordingDesk, Array<Outcome>>()
      for (const { outcome, message } of reported) {
        const desk = byWorkspace.get(message.workspaceId)
        if (desk === undefined) return Effect.fail(new NoHelpdesk({ workspaceId: message.workspaceId }))
        const list = outcomes.get(desk) ?? []
        list.push(outcome)
        outcomes.set(desk, list)
      }
      return Effect.forEach(outcomes, ([desk, list]) => desk.recordNotifications(list), { discard: true })
    })
}

/** How one message was settled. */
type Settled = "delivered" | "retried" | "deadLettered" | "left"

/**
 * Where a message stands once sent (or not): settled already (retried, or nothing to deliver),
 * or waiting for its outcome to be reported, `finish` settling it.
 */
type Step =
  | { readonly _tag: "Settled"; readonly settled: Settled }
  | {
      readonly _tag: "Report"
      readonly reported: Reported
      readonly finish: Effect.Effect<Settled, StoreError.StoreError>
    }

const settledAs = (settled: Settled): Step => ({ _tag: "Settled", settled })

/**
 * A message's attempt in a span `Worker.settle` when a tracer is installed (`Tracing.whenTraced`:
 * under Effect's default one, a span costs a delivery CPU and tells no one anything). Where it was
 * defined is always here, so no stack is captured.
 */
const traced =
  (message: OutboxPort.ClaimedMessage) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Tracing.whenTraced(
      () => effect,
      () =>
        effect.pipe(
          Effect.withSpan(
            "Worker.settle",
            { attributes: { "tessera.outbox_id": message.id } },
            { captureStackTrace: false }
          )
        )
    )

/** What an outcome field may hold (the event's limits). */
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

const isRetryable = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "retryable" in error && error.retryable === true

const describe = (error: DeliveryFailed | StoreError.StoreError): string =>
  error._tag === "DeliveryFailed" ? `${error.channel}: ${error.reason}` : error.message

/**
 * Builds a worker on the `Outbox` in context. Settings out of range are brought into it (at
 * least one message per batch, one attempt, one at a time).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (config: Config): Effect.Effect<Worker, never, Outbox.Outbox> =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.Outbox
    const given = { ...defaults, ...config.options }
    const settings: Settings = {
      ...given,
      batchSize: Math.max(1, Math.floor(given.batchSize)),
      maxAttempts: Math.max(1, Math.floor(given.maxAttempts)),
      concurrency: Math.max(1, Math.floor(given.concurrency)),
      leaseMillis: Math.max(1, given.leaseMillis),
      pollMillis: Math.max(0, given.pollMillis)
    }
    const senders = new Map(config.senders.map((sender) => [sender.channel, sender]))
    const policy: Backoff.Policy = { baseMillis: settings.baseDelayMillis, maxMillis: settings.maxDelayMillis }

    const send = (delivery: Delivery): Effect.Effect<unknown, DeliveryFailed> => {
      const sender = senders.get(delivery.channel)
      return sender === undefined
        ? Effect.fail(
            new DeliveryFailed({ channel: delivery.channel, reason: "no sender for this channel", retryable: false })
          )
        : // A sender that dies (a bug) fails this delivery and is retried: one bad message never stops the batch.
          sender
            .send(delivery)
            .pipe(
              Effect.catchDefect((defect) =>
                Effect.fail(new DeliveryFailed({ channel: delivery.channel, reason: String(defect), retryable: true }))
              )
            )
    }

    const { recordAll } = config
    const recordOne: Recorder | undefined =
      config.record ?? (recordAll === undefined ? undefined : (outcome, message) => recordAll([{ outcome, message }]))

    /** Reports an outcome; answers whether the message may be settled now. */
    const report = (outcome: Outcome, message: OutboxPort.ClaimedMessage): Effect.Effect<boolean> =>
      recordOne === undefined
        ? Effect.succeed(true)
        : recordOne(outcome, message).pipe(
            Effect.as(true),
            Effect.catchCause((cause) =>
              Effect.logWarning("Notification outcome not recorded", cause).pipe(
                Effect.annotateLogs({ "tessera.outbox_id": message.id, "tessera.outcome": outcome.outcome }),
                // A failure that may pass later leaves the message to come back after its lease.
                Effect.as(!isRetryable(Cause.squash(cause)))
              )
            )
          )

    const outcomeOf = (
      message: OutboxPort.ClaimedMessage,
      deliveries: ReadonlyArray<Delivery>,
      at: DateTime.Utc,
      error?: string
    ): Outcome => {
      const payload = (message.payload ?? {}) as { readonly template?: unknown }
      const template =
        deliveries[0]?.template ?? (typeof payload.template === "string" ? payload.template : message.channel)
      const channels = [...new Set(deliveries.map((d) => d.channel))]
      return {
        ticket: message.ticketId,
        outcome: error === undefined ? "delivered" : "failed",
        notification: clip(message.id, 500),
        attempt: message.attempts + 1,
        template: clip(template, 200) || "notification",
        channel: clip(channels.join(",") || message.channel, 200),
        to: [...new Set(deliveries.map((d) => clip(d.recipient.address, 320)).filter((a) => a.length > 0))].slice(
          0,
          100
        ),
        at: DateTime.formatIso(at),
        ...(error === undefined ? {} : { error: clip(error, 500) })
      }
    }

    /** Gives a message up: its failure recorded first, so a crash in between loses no record. */
    const giveUp = (
      message: OutboxPort.ClaimedMessage,
      deliveries: ReadonlyArray<Delivery>,
      error: string
    ): Effect.Effect<Step> =>
      Effect.map(DateTime.now, (now) => ({
        _tag: "Report",
        reported: { outcome: outcomeOf(message, deliveries, now, error), message },
        finish: Effect.as(outbox.deadLetter(message.id, now, error), "deadLettered" as const)
      }))

    /** After a failed attempt: later (with backoff), or never again once attempts run out. */
    const failed = (
      message: OutboxPort.ClaimedMessage,
      deliveries: ReadonlyArray<Delivery>,
      error: DeliveryFailed | StoreError.StoreError
    ): Effect.Effect<Step, StoreError.StoreError> =>
      Effect.gen(function* () {
        const reason = clip(describe(error), 1000)
        const attempt = message.attempts + 1
        if (!isRetryable(error) || attempt >= settings.maxAttempts) return yield* giveUp(message, deliveries, reason)
        const wait = yield* Backoff.delay(policy, attempt)
        const now = yield* DateTime.now
        yield* outbox.retry(message.id, DateTime.add(now, { milliseconds: wait }), reason)
        return settledAs("retried")
      })

    /**
     * One message: every delivery is attempted (so one refused recipient does not hold back the
     * others); all accepted, it is delivered. Otherwise the whole message is tried again later,
     * deliveries already accepted included: they go out again under the same keys, which
     * receivers use to drop the repeat (at least once, per delivery).
     */
    const attempt = (message: OutboxPort.ClaimedMessage): Effect.Effect<Step, StoreError.StoreError> =>
      Effect.gen(function* () {
        const prepared = yield* Effect.result(
          config
            .prepare(message)
            .pipe(
              Effect.catchDefect((defect) =>
                Effect.fail(new DeliveryFailed({ channel: message.channel, reason: String(defect), retryable: true }))
              )
            )
        )
        if (Result.isFailure(prepared)) return yield* failed(message, [], prepared.failure)
        const deliveries = prepared.success
        if (deliveries.length === 0) {
          yield* outbox.complete(message.id)
          return settledAs("delivered")
        }
        const sent = yield* Effect.forEach(deliveries, (delivery) => Effect.result(send(delivery)))
        const failures = sent.flatMap((r) => (Result.isFailure(r) ? [r.failure] : []))
        const refused = failures.find((f) => !f.retryable) ?? failures[0]
        if (refused !== undefined) return yield* failed(message, deliveries, refused)
        const reported = { outcome: outcomeOf(message, deliveries, yield* DateTime.now), message }
        return {
          _tag: "Report",
          reported,
          finish: Effect.as(outbox.complete(message.id), "delivered" as const)
        } as const
      }).pipe(traced(message))

    /** A step's message settled, its outcome reported on its own first. */
    const settle = (step: Step): Effect.Effect<Settled, StoreError.StoreError> =>
      step._tag === "Settled"
        ? Effect.succeed(step.settled)
        : Effect.flatMap(report(step.reported.outcome, step.reported.message), (may) =>
            may ? step.finish : Effect.succeed<Settled>("left")
          )

    /**
     * Every message of a batch sent first, then their outcomes reported in one `recordAll`, then
     * settled. The record still comes before the settling: a crash in between sends again and
     * records nothing twice. If the batch could not be recorded, each outcome is, on its own.
     */
    const settleAll = (
      batch: ReadonlyArray<OutboxPort.ClaimedMessage>,
      recordAll: BatchRecorder
    ): Effect.Effect<ReadonlyArray<Settled>, StoreError.StoreError> =>
      Effect.gen(function* () {
        const steps = yield* Effect.forEach(batch, attempt, { concurrency: settings.concurrency })
        const reported = steps.flatMap((step) => (step._tag === "Report" ? [step.reported] : []))
        const together =
          reported.length === 0 ||
          (yield* recordAll(reported).pipe(
            Effect.as(true),
            Effect.catchCause((cause) =>
              Effect.as(Effect.logDebug("Outcomes not recorded as a batch; recording them one by one", cause), false)
            )
          ))
        return yield* Effect.forEach(
          steps,
          (step) => (together && step._tag === "Report" ? step.finish : settle(step)),
          { concurrency: settings.concurrency }
        )
      })

    const drainOnce: Effect.Effect<Report, StoreError.StoreError> = Effect.gen(function* () {
      const now = yield* DateTime.now
      const batch = yield* outbox.claim(settings.channel, now, settings.batchSize, settings.leaseMillis)
      const settled =
        recordAll === undefined
          ? yield* Effect.forEach(batch, (message) => Effect.flatMap(attempt(message), settle), {
              concurrency: settings.concurrency
            })
          : yield* settleAll(batch, recordAll)
      const count = (kind: Settled) => settled.filter((s) => s === kind).length
      return {
        claimed: batch.length,
        delivered: count("delivered"),
        retried: count("retried"),
        deadLettered: count("deadLettered"),
        left: count("left")
      }
    })

    const pause = Effect.sleep(Duration.millis(settings.pollMillis))
    const run: Effect.Effect<never> = Effect.forever(
      drainOnce.pipe(
        Effect.flatMap((report) => (report.claimed < settings.batchSize ? pause : Effect.void)),
        Effect.catch((error) =>
          Effect.logWarning("Outbox worker: the store failed; waiting before the next batch", error).pipe(
            Effect.andThen(pause)
          )
        )
      )
    )

    return { settings, drainOnce, run }
  })
