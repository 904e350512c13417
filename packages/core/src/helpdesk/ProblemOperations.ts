/**
 * Problems and the customers they hit: `openProblem` opens a problem ticket for some incidents (a
 * recurring problem's tickets, found by `Recurring.detect`) and links each to it in one call;
 * once a problem is solved, `announceSolved` tells every incident's requester once, through the
 * outbox in their language, and records it on the incident (`ProblemSolvedAnnounced`), so solving
 * it again tells nobody twice. Solving the incidents themselves is `TicketOperations`'.
 */
import { Effect, Option } from "effect"
import type * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import * as Actor from "../values/Actor.js"
import type { TicketId } from "../values/Ids.js"
import * as Link from "../values/Link.js"
import type { Deps } from "./Deps.js"
import { isRefusal, type Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"
import type * as RelationOperations from "./RelationOperations.js"
import type * as Streams from "./Streams.js"
import type * as TicketOperations from "./TicketOperations.js"
import type * as UnitOfWork from "./UnitOfWork.js"

/**
 * The problem operations of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  deps: Deps,
  streams: Streams.Streams,
  unitOfWork: UnitOfWork.UnitOfWork,
  tickets: TicketOperations.TicketOperations,
  relations: ReturnType<typeof RelationOperations.make>
) => {
  const { ws, directory, defaultLanguage } = deps

  const openProblem = (raw: In.ProblemInput): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const input = yield* decode(In.ProblemInput, "openProblem")(raw)
      // Every incident is found before anything is written: a wrong number opens nothing.
      const incidents: Array<TicketId> = []
      let firstRequester: string | undefined
      for (const ref of input.incidents) {
        const { id } = yield* streams.resolveRef(ref)
        if (incidents.includes(id)) continue
        incidents.push(id)
        if (firstRequester === undefined) firstRequester = (yield* tickets.get(id)).requester
      }
      const opened = yield* tickets.open({
        by: input.by,
        requester: input.requester ?? { id: firstRequester as string },
        subject: input.subject,
        channel: input.channel ?? "web",
        type: "problem",
        ...(input.text === undefined ? {} : { text: input.text }),
        ...(input.html === undefined ? {} : { html: input.html }),
        ...(input.attachments === undefined ? {} : { attachments: input.attachments }),
        ...(input.priority === undefined ? {} : { priority: input.priority }),
        ...(input.group === undefined ? {} : { group: input.group }),
        ...(input.assignee === undefined ? {} : { assignee: input.assignee }),
        ...(input.tags === undefined ? {} : { tags: input.tags })
      })
      let problem = opened
      for (const incident of incidents) {
        problem = yield* relations.link({ ticket: opened.id, to: incident, kind: "incident", by: input.by })
      }
      return problem
    })

  /**
   * Tells each incident's requester that the problem is solved, once per incident and problem.
   * An incident that refuses (a stranger's workflow, say) is skipped, as `solveIncidents` does.
   */
  const announceSolved = (problem: Ticket.Ticket): Op<void> =>
    Effect.gen(function* () {
      if (problem.category !== "solved" && problem.category !== "closed") return
      for (const incident of Link.targets(problem.links, "incident")) {
        const outcome = yield* Effect.result(
          unitOfWork.execute(incident, Actor.system("problem-solved"), undefined, (ticket) =>
            Effect.map(directory.getContact(ws, ticket.requester), (contact) => {
              const language = Option.isSome(contact) ? contact.value.language : undefined
              return new C.AnnounceProblemSolved({
                ticketId: ticket.id,
                problem: problem.id,
                problemPublicId: problem.publicId,
                language: language ?? defaultLanguage
              })
            })
          )
        )
        if (outcome._tag === "Failure" && !isRefusal(outcome.failure)) return yield* Effect.fail(outcome.failure)
      }
    })

  return { openProblem, announceSolved }
}

/**
 * The problem operations of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type ProblemOperations = ReturnType<typeof make>
