/**
 * Messages on a ticket: a public reply or an internal note, landing on the ticket a merged one
 * was merged into, and a requester's reply on a closed ticket opening a follow-up linked to it.
 * Each message is one command through `UnitOfWork`; the follow-up is opened with
 * `TicketOperations`.
 */
import { Effect } from "effect"
import * as Relations from "../links/Relations.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import * as Actor from "../values/Actor.js"
import type { TicketId, TicketRef } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"
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
  _deps: Deps,
  streams: Streams.Streams,
  unitOfWork: UnitOfWork.UnitOfWork,
  tickets: TicketOperations.TicketOperations
) => {
  const { follow, load } = streams
  const { execute } = unitOfWork
  const { nextMessageId, openTicket } = tickets

  /**
   * A follow-up of a closed ticket: same requester, subject, type, group, tags and fields,
   * but neither its assignee nor its priority; linked both ways.
   */
  const openFollowUp = (closed: Ticket.Ticket, actor: Actor.Actor, input: typeof In.MessageInput.Type) =>
    Effect.gen(function* () {
      const followUp = yield* openTicket(
        actor,
        {
          subject: closed.subject,
          requester: closed.requester,
          channel: input.channel ?? closed.channel,
          tags: closed.tags,
          customFields: closed.customFields,
          body: bodyOf(input),
          followUpOf: closed.id,
          ...(closed.organization === undefined ? {} : { organization: closed.organization }),
          ...(closed.type === undefined ? {} : { type: closed.type }),
          ...(closed.group === undefined ? {} : { group: closed.group })
        },
        undefined
      )
      yield* execute(closed.id, Actor.system("follow-up"), undefined, () =>
        Effect.succeed(new C.AddLink({ ticketId: closed.id, link: { kind: "followed_up_by", ticketId: followUp.id } }))
      )
      return followUp
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

  const message = (kind: "reply" | "note") => (raw: In.MessageInput) =>
    Effect.gen(function* () {
      const input = yield* decode(In.MessageInput, kind)(raw)
      const messageId = yield* nextMessageId
      // A reply through a merged ticket's number came in on that ticket's channel (a chat, say).
      const { id, via } = yield* follow(input.ticket)
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
      const outcome = yield* Effect.result(write(id, via === undefined ? input.expectedVersion : undefined))
      if (outcome._tag === "Success") return outcome.success
      const refused = outcome.failure
      if (refused._tag !== "FollowUpRequired" && refused._tag !== "TicketClosed") return yield* Effect.fail(refused)
      const { state } = yield* load(refused.ticketId as TicketId)
      // A message to a merged ticket lands on the ticket it was merged into.
      const target = yield* mergeTarget(state)
      // It came in on the merged ticket's channel (a chat, say), whatever the target's is.
      if (target !== undefined)
        return yield* write(target.id, undefined, kind === "reply" ? (input.channel ?? state.channel) : input.channel)
      return refused._tag === "FollowUpRequired"
        ? yield* openFollowUp(state, input.by, input)
        : yield* Effect.fail(refused)
    })

  return {
    // A requester gets the public view back (of the follow-up too), never a note (#12).
    reply: (raw: In.MessageInput): Op<Ticket.Ticket> =>
      Effect.map(message("reply")(raw), (ticket) => Ticket.viewFor(raw.by as Actor.Actor, ticket)),
    note: (raw: In.MessageInput): Op<Ticket.Ticket> => message("note")(raw)
  }
}
