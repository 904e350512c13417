/**
 * The operations on one ticket that are a single command: open (with its requester found or
 * created in the directory), change status (solving a problem's incidents too), assign, set
 * priority, type or a field, escalate, tag, add or remove followers; and the reads of one ticket
 * or a page of tickets. Messages are `MessageOperations`', relations `RelationOperations`'.
 */
import { Effect, Option } from "effect"
import type { Contact } from "../directory/Directory.js"
import { Email, normalizeEmail } from "../directory/Directory.js"
import { type TicketPage, TicketQuery } from "../query/TicketQuery.js"
import { decide } from "../ticket/decide.js"
import * as Status from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { ContactId, MessageId, PublicId, TicketId, TicketRef as TicketRefSchema } from "../values/Ids.js"
import * as Link from "../values/Link.js"
import type * as Automations from "./Automations.js"
import * as Conversation from "./Conversation.js"
import { type Deps, decideContext } from "./Deps.js"
import type * as DirectoryChecks from "./DirectoryChecks.js"
import { isRefusal, type Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode } from "./Input.js"
import * as Retry from "./Retry.js"
import type * as Streams from "./Streams.js"
import * as Taxonomy from "./Taxonomy.js"
import type * as UnitOfWork from "./UnitOfWork.js"

/**
 * A message body as commands carry it, from an operation's input: a missing `text` is empty text
 * (an HTML-only message), and the command refuses a body with nothing in it (`EmptyMessage`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const bodyOf = (input: {
  readonly text?: string
  readonly html?: string
  readonly attachments?: C.AddReply["body"]["attachments"]
  readonly email?: C.AddReply["body"]["email"]
}): C.AddReply["body"] => ({
  text: input.text ?? "",
  attachments: input.attachments ?? [],
  ...(input.html === undefined ? {} : { html: input.html }),
  ...(input.email === undefined ? {} : { email: input.email })
})

/**
 * The single-command operations and reads of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  deps: Deps,
  checks: DirectoryChecks.DirectoryChecks,
  streams: Streams.Streams,
  automations: Automations.Automations,
  unitOfWork: UnitOfWork.UnitOfWork
) => {
  const { ws, workflow, store, directory, ids, solveIncidents, maxAttempts } = deps
  const { group, contact, checkActor, checkAssignee, checkFollower } = checks
  const { load, resolveRef, appendDecided } = streams
  const { runTriggers, makeLinks } = automations
  const { execute } = unitOfWork

  const nextMessageId = Effect.map(ids.next("message"), (id) => id as MessageId)

  /** Opens a ticket from a complete command template; numbers come from the sequence. */
  const openTicket = (
    actor: Actor.Actor,
    template: Omit<C.OpenTicket, "_tag" | "ticketId" | "workspaceId" | "publicId" | "messageId">,
    publicId: PublicId | undefined
  ): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const ticketId = (yield* ids.next("ticket")) as TicketId
      const messageId = yield* nextMessageId
      const once = Effect.gen(function* () {
        const number = publicId ?? (yield* store.nextPublicId(ws))
        const command = new C.OpenTicket({ ...template, ticketId, workspaceId: ws, publicId: number, messageId })
        const ctx = yield* decideContext(deps, actor)
        const { events, links } = yield* runTriggers(ticketId, undefined, yield* decide(undefined, command, ctx), ctx)
        return { ticket: yield* yield* appendDecided(undefined, 0, ticketId, events), links }
      })
      // A number from the sequence can only be taken by a hand-picked one: take the next. A
      // hand-picked number that is taken is the caller's to change.
      const { ticket, links } = yield* Retry.run(
        publicId === undefined ? Effect.catchTag(once, "PublicIdTaken", Retry.again) : once,
        maxAttempts
      )
      if (links.length === 0) return ticket
      yield* makeLinks(ticketId, links)
      return (yield* load(ticketId)).state
    })

  const requesterOf = (input: In.RequesterInput): Op<Contact> =>
    Effect.gen(function* () {
      if ("id" in input) return yield* contact(input.id)
      const email = yield* decode(Email, "requester email")(input.email)
      const existing = yield* directory.findContactByEmail(ws, input.email)
      if (Option.isSome(existing)) return existing.value
      const created: Contact = {
        id: (yield* ids.next("contact")) as ContactId,
        workspaceId: ws,
        name: input.name ?? normalizeEmail(input.email).split("@")[0] ?? "",
        emails: [normalizeEmail(email) as Email],
        phones: [],
        externalIds: {}
      }
      // #12: another process or fiber created this requester since we looked; theirs is the one.
      return yield* directory.saveContact(created).pipe(
        Effect.as(created),
        Effect.catchTag("EmailTaken", (taken) =>
          Effect.flatMap(directory.findContactByEmail(ws, input.email), (found) =>
            Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(taken)
          )
        )
      )
    })

  const open = (raw: In.OpenInput): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const input = yield* decode(In.OpenInput, "open")(raw)
      yield* Taxonomy.check(deps.tagPolicy, input.tags ?? [])
      const requester = yield* requesterOf(input.requester)
      const actor = input.by ?? Actor.contact(requester.id)
      yield* checkActor(actor)
      if (input.group !== undefined) yield* group(input.group)
      if (input.assignee !== undefined) yield* checkAssignee(input.assignee, input.group)
      const opened = yield* openTicket(
        actor,
        {
          subject: input.subject,
          requester: requester.id,
          channel: input.channel,
          tags: input.tags ?? [],
          customFields: input.customFields ?? {},
          body: bodyOf(input),
          ...(requester.organization === undefined ? {} : { organization: requester.organization }),
          ...(input.priority === undefined ? {} : { priority: input.priority }),
          ...(input.type === undefined ? {} : { type: input.type }),
          ...(input.status === undefined ? {} : { status: input.status }),
          ...(input.group === undefined ? {} : { group: input.group }),
          ...(input.assignee === undefined ? {} : { assignee: input.assignee })
        },
        input.publicId
      )
      // A requester gets the public view back, never a note a rule added (#12).
      return Ticket.viewFor(actor, opened)
    })

  /** A simple operation: decode, optionally check references, build the command. */
  const simple = <
    S extends
      | typeof In.StatusInput
      | typeof In.PriorityInput
      | typeof In.TypeInput
      | typeof In.ComplexityInput
      | typeof In.EscalateInput
      | typeof In.CustomFieldInput
      | typeof In.TagsInput
      | typeof In.FollowerInput
      | typeof In.AssignInput
  >(
    schema: S,
    name: string,
    build: (input: S["Type"], ticket: Ticket.Ticket) => Op<C.TicketCommand>
  ) => {
    const decodeInput = decode(schema, name)
    return (raw: S["Encoded"]): Op<Ticket.Ticket> =>
      Effect.flatMap(decodeInput(raw), (input) =>
        Effect.map(
          execute(input.ticket, input.by, input.expectedVersion, (ticket) => build(input, ticket)),
          (ticket) => Ticket.viewFor(input.by, ticket)
        )
      )
  }

  /**
   * Solving a problem solves its incidents, each by its own command (when `solveIncidents`);
   * one that cannot move to solved (closed, or a workflow that forbids it) stays as it is.
   */
  const solveIncidentsOf = (problem: Ticket.Ticket): Op<void> =>
    Effect.gen(function* () {
      if (!solveIncidents || problem.category !== "solved") return
      const solved = Status.defaultFor(workflow, "solved")
      for (const incident of Link.targets(problem.links, "incident")) {
        const outcome = yield* Effect.result(
          execute(incident, Actor.system("problem-solved"), undefined, (ticket) =>
            Effect.succeed(
              ticket.category === "solved"
                ? new C.ChangeStatus({ ticketId: ticket.id, to: ticket.status })
                : new C.ChangeStatus({ ticketId: ticket.id, to: solved })
            )
          )
        )
        if (outcome._tag === "Failure" && !isRefusal(outcome.failure)) return yield* Effect.fail(outcome.failure)
      }
    })

  /** The caller's query, validated (built once: `list` is the read agents' queues make most). */
  const decodeQuery = decode(TicketQuery, "query")

  const get = (raw: typeof TicketRefSchema.Encoded): Op<Ticket.Ticket> =>
    Effect.flatMap(resolveRef(raw), ({ id, ref }) => Effect.map(load(id, ref), ({ state }) => state))

  const changeStatus = simple(In.StatusInput, "changeStatus", (input, ticket) =>
    Effect.succeed(new C.ChangeStatus({ ticketId: ticket.id, to: input.status }))
  )

  return {
    nextMessageId,
    open,
    changeStatus: (raw: In.StatusInput): Op<Ticket.Ticket> => Effect.tap(changeStatus(raw), solveIncidentsOf),
    assign: simple(In.AssignInput, "assign", (input, ticket) =>
      Effect.gen(function* () {
        const nextGroup = input.group === undefined ? ticket.group : (input.group ?? undefined)
        if (input.group != null) yield* group(input.group)
        if (input.assignee != null) yield* checkAssignee(input.assignee, nextGroup)
        // Moving to a group the current assignee is not in needs a new (or no) assignee.
        if (input.assignee === undefined && ticket.assignee !== undefined && nextGroup !== ticket.group) {
          yield* checkAssignee(ticket.assignee, nextGroup)
        }
        return new C.Assign({
          ticketId: ticket.id,
          ...(input.assignee === undefined ? {} : { assignee: input.assignee }),
          ...(input.group === undefined ? {} : { group: input.group })
        })
      })
    ),
    setPriority: simple(In.PriorityInput, "setPriority", (input, ticket) =>
      Effect.succeed(new C.SetPriority({ ticketId: ticket.id, priority: input.priority }))
    ),
    setType: simple(In.TypeInput, "setType", (input, ticket) =>
      Effect.succeed(new C.SetType({ ticketId: ticket.id, type: input.type }))
    ),
    setComplexity: simple(In.ComplexityInput, "setComplexity", (input, ticket) =>
      Effect.succeed(new C.SetComplexity({ ticketId: ticket.id, complexity: input.complexity }))
    ),
    escalate: simple(In.EscalateInput, "escalate", (input, ticket) =>
      Effect.succeed(
        new C.Escalate({
          ticketId: ticket.id,
          reason: input.reason,
          ...(input.to === undefined ? {} : { to: input.to })
        })
      )
    ),
    setCustomField: simple(In.CustomFieldInput, "setCustomField", (input, ticket) =>
      Effect.succeed(new C.SetCustomField({ ticketId: ticket.id, key: input.key, value: input.value }))
    ),
    tag: simple(In.TagsInput, "tag", (input, ticket) =>
      Effect.as(
        Taxonomy.check(deps.tagPolicy, input.add ?? [], ticket),
        new C.ChangeTags({ ticketId: ticket.id, add: input.add ?? [], remove: input.remove ?? [] })
      )
    ),
    addFollower: simple(In.FollowerInput, "addFollower", (input, ticket) =>
      Effect.as(checkFollower(input.follower), new C.AddFollower({ ticketId: ticket.id, follower: input.follower }))
    ),
    removeFollower: simple(In.FollowerInput, "removeFollower", (input, ticket) =>
      Effect.succeed(new C.RemoveFollower({ ticketId: ticket.id, follower: input.follower }))
    ),
    get,
    findByEmailId: (messageId: string): Op<Option.Option<Ticket.Ticket>> =>
      Effect.flatMap(store.findByEmailId(ws, messageId), (found) =>
        Option.isNone(found) ? Effect.succeedNone : Effect.map(get(found.value), Option.some)
      ),
    messages: (
      raw: typeof TicketRefSchema.Encoded,
      page?: typeof Conversation.PageRequest.Encoded
    ): Op<Conversation.Page> => Conversation.read(get(raw), page),
    history: (raw: typeof TicketRefSchema.Encoded): Op<ReadonlyArray<TicketEvent>> =>
      Effect.flatMap(resolveRef(raw), ({ id, ref }) =>
        Effect.flatMap(load(id, ref), () => Effect.map(store.read(id), ({ events }) => events))
      ),
    list: (raw: typeof TicketQuery.Encoded = {}): Op<TicketPage> =>
      Effect.flatMap(decodeQuery(raw), (query) => store.query(ws, query))
  }
}

/**
 * The single-command operations and reads of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type TicketOperations = ReturnType<typeof make>
