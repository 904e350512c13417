/**
 * The operations on relations between tickets: link and unlink, merge and undo a merge, split
 * messages into a new ticket, and suggest duplicates. Each decides on every ticket involved at
 * once (`links/Relations`) and writes them in one batch (`Batch`), so a relation is never
 * recorded on one side only.
 */
import { DateTime, Duration, Effect } from "effect"
import * as Duplicates from "../links/Duplicates.js"
import * as Relations from "../links/Relations.js"
import type { TicketQuery } from "../query/TicketQuery.js"
import * as Status from "../ticket/Status.js"
import type * as Ticket from "../ticket/Ticket.js"
import type { TicketId, TicketRef } from "../values/Ids.js"
import * as Batch from "./Batch.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"
import * as Retry from "./Retry.js"
import type * as Streams from "./Streams.js"

/** How many candidates each of `suggestDuplicates`' store queries brings at most. */
const candidatesPerQuery = 100

/**
 * The relation operations of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, streams: Streams.Streams, batch: Batch.Batch) => {
  const { ws, store, ids, maxAttempts } = deps
  const { holder, resolve, load } = streams
  const { executeMany } = batch
  const versionIs = Batch.versionIs

  const linkOp =
    (decideLink: typeof Relations.link) =>
    (raw: In.LinkInput): Op<Ticket.Ticket> =>
      Effect.gen(function* () {
        const input = yield* decode(In.LinkInput, "link")(raw)
        const from = yield* holder(input.ticket)
        const to = yield* holder(input.to)
        const after = yield* executeMany(
          input.by,
          [
            { id: from, ref: input.ticket, whole: false },
            { id: to, ref: input.to, whole: false }
          ],
          (graph, ctx) =>
            Effect.flatMap(versionIs(graph, from, input.expectedVersion), () =>
              decideLink(graph, from, input.kind, to, ctx)
            )
        )
        return after.get(from) as Ticket.Ticket
      })

  const mergeOp = (raw: In.MergeInput): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const input = yield* decode(In.MergeInput, "merge")(raw)
      const target = yield* holder(input.target)
      const sources: Array<{ readonly id: TicketId; readonly ref: TicketRef; readonly whole: boolean }> = []
      for (const ref of input.sources) sources.push({ id: yield* holder(ref), ref, whole: true })
      const after = yield* executeMany(
        input.by,
        [{ id: target, ref: input.target, whole: false }, ...sources],
        (graph, ctx) =>
          Relations.merge(
            graph,
            target,
            sources.map((s) => s.id),
            ctx
          )
      )
      return after.get(target) as Ticket.Ticket
    })

  const undoMergeOp = (raw: In.UndoMergeInput): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const input = yield* decode(In.UndoMergeInput, "undoMerge")(raw)
      const target = yield* holder(input.target)
      const source = yield* holder(input.source)
      const after = yield* executeMany(
        input.by,
        [
          { id: target, ref: input.target, whole: true },
          { id: source, ref: input.source, whole: false }
        ],
        (graph, ctx) => Relations.undoMerge(graph, target, source, ctx)
      )
      return after.get(source) as Ticket.Ticket
    })

  const splitOp = (raw: In.SplitInput): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const input = yield* decode(In.SplitInput, "split")(raw)
      const ticketId = yield* holder(input.ticket)
      const newTicketId = (yield* ids.next("ticket")) as TicketId
      const once = Effect.gen(function* () {
        const newPublicId = yield* store.nextPublicId(ws)
        const after = yield* executeMany(input.by, [{ id: ticketId, ref: input.ticket, whole: false }], (graph, ctx) =>
          Effect.gen(function* () {
            const ticket = graph.get(ticketId)
            yield* versionIs(graph, ticketId, input.expectedVersion)
            return yield* Relations.split(
              graph,
              {
                ticketId,
                messageIds: input.messages,
                newTicketId,
                newPublicId,
                subject: input.subject ?? ticket?.subject ?? ""
              },
              ctx
            )
          })
        )
        return after.get(newTicketId) as Ticket.Ticket
      })
      // A number from the sequence can only be taken by a hand-picked one: take the next.
      return yield* Retry.run(Effect.catchTag(once, "PublicIdTaken", Retry.again), maxAttempts)
    })

  const suggestDuplicates = (raw: In.DuplicatesInput): Op<ReadonlyArray<Duplicates.Suggestion>> =>
    Effect.gen(function* () {
      const input = yield* decode(In.DuplicatesInput, "suggestDuplicates")(raw)
      const { state: ticket } = yield* load(yield* resolve(input.ticket), input.ticket)
      const window = Duration.days(input.windowDays ?? 14)
      const around = {
        category: Status.unresolvedCategories,
        updatedFrom: DateTime.subtractDuration(ticket.createdAt, window),
        sort: "updated" as const,
        limit: candidatesPerQuery
      }
      const words = Duplicates.terms(ticket.subject)
        .filter((w, i, all) => all.indexOf(w) === i)
        .sort((a, b) => b.length - a.length)
        .slice(0, 3)
      const queries: Array<TicketQuery> = [
        { ...around, requester: ticket.requester },
        ...(ticket.organization === undefined ? [] : [{ ...around, organization: ticket.organization }]),
        // A store without search still finds the requester's and organization's tickets.
        ...(store.capabilities.search === "none" ? [] : words.map((search) => ({ ...around, search })))
      ]
      const found = new Set<TicketId>()
      for (const query of queries) {
        for (const item of (yield* store.query(ws, query)).items) if (item.id !== ticket.id) found.add(item.id)
      }
      const candidates = (yield* store.loadMany(Array.from(found))).flatMap(({ state }) =>
        state === undefined ? [] : [state]
      )
      return Duplicates.suggest(ticket, candidates, {
        window,
        ...(input.limit === undefined ? {} : { limit: input.limit })
      })
    })

  return {
    link: linkOp(Relations.link),
    unlink: linkOp(Relations.unlink),
    merge: mergeOp,
    undoMerge: undoMergeOp,
    split: splitOp,
    suggestDuplicates
  }
}
