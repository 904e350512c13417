/**
 * `decide`: the rules of a ticket's lifecycle. Given the current state, a command and a context
 * (`now`, the actor, the workspace's workflow and custom fields) it returns the events to append
 * or a typed refusal. It is pure: it reads no clock, store or directory; the `Helpdesk` checks
 * references against the directory before calling it. A command that would take the ticket past
 * one of its limits (`Limits.tagsPerTicket`, `Limits.messagesPerTicket`) is `LimitExceeded`.
 */
import { DateTime, Duration, Effect } from "effect"
import type { Actor } from "../values/Actor.js"
import * as ActorModule from "../values/Actor.js"
import type { Channel } from "../values/Channel.js"
import type { FieldDefinition } from "../values/CustomField.js"
import * as CustomField from "../values/CustomField.js"
import type { MessageId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import * as Mention from "../values/Mention.js"
import { type Body, type Message, sanitizeBody, type Visibility } from "../values/Message.js"
import * as Tag from "../values/Tag.js"
import type { SupportLevel } from "../values/TicketType.js"
import { type DecideContext, type Decision, envelope, event, none, plainContext } from "./DecideContext.js"
import { announceProblemSolved, rate, recordNotifications, recordSla } from "./decideRecords.js"
import * as Status from "./Status.js"
import type { Ticket } from "./Ticket.js"
import type * as C from "./TicketCommand.js"
import {
  EmptyMessage,
  FollowUpRequired,
  InvalidCustomFieldValue,
  InvalidEscalation,
  NotDue,
  NotPermitted,
  naming,
  TicketAlreadyExists,
  TicketClosed,
  TicketNotFound,
  TransitionNotAllowed,
  UnknownCustomField,
  UnknownStatus
} from "./TicketError.js"
import * as E from "./TicketEvent.js"

export type { DecideContext } from "./DecideContext.js"

const isStaff = (actor: Actor) => actor._tag !== "contact"

const staffOnly = (ticket: Ticket, ctx: DecideContext, action: string, then: () => Decision): Decision =>
  isStaff(ctx.actor)
    ? then()
    : Effect.fail(new NotPermitted({ ...naming(ticket), actor: ActorModule.label(ctx.actor), action }))

/** Refuses a command whose result would hold more tags or messages than a ticket may. */
const withinLimits = (
  command: C.TicketCommand,
  before: { readonly tags: number; readonly messages: number },
  after: { readonly tags: number; readonly messages: number },
  then: () => Decision
): Decision => {
  const exceeded = Limits.checkTicket(before, after, command._tag)
  return exceeded === undefined ? then() : Effect.fail(exceeded)
}

/** One more message on the ticket: refused at `Limits.messagesPerTicket`. */
const oneMoreMessage = (ticket: Ticket, command: C.TicketCommand, then: () => Decision): Decision => {
  const before = Limits.sizeOf(ticket)
  return withinLimits(command, before, { ...before, messages: before.messages + 1 }, then)
}

const isEmpty = (body: Body) =>
  body.text.trim() === "" && (body.html ?? "").trim() === "" && body.attachments.length === 0

const message = (id: MessageId, visibility: Visibility, channel: Channel, body: Body, ctx: DecideContext): Message => ({
  id,
  visibility,
  author: ctx.actor,
  channel,
  at: ctx.now,
  ...body
})

const statusChange = (ticket: Ticket, to: Status.StatusDefinition, ctx: DecideContext) =>
  event(
    E.StatusChanged,
    "StatusChanged",
    {
      ...envelope(ticket.id, ctx),
      from: ticket.status,
      to: to.id,
      fromCategory: ticket.category,
      toCategory: to.category
    },
    plainContext(ctx)
  )

const moveToCategory = (ticket: Ticket, category: Status.StatusCategory, ctx: DecideContext) => {
  const id = Status.defaultFor(ctx.workflow, category)
  return statusChange(ticket, { id, category, label: id }, ctx)
}

const checkField = (
  defs: ReadonlyArray<FieldDefinition>,
  key: string,
  value: CustomField.FieldValue
): UnknownCustomField | InvalidCustomFieldValue | undefined => {
  const def = defs.find((d) => d.key === key)
  if (def === undefined) return new UnknownCustomField({ key })
  const problem = CustomField.check(def, value)
  return problem._tag === "Some" ? new InvalidCustomFieldValue({ key, reason: problem.value }) : undefined
}

/**
 * Whether a message from this actor must go to a follow-up ticket instead of this one: the
 * requester (or a contact on the ticket) writes on a closed ticket, or on a solved one whose
 * group reopens only within N days and N days have passed.
 *
 * @category predicates
 * @since 0.1.0
 */
export const requiresFollowUp = (ticket: Ticket, actor: Actor, ctx: Omit<DecideContext, "actor">): boolean => {
  if (actor._tag !== "contact") return false
  if (ticket.category === "closed") return true
  if (ticket.category !== "solved" || ticket.solvedAt === undefined) return false
  const policy = Status.reopenPolicyFor(ctx.workflow, ticket.group)
  if (policy._tag === "AlwaysReopen") return false
  return Duration.toMillis(DateTime.distance(ticket.solvedAt, ctx.now)) > Duration.toMillis(Duration.days(policy.days))
}

/**
 * When a solved ticket becomes due for its time-driven close.
 *
 * @category combinators
 * @since 0.1.0
 */
export const closeDueAt = (ticket: Ticket, workflow: Status.Workflow): DateTime.Utc | undefined =>
  ticket.category === "solved" && ticket.solvedAt !== undefined
    ? DateTime.addDuration(ticket.solvedAt, Status.closeSolvedAfter(workflow))
    : undefined

const open = (state: Ticket | undefined, cmd: C.OpenTicket, ctx: DecideContext): Decision => {
  if (state !== undefined) return Effect.fail(new TicketAlreadyExists({ ticketId: cmd.ticketId }))
  const actorLabel = ActorModule.label(ctx.actor)
  if (ctx.actor._tag === "contact") {
    // A follow-up may come from a contact copied on the closed ticket (checked by `reply`).
    if (ctx.actor.id !== cmd.requester && cmd.followUpOf === undefined) {
      return Effect.fail(new NotPermitted({ actor: actorLabel, action: "open a ticket for someone else" }))
    }
    // A follow-up inherits its group from the closed ticket: the contact did not choose it.
    const chosenGroup = cmd.group !== undefined && cmd.followUpOf === undefined
    if (cmd.assignee !== undefined || chosenGroup || cmd.status !== undefined) {
      return Effect.fail(new NotPermitted({ actor: actorLabel, action: "set status, group or assignee" }))
    }
  }
  // Every message enters through a command decided here (API, Promise facade, rules, email
  // intake), so this is where its HTML is sanitised (#16): events hold only sanitised HTML, and
  // a body whose HTML was nothing but script is empty.
  const body = sanitizeBody(cmd.body)
  if (isEmpty(body)) return Effect.fail(new EmptyMessage({}))
  const statusId = cmd.status ?? Status.defaultFor(ctx.workflow, cmd.assignee === undefined ? "new" : "open")
  const status = Status.find(ctx.workflow, statusId)
  if (status === undefined) return Effect.fail(new UnknownStatus({ status: statusId }))
  if (status.category === "closed") {
    return Effect.fail(new TransitionNotAllowed({ from: "(none)", to: statusId }))
  }
  for (const [key, value] of Object.entries(cmd.customFields)) {
    const problem = checkField(ctx.customFields, key, value)
    if (problem !== undefined) return Effect.fail(problem)
  }
  const tags = Tag.normalizeAll(cmd.tags)
  const tooMany = Limits.check("tagsPerTicket", tags.length, cmd._tag)
  if (tooMany !== undefined) return Effect.fail(tooMany)
  const opened = new E.TicketOpened({
    ...envelope(cmd.ticketId, ctx),
    workspaceId: cmd.workspaceId,
    publicId: cmd.publicId,
    subject: cmd.subject,
    requester: cmd.requester,
    channel: cmd.channel,
    priority: cmd.priority ?? "normal",
    status: status.id,
    category: status.category,
    tags,
    customFields: cmd.customFields,
    message: message(cmd.messageId, "public", cmd.channel, body, ctx),
    ...(cmd.organization === undefined ? {} : { organization: cmd.organization }),
    ...(cmd.type === undefined ? {} : { type: cmd.type }),
    ...(cmd.group === undefined ? {} : { group: cmd.group }),
    ...(cmd.assignee === undefined ? {} : { assignee: cmd.assignee }),
    ...(cmd.followUpOf === undefined ? {} : { followUpOf: cmd.followUpOf })
  })
  return Effect.succeed([opened])
}

const reply = (ticket: Ticket, cmd: C.AddReply, ctx: DecideContext): Decision => {
  const body = sanitizeBody(cmd.body)
  if (isEmpty(body)) return Effect.fail(new EmptyMessage(naming(ticket)))
  const added = event(
    E.ReplyAdded,
    "ReplyAdded",
    { ...envelope(ticket.id, ctx), message: message(cmd.messageId, "public", cmd.channel, body, ctx) },
    plainContext(ctx) && body.html === undefined
  )
  const actor = ctx.actor
  if (actor._tag === "contact") {
    const onTicket =
      actor.id === ticket.requester || ticket.followers.some((f) => f._tag === "contact" && f.id === actor.id)
    if (!onTicket) {
      return Effect.fail(new NotPermitted({ ...naming(ticket), actor: ActorModule.label(actor), action: "reply" }))
    }
    if (requiresFollowUp(ticket, actor, ctx)) return Effect.fail(new FollowUpRequired(naming(ticket)))
    // A requester's answer puts the ticket back in the agents' queue.
    return oneMoreMessage(ticket, cmd, () =>
      ticket.category === "pending" || ticket.category === "solved"
        ? Effect.succeed([added, moveToCategory(ticket, "open", ctx)])
        : Effect.succeed([added])
    )
  }
  // The first public answer from an agent takes a new ticket into work.
  return oneMoreMessage(ticket, cmd, () =>
    actor._tag === "agent" && ticket.category === "new"
      ? Effect.succeed([added, moveToCategory(ticket, "open", ctx)])
      : Effect.succeed([added])
  )
}

const note = (ticket: Ticket, cmd: C.AddNote, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "add an internal note", () => {
    const body = sanitizeBody(cmd.body)
    // Only a note an agent or a rule wrote mentions anyone: one the system writes may carry a
    // stranger's mail (intake's note for a sender not on the ticket), whose `@` calls nobody.
    const mentions = ctx.actor._tag === "agent" || ctx.rule !== undefined ? Mention.parse(body.text) : []
    return isEmpty(body)
      ? Effect.fail(new EmptyMessage(naming(ticket)))
      : oneMoreMessage(ticket, cmd, () =>
          Effect.succeed([
            event(
              E.NoteAdded,
              "NoteAdded",
              {
                ...envelope(ticket.id, ctx),
                message: message(cmd.messageId, "internal", cmd.channel, body, ctx),
                ...(mentions.length === 0 ? {} : { mentions })
              },
              plainContext(ctx) && body.html === undefined
            )
          ])
        )
  })

const changeStatus = (ticket: Ticket, cmd: C.ChangeStatus, ctx: DecideContext): Decision => {
  const target = Status.find(ctx.workflow, cmd.to)
  if (target === undefined) return Effect.fail(new UnknownStatus({ status: cmd.to }))
  if (cmd.to === ticket.status) return none
  if (ctx.actor._tag === "contact" && target.category !== "solved") {
    return Effect.fail(
      new NotPermitted({ ...naming(ticket), actor: ActorModule.label(ctx.actor), action: `set status ${cmd.to}` })
    )
  }
  return Status.canMove(ctx.workflow, ticket.status, cmd.to)
    ? Effect.succeed([statusChange(ticket, target, ctx)])
    : Effect.fail(new TransitionNotAllowed({ ...naming(ticket), from: ticket.status, to: cmd.to }))
}

const assign = (ticket: Ticket, cmd: C.Assign, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "assign", () => {
    const events: Array<E.TicketEvent> = []
    if (cmd.group !== undefined && (cmd.group ?? undefined) !== ticket.group) {
      events.push(
        new E.GroupChanged({
          ...envelope(ticket.id, ctx),
          ...(ticket.group === undefined ? {} : { from: ticket.group }),
          ...(cmd.group === null ? {} : { to: cmd.group })
        })
      )
    }
    if (cmd.assignee !== undefined && (cmd.assignee ?? undefined) !== ticket.assignee) {
      events.push(
        new E.AssigneeChanged({
          ...envelope(ticket.id, ctx),
          ...(ticket.assignee === undefined ? {} : { from: ticket.assignee }),
          ...(cmd.assignee === null ? {} : { to: cmd.assignee })
        })
      )
      // Assigning a new ticket is taking it into work.
      if (cmd.assignee !== null && ticket.category === "new") events.push(moveToCategory(ticket, "open", ctx))
    }
    return Effect.succeed(events)
  })

const setPriority = (ticket: Ticket, cmd: C.SetPriority, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "set the priority", () =>
    cmd.priority === ticket.priority
      ? none
      : Effect.succeed([
          event(
            E.PriorityChanged,
            "PriorityChanged",
            { ...envelope(ticket.id, ctx), from: ticket.priority, to: cmd.priority },
            plainContext(ctx)
          )
        ])
  )

const setType = (ticket: Ticket, cmd: C.SetType, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "set the type", () =>
    cmd.type === ticket.type
      ? none
      : Effect.succeed([
          new E.TypeChanged({
            ...envelope(ticket.id, ctx),
            ...(ticket.type === undefined ? {} : { from: ticket.type }),
            to: cmd.type
          })
        ])
  )

const setComplexity = (ticket: Ticket, cmd: C.SetComplexity, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "set the complexity", () =>
    cmd.complexity === ticket.complexity
      ? none
      : Effect.succeed([
          new E.ComplexityChanged({
            ...envelope(ticket.id, ctx),
            ...(ticket.complexity === undefined ? {} : { from: ticket.complexity }),
            to: cmd.complexity
          })
        ])
  )

const escalate = (ticket: Ticket, cmd: C.Escalate, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "escalate", () => {
    const to = cmd.to ?? ticket.supportLevel + 1
    return to <= ticket.supportLevel || to > 3
      ? Effect.fail(new InvalidEscalation({ ...naming(ticket), from: ticket.supportLevel, to }))
      : Effect.succeed([
          new E.Escalated({
            ...envelope(ticket.id, ctx),
            from: ticket.supportLevel,
            to: to as SupportLevel,
            reason: cmd.reason
          })
        ])
  })

const setCustomField = (ticket: Ticket, cmd: C.SetCustomField, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "set a custom field", () => {
    if (!ctx.customFields.some((d) => d.key === cmd.key)) return Effect.fail(new UnknownCustomField({ key: cmd.key }))
    // Own keys only: a field named `constructor` must not read Object.prototype.
    const current = Object.hasOwn(ticket.customFields, cmd.key) ? ticket.customFields[cmd.key] : undefined
    if (cmd.value === null) {
      return current === undefined
        ? none
        : Effect.succeed([new E.CustomFieldChanged({ ...envelope(ticket.id, ctx), key: cmd.key, from: current })])
    }
    const problem = checkField(ctx.customFields, cmd.key, cmd.value)
    if (problem !== undefined) return Effect.fail(problem)
    if (current === cmd.value) return none
    return Effect.succeed([
      new E.CustomFieldChanged({
        ...envelope(ticket.id, ctx),
        key: cmd.key,
        ...(current === undefined ? {} : { from: current }),
        to: cmd.value
      })
    ])
  })

const changeTags = (ticket: Ticket, cmd: C.ChangeTags, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "change tags", () => {
    const add = Tag.normalizeAll(cmd.add)
    const added = add.filter((t) => !ticket.tags.includes(t))
    const removed = Tag.normalizeAll(cmd.remove).filter((t) => ticket.tags.includes(t) && !add.includes(t))
    if (added.length === 0 && removed.length === 0) return none
    const before = Limits.sizeOf(ticket)
    return withinLimits(cmd, before, { ...before, tags: before.tags + added.length - removed.length }, () =>
      Effect.succeed([
        event(E.TagsChanged, "TagsChanged", { ...envelope(ticket.id, ctx), added, removed }, plainContext(ctx))
      ])
    )
  })

const isSelf = (actor: Actor, follower: E.Follower) => actor._tag === follower._tag && actor.id === follower.id

const follow = (ticket: Ticket, cmd: C.AddFollower | C.RemoveFollower, ctx: DecideContext): Decision => {
  if (!isStaff(ctx.actor) && !isSelf(ctx.actor, cmd.follower)) {
    return Effect.fail(
      new NotPermitted({ ...naming(ticket), actor: ActorModule.label(ctx.actor), action: "change followers" })
    )
  }
  const present = ticket.followers.some((f) => f._tag === cmd.follower._tag && f.id === cmd.follower.id)
  if (cmd._tag === "AddFollower") {
    return present
      ? none
      : Effect.succeed([new E.FollowerAdded({ ...envelope(ticket.id, ctx), follower: cmd.follower })])
  }
  return present
    ? Effect.succeed([new E.FollowerRemoved({ ...envelope(ticket.id, ctx), follower: cmd.follower })])
    : none
}

const addLink = (ticket: Ticket, cmd: C.AddLink, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "link tickets", () =>
    cmd.link.ticketId === ticket.id ||
    ticket.links.some((l) => l.kind === cmd.link.kind && l.ticketId === cmd.link.ticketId)
      ? none
      : Effect.succeed([new E.LinkAdded({ ...envelope(ticket.id, ctx), link: cmd.link })])
  )

const notify = (ticket: Ticket, cmd: C.Notify, ctx: DecideContext): Decision =>
  staffOnly(ticket, ctx, "send notifications", () =>
    Effect.succeed([new E.NotificationRequested({ ...envelope(ticket.id, ctx), template: cmd.template, to: cmd.to })])
  )

const closeSolved = (ticket: Ticket, ctx: DecideContext): Decision => {
  // Reopened (or already closed) since the timer was set: nothing to do.
  const due = closeDueAt(ticket, ctx.workflow)
  if (due === undefined) return none
  if (DateTime.isLessThan(ctx.now, due)) return Effect.fail(new NotDue({ ...naming(ticket), dueAt: due }))
  return Effect.succeed([moveToCategory(ticket, "closed", ctx)])
}

/**
 * Decides a command against a ticket's state: the events to append, or why not.
 *
 * @category combinators
 * @since 0.1.0
 */
export const decide = (state: Ticket | undefined, command: C.TicketCommand, ctx: DecideContext): Decision => {
  if (command._tag === "OpenTicket") return open(state, command, ctx)
  if (state === undefined) return Effect.fail(new TicketNotFound({ ticketId: command.ticketId }))
  // A notification sent before the ticket closed (a survey, say) is recorded when it is delivered.
  if (command._tag === "RecordNotifications") return recordNotifications(state, command, ctx)
  // A survey answered after the close, and the news of a problem solved, still reach a closed ticket.
  if (command._tag === "RateSatisfaction") return rate(state, command, ctx)
  if (command._tag === "AnnounceProblemSolved") return announceProblemSolved(state, command, ctx)
  if (state.category === "closed" && command._tag !== "AddLink") {
    return command._tag === "AddReply" && ctx.actor._tag === "contact"
      ? reply(state, command, ctx) // refused with FollowUpRequired, or NotPermitted for a stranger
      : command._tag === "CloseSolved" || command._tag === "RecordSla"
        ? none
        : Effect.fail(new TicketClosed(naming(state)))
  }
  switch (command._tag) {
    case "AddReply":
      return reply(state, command, ctx)
    case "AddNote":
      return note(state, command, ctx)
    case "ChangeStatus":
      return changeStatus(state, command, ctx)
    case "Assign":
      return assign(state, command, ctx)
    case "SetPriority":
      return setPriority(state, command, ctx)
    case "SetType":
      return setType(state, command, ctx)
    case "SetComplexity":
      return setComplexity(state, command, ctx)
    case "Escalate":
      return escalate(state, command, ctx)
    case "SetCustomField":
      return setCustomField(state, command, ctx)
    case "ChangeTags":
      return changeTags(state, command, ctx)
    case "AddFollower":
    case "RemoveFollower":
      return follow(state, command, ctx)
    case "AddLink":
      return addLink(state, command, ctx)
    case "Notify":
      return notify(state, command, ctx)
    case "CloseSolved":
      return closeSolved(state, ctx)
    case "RecordSla":
      return recordSla(state, command, ctx)
  }
}
