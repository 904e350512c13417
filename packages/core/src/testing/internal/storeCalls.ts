/**
 * What a store was asked, for the failure messages of the suite's tests that drive it through a
 * `Helpdesk`: a recording wrapper around the adapter's `TicketStore` writes each call with its
 * input and outcome (`append(tkt_3, expectedVersion 2, [TagsChanged]) → VersionConflict (actual
 * 3)`), and `explained` adds the calls of the failing step to the assertion's message, so an
 * adapter author sees which of the adapter's own operations answered wrongly rather than only a
 * sequence of help-desk operations.
 */
import { DateTime, Effect, Exit, Option } from "effect"
import type { AppendEffects, AppendRequest } from "../../ports/EventStore.js"
import { TicketStore } from "../../ports/TicketStore.js"
import type { TicketQuery } from "../../query/TicketQuery.js"
import type { TicketEvent } from "../../ticket/TicketEvent.js"
import { show } from "./fixtures.js"

type Store = TicketStore["Service"]

/** A store that records its calls, and the calls so far. */
export interface Recorder {
  readonly store: Store
  /** Every call, in order, as one line each. */
  readonly calls: () => ReadonlyArray<string>
}

/** Most calls a failure message lists (the latest ones). */
const shown = 40

const tags = (events: ReadonlyArray<TicketEvent>): string => `[${events.map((e) => e._tag).join(", ")}]`

const effectsOf = (effects: AppendEffects | undefined): string => {
  if (effects === undefined) return ""
  const parts = [
    ...(effects.timers === undefined ? [] : [`timers: ${effects.timers.map((t) => t.id).join(", ")}`]),
    ...(effects.outbox === undefined ? [] : [`outbox: ${effects.outbox.map((m) => m.id).join(", ")}`]),
    ...(effects.slaDueAt === undefined
      ? []
      : [`slaDueAt: ${effects.slaDueAt === null ? "null" : DateTime.formatIso(effects.slaDueAt)}`])
  ]
  return parts.length === 0 ? "" : `, effects { ${parts.join("; ")} }`
}

const entry = (request: AppendRequest): string =>
  `${request.ticketId} @ ${request.expectedVersion} ${tags(request.events)}${effectsOf(request.effects)}`

/** The outcome of a call, as a failure message shows it. */
const outcome = <A>(exit: Exit.Exit<A, unknown>, success: (a: A) => string): string => {
  if (Exit.isSuccess(exit)) return success(exit.value)
  const error = Exit.findErrorOption(exit)
  if (Option.isSome(error)) {
    const e = error.value
    return typeof e === "object" && e !== null && "_tag" in e && e instanceof Error
      ? `${String(e._tag)} (${e.message})`
      : show(e)
  }
  return `died: ${String(exit.cause)}`
}

const queryOf = (query: TicketQuery): string => show(query)

/**
 * Wraps a store so that it records every call it answers.
 *
 * @category testing
 * @since 0.1.0
 */
export const record = (store: Store): Recorder => {
  const lines: Array<string> = []
  const log =
    <A, E>(call: string, success: (a: A) => string) =>
    (effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.onExit(effect, (exit) => Effect.sync(() => void lines.push(`${call} → ${outcome(exit, success)}`)))
  return {
    calls: () => lines,
    store: TicketStore.of({
      capabilities: store.capabilities,
      read: (ticketId) =>
        store.read(ticketId).pipe(log(`read(${ticketId})`, (s) => `version ${s.version} ${tags(s.events)}`)),
      load: (ticketId) => store.load(ticketId).pipe(log(`load(${ticketId})`, (s) => `version ${s.version}`)),
      loadMany: (ticketIds) =>
        store
          .loadMany(ticketIds)
          .pipe(
            log(`loadMany([${ticketIds.join(", ")}])`, (all) => `versions [${all.map((s) => s.version).join(", ")}]`)
          ),
      loadIfChanged: (ticketId, version) =>
        store
          .loadIfChanged(ticketId, version)
          .pipe(
            log(`loadIfChanged(${ticketId}, ${version})`, (s) =>
              s === undefined ? "unchanged" : `version ${s.version}`
            )
          ),
      append: (ticketId, expectedVersion, events, effects) =>
        store
          .append(ticketId, expectedVersion, events, effects)
          .pipe(
            log(
              `append(${ticketId}, expectedVersion ${expectedVersion}, ${tags(events)}${effectsOf(effects)})`,
              (v) => `version ${v}`
            )
          ),
      appendAll: (batch) =>
        store
          .appendAll(batch)
          .pipe(log(`appendAll([${batch.map(entry).join("; ")}])`, (versions) => `versions [${versions.join(", ")}]`)),
      readAll: (after, limit, options) =>
        store
          .readAll(after, limit, options)
          .pipe(
            log(
              `readAll(${after}, ${limit}${options?.workspaceId === undefined ? "" : `, ${options.workspaceId}`})`,
              (items) =>
                `[${items.map((item) => `${item.position}: ${item.ticketId}@${item.version} ${item.event._tag}`).join(", ")}]`
            )
          ),
      nextPublicId: (ws) => store.nextPublicId(ws).pipe(log(`nextPublicId(${ws})`, String)),
      resolve: (ws, publicId) =>
        store
          .resolve(ws, publicId)
          .pipe(log(`resolve(${ws}, ${publicId})`, (found) => (Option.isSome(found) ? found.value : "none"))),
      findByEmailId: (ws, messageId) =>
        store
          .findByEmailId(ws, messageId)
          .pipe(
            log(`findByEmailId(${ws}, ${JSON.stringify(messageId)})`, (found) =>
              Option.isSome(found) ? found.value : "none"
            )
          ),
      query: (ws, query, visibility) =>
        store
          .query(ws, query, visibility)
          .pipe(
            log(
              `query(${ws}, ${queryOf(query)}${visibility === undefined ? "" : `, ${JSON.stringify(visibility)}`})`,
              (page) => `[${page.items.map((t) => t.id).join(", ")}]${page.nextCursor === undefined ? "" : " + cursor"}`
            )
          )
    })
  }
}

/**
 * Runs `body`; when it throws (a failed assertion), throws an error whose message adds the store
 * calls `body` made (the latest ones), the original kept as `cause`.
 *
 * @category testing
 * @since 0.1.0
 */
export const explained = async <A>(recorder: Recorder, label: string, body: () => Promise<A>): Promise<A> => {
  const start = recorder.calls().length
  try {
    return await body()
  } catch (error) {
    const calls = recorder.calls().slice(start)
    const listed = calls.slice(-shown)
    const skipped = calls.length - listed.length
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(
      [
        message,
        "",
        `The store calls of ${label}${skipped > 0 ? ` (the last ${shown} of ${calls.length})` : ""}:`,
        ...listed.map((line) => `  ${line}`)
      ].join("\n"),
      { cause: error }
    )
  }
}
