/**
 * Messages on a ticket: a public reply or an internal note, landing on the ticket a merged one
 * was merged into, and a requester's reply on a closed ticket opening a follow-up linked to it.
 * Each message is one command through `UnitOfWork`; the follow-up and its link are one batch.
 */
import { Effect } from "effect"
import * as Relations from "../links/Relations.js"
import { decide } from "../ticket/decide.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import * as Actor from "../values/Actor.js"
import type { PublicId, TicketId, TicketRef } from "../values/Ids.js"
import type * as Automations from "./Automations.js"
import type * as Batch from "./Batch.js"
import { type Deps, decideContext } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"
import * as Retry from "./Retry.js"
import type * as StateCache from "./StateCache.js"
import type * as Streams from "./Streams.js"
import type * as TicketOperations from "./TicketOperations.js"
import { bodyOf } from "./TicketOperations.js"
import type * as UnitOfWork from "./UnitOfWork.js"

/**
 * The message operations of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  deps: Deps,
  streams: Streams.Streams,
  batch: Batch.Batch,
  automations: Automations.Automations,
  unitOfWork: UnitOfWork.UnitOfWork,
  tickets: TicketOperations.TicketOperations
) => {
  const { ws, store, ids, effects, locks, maxAttempts } = deps
  const { follow, load } = streams
  const { runTriggers, makeLinks } = automations
  const { execute } = unitOfWork
  const { nextMessageId } = tickets

  /**
   * A follow-up of a closed ticket: same requester, subject, type, group, tags and fields, but
   * neither its assignee nor its priority; linked both ways. The new ticket and the closed
   * ticket's link to it are written in one batch, so neither is ever written without the other;
   * a concurrent write to the closed ticket decides both again (keeping the follow-up's number),
   * a number taken meanwhile takes the next. `closed` is the ticket as just read, at its version.
   */
  const openFollowUp = (
    closed: StateCache.Known,
    actor: Actor.Actor,
    input: typeof In.MessageInput.Type
  ): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const closedId = closed.state.id
      const ticketId = (yield* ids.next("ticket")) as TicketId
      const messageId = yield* nextMessageId
      let known: StateCache.Known | undefined = closed
      /** One attempt with a given number: decide both tickets on the closed one as read, append both. */
      const once = (publicId: PublicId) =>
        Effect.gen(function* () {
          const { state, version } = known ?? (yield* load(closedId))
          known = undefined
          const ctx = yield* decideContext(deps, actor)
          const open = new C.OpenTicket({
            ticketId,
            workspaceId: ws,
            publicId,
            messageId,
            subject: state.subject,
            requester: state.requester,
            channel: input.channel ?? state.channel,
            tags: state.tags,
            customFields: state.customFields,
            body: bodyOf(input),
            followUpOf: closedId,
            ...(state.organization === undefined ? {} : { organization: state.organization }),
            ...(state.type === undefined ? {} : { type: state.type }),
            ...(state.group === undefined ? {} : { group: state.group })
          })
          const opened = yield* runTriggers(ticketId, undefined, yield* decide(undefined, open, ctx), ctx)
          const linkCtx = yield* decideContext(deps, Actor.system("follow-up"))
          const link = new C.AddLink({ ticketId: closedId, link: { kind: "followed_up_by", ticketId } })
          const linked = yield* runTriggers(closedId, state, yield* decide(state, link, linkCtx), linkCtx)
          const followUp = Ticket.fold(opened.events) as Ticket.Ticket
          const after = new Map([
            [closedId, Ticket.fold(linked.events, state) as Ticket.Ticket],
            [ticketId, followUp]
          ])
          yield* batch.appendAll(
            [
              {
                ticketId: closedId,
                expectedVersion: version,
                events: linked.events,
                effects: yield* effects.effectsFor(state, after.get(closedId) as Ticket.Ticket, closedId, linked.events)
              },
              {
                ticketId,
                expectedVersion: 0,
                events: opened.events,
                effects: yield* effects.effectsFor(undefined, followUp, ticketId, opened.events)
              }
            ],
            after
          )
          return { followUp, openedLinks: opened.links, linkedLinks: linked.links }
        })
      const numbered = Effect.flatMap(store.nextPublicId(ws), (publicId) => Retry.run(once(publicId), maxAttempts))
      // A number from the sequence can only be taken by a hand-picked one: take the next.
      const written = yield* locks.withLock(
        closedId,
        Retry.run(Effect.catchTag(numbered, "PublicIdTaken", Retry.again), maxAttempts)
      )
      // The links rules asked for are made once both tickets are written, as after any command.
      yield* makeLinks(ticketId, written.openedLinks)
      yield* makeLinks(closedId, written.linkedLinks)
      return written.openedLinks.length === 0 && written.linkedLinks.length === 0
        ? written.followUp
        : (yield* load(ticketId)).state
    })

  /** Where a merged ticket's messages go: the end of its chain of merges. */
  const mergeTarget = (ticket: Ticket.Ticket): Op<Ticket.Ticket | undefined> =>
    Effect.gen(function* () {
      let current = ticket
      for (let hops = 0; current.mergedInto !== undefined && hops < Relations.maxDepth; hops++) {
        current = (yield* load(current.mergedInto)).state
      }
      return current.id === ticket.id ? undefined : current
    })

  const message = (kind: "reply" | "note") => {
    const decodeInput = decode(In.MessageInput, kind)
    return (raw: In.MessageInput) => messageOf(kind, decodeInput(raw))
  }

  const messageOf = (kind: "reply" | "note", decoded: Op<typeof In.MessageInput.Type>) =>
    Effect.flatMapEager(decoded, (input) =>
      Effect.flatMap(nextMessageId, (messageId) =>
        // A reply through a merged ticket's number came in on that ticket's channel (a chat, say).
        Effect.flatMapEager(follow(input.ticket), ({ id, via }) => {
          const arrivedOn = kind === "reply" ? (input.channel ?? via?.channel) : input.channel
          const write = (ref: TicketRef, expectedVersion: number | undefined, channel = arrivedOn) =>
            execute(ref, input.by, expectedVersion, (ticket) =>
              Effect.succeed(
                kind === "reply"
                  ? new C.AddReply({
                      ticketId: ticket.id,
                      messageId,
                      channel: channel ?? ticket.channel,
                      body: bodyOf(input)
                    })
                  : new C.AddNote({
                      ticketId: ticket.id,
                      messageId,
                      channel: channel ?? "web",
                      body: bodyOf(input)
                    })
              )
            )
          return Effect.catch(write(id, via === undefined ? input.expectedVersion : undefined), (refused) =>
            refused._tag !== "FollowUpRequired" && refused._tag !== "TicketClosed"
              ? Effect.fail(refused)
              : Effect.gen(function* () {
                  const closed = yield* load(refused.ticketId as TicketId)
                  const { state } = closed
                  // A message to a merged ticket lands on the ticket it was merged into.
                  const target = yield* mergeTarget(state)
                  // It came in on the merged ticket's channel (a chat, say), whatever the target's is.
                  if (target !== undefined)
                    return yield* write(
                      target.id,
                      undefined,
                      kind === "reply" ? (input.channel ?? state.channel) : input.channel
                    )
                  return refused._tag === "FollowUpRequired"
                    ? yield* openFollowUp(closed, input.by, input)
                    : yield* Effect.fail(refused)
                })
          )
        })
      )
    )

  const reply = message("reply")
  const note = message("note")
  return {
    // A requester gets the public view back (of the follow-up too), never a note (#12).
    reply: (raw: In.MessageInput): Op<Ticket.Ticket> =>
      Effect.map(reply(raw), (ticket) => Ticket.viewFor(raw.by as Actor.Actor, ticket)),
    note: (raw: In.MessageInput): Op<Ticket.Ticket> => note(raw)
  }
}
