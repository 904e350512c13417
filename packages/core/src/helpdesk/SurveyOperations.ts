/**
 * Satisfaction surveys answered: `rate` takes a survey link's token, has the help desk's
 * verifier (`Options.surveys`) check its signature and expiry, checks its claims against this
 * workspace and the ticket (the recipient must be its requester or a contact following it), and
 * records the rating as that contact. Signing links is the application's (see `@tessera/notify`).
 */
import { Clock, Effect, Option } from "effect"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import * as Actor from "../values/Actor.js"
import type { ContactId } from "../values/Ids.js"
import * as Satisfaction from "../values/Satisfaction.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"
import type * as Streams from "./Streams.js"
import type * as UnitOfWork from "./UnitOfWork.js"

const refused = (reason: Satisfaction.SurveyRefused["reason"]) => new Satisfaction.SurveyRefused({ reason })

/**
 * The survey operations of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, streams: Streams.Streams, unitOfWork: UnitOfWork.UnitOfWork) => {
  const { ws, directory, surveys } = deps

  /** The contact a recipient names: a contact id, or an address of a known contact. */
  const contactOf = (recipient: string): Op<ContactId> =>
    recipient.includes("@")
      ? Effect.flatMap(directory.findContactByEmail(ws, recipient), (found) =>
          Option.isSome(found) ? Effect.succeed(found.value.id) : Effect.fail(refused("mismatch"))
        )
      : Effect.succeed(recipient as ContactId)

  const rate = (raw: In.RateInput): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const input = yield* decode(In.RateInput, "rate")(raw)
      const claims = yield* surveys(input.token)
      // The verifier checked the expiry; a verifier that forgot does not make an old link work.
      if ((yield* Clock.currentTimeMillis) >= claims.expiresAt) return yield* refused("expired")
      if (claims.workspaceId !== ws) return yield* refused("mismatch")
      const contact = yield* contactOf(claims.recipient)
      const actor = Actor.contact(contact)
      // A link for a ticket that is not there (any more) says nothing about which tickets are.
      const { id } = yield* Effect.catchTag(streams.resolveRef(claims.ticketId), "TicketNotFound", () =>
        Effect.fail(refused("mismatch"))
      )
      const rated = yield* unitOfWork
        .execute(id, actor, undefined, (ticket) => {
          const onTicket =
            ticket.requester === contact || ticket.followers.some((f) => f._tag === "contact" && f.id === contact)
          return onTicket && ticket.id === claims.ticketId
            ? Effect.succeed(
                new C.RateSatisfaction({
                  ticketId: ticket.id,
                  survey: Satisfaction.surveyOf(claims),
                  rating: input.rating,
                  ...(input.comment === undefined ? {} : { comment: input.comment })
                })
              )
            : Effect.fail(refused("mismatch"))
        })
        .pipe(
          Effect.catchTags({
            NotInDirectory: () => Effect.fail(refused("mismatch")),
            TicketNotFound: () => Effect.fail(refused("mismatch"))
          })
        )
      return Ticket.viewFor(actor, rated)
    })

  return { rate }
}

/**
 * The survey operations of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type SurveyOperations = ReturnType<typeof make>
