/**
 * Decisions that change several tickets at once: linking and unlinking, merging and undoing a
 * merge, splitting. Like `decide` they are pure: given the tickets involved (as the `Helpdesk`
 * read them), a context and the request, they return the events to append to each ticket, or a
 * typed refusal. The `Helpdesk` appends all of them in one `appendAll`, with the version of every
 * ticket read, so both sides of a link always agree and no check is made on stale state.
 *
 * Every change is worked out on a working copy of the tickets (each event folded in as it is
 * decided), so a later check sees what an earlier step of the same request did. A merge that would
 * leave the target past a per-ticket limit, or a split of more than `Limits.messagesPerSplit`
 * messages, is `LimitExceeded`.
 */
import { Effect } from "effect"
import type { DecideContext } from "../ticket/decide.js"
import * as Status from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import { NotPermitted, naming, TicketClosed, TicketNotFound } from "../ticket/TicketError.js"
import * as E from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { MessageId, PublicId, TicketId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import * as Link from "../values/Link.js"
import type { Message } from "../values/Message.js"
import * as Priority from "../values/Priority.js"
import { InvalidLink, type LinkError, MergeRefused, SplitRefused, UndoMergeRefused } from "./LinkError.js"

/**
 * The events one ticket gets from a decision.
 *
 * @category models
 * @since 0.1.0
 */
export interface Change {
  readonly ticketId: TicketId
  readonly events: ReadonlyArray<E.TicketEvent>
}

/**
 * The tickets a decision may read, by id: those it names, and everything reachable from them
 * upward through `parent` and `duplicate_of` links (for cycle checks); a merge also needs every
 * ticket linked to a source. `Relations.reach` says what to read.
 *
 * @category models
 * @since 0.1.0
 */
export type Graph = ReadonlyMap<TicketId, Ticket.Ticket>

/**
 * How far a walk up `parent` or `duplicate_of` links goes before it is refused (`too_deep`).
 *
 * @category models
 * @since 0.1.0
 */
export const maxDepth = 100

/**
 * The tickets a decision on `ticket` needs besides itself: those its upward links name (walk
 * them until nothing new turns up), and for a merge source every linked ticket.
 *
 * @category combinators
 * @since 0.1.0
 */
export const reach = (ticket: Ticket.Ticket, asSource: boolean): ReadonlyArray<TicketId> =>
  asSource ? ticket.links.map((l) => l.ticketId) : ticket.links.flatMap(upward)

const upward = (link: Link.Link): ReadonlyArray<TicketId> =>
  link.kind === "parent" || link.kind === "duplicate_of" ? [link.ticketId] : []

type Decision = Effect.Effect<
  ReadonlyArray<Change>,
  LinkError | NotPermitted | TicketNotFound | TicketClosed | Limits.LimitExceeded
>

/** Tickets as decided so far, and the events each got. */
class Working {
  readonly states: Map<TicketId, Ticket.Ticket>
  readonly changes = new Map<TicketId, Array<E.TicketEvent>>()
  constructor(graph: Graph) {
    this.states = new Map(graph)
  }
  get(id: TicketId): Ticket.Ticket | undefined {
    return this.states.get(id)
  }
  /** Records an event on a ticket and folds it into the working copy. */
  emit(id: TicketId, event: E.TicketEvent): void {
    const state = this.states.get(id)
    const next = Ticket.evolve(state, event)
    if (next !== undefined) this.states.set(id, next)
    const events = this.changes.get(id) ?? []
    events.push(event)
    this.changes.set(id, events)
  }
  result(): ReadonlyArray<Change> {
    return Array.from(this.changes, ([ticketId, events]) => ({ ticketId, events }))
  }
}

const envelope = (ticketId: TicketId, ctx: DecideContext) =>
  ctx.rule === undefined
    ? { ticketId, at: ctx.now, by: ctx.actor }
    : { ticketId, at: ctx.now, by: ctx.actor, rule: ctx.rule }

const staffOnly = (
  graph: Graph,
  ticketId: TicketId,
  ctx: DecideContext,
  action: string,
  then: () => Decision
): Decision =>
  ctx.actor._tag === "contact"
    ? Effect.fail(
        new NotPermitted({ ticketId, ...numberOf(graph, ticketId, "publicId"), actor: Actor.label(ctx.actor), action })
      )
    : Effect.suspend(then)

/** A ticket's public number under `key`, for an error's message, when the ticket was read. */
const numberOf = <K extends string>(
  tickets: { readonly get: (id: TicketId) => Ticket.Ticket | undefined },
  id: TicketId | undefined,
  key: K
): { readonly [k in K]?: number } => {
  const publicId: number | undefined = id === undefined ? undefined : tickets.get(id)?.publicId
  const named: { [k in K]?: number } = {}
  if (publicId !== undefined) named[key] = publicId
  return named
}

const lookup = (working: Working, id: TicketId): Effect.Effect<Ticket.Ticket, TicketNotFound> => {
  const state = working.get(id)
  return state === undefined ? Effect.fail(new TicketNotFound({ ticketId: id })) : Effect.succeed(state)
}

/**
 * The tickets above `id` through `via` links, nearest first; `undefined` past `maxDepth`. A
 * ticket missing from the graph ends the walk (the `Helpdesk` reads the whole way up).
 */
const above = (working: Working, id: TicketId, via: "parent" | "duplicate_of"): Array<TicketId> | undefined => {
  const seen: Array<TicketId> = []
  let current = working.get(id)
  while (current !== undefined) {
    const next = Link.targets(current.links, via)[0]
    if (next === undefined || seen.includes(next)) return seen
    if (seen.length >= maxDepth) return undefined
    seen.push(next)
    current = working.get(next)
  }
  return seen
}

/**
 * Why `from` cannot get the link `{ kind, ticketId: to }` (and `to` its inverse) on the working
 * copy, or `undefined` when it can. Kinds are read from the side that holds `parent`,
 * `duplicate_of` or `problem`, so a link and its inverse are checked the same way.
 */
const whyNot = (working: Working, from: Ticket.Ticket, kind: Link.LinkKind, to: Ticket.Ticket) => {
  if (from.id === to.id) return "self" as const
  if (from.links.some((l) => l.ticketId === to.id)) return "already_linked" as const
  const [lower, upper, as] =
    kind === "child" || kind === "duplicated_by" || kind === "incident"
      ? [to, from, Link.inverse(kind)]
      : [from, to, kind]
  if (as === "parent" || as === "duplicate_of") {
    if (Link.targets(lower.links, as).length > 0) return as === "parent" ? "one_parent" : "one_duplicate"
    const chain = above(working, upper.id, as)
    if (chain === undefined) return "too_deep" as const
    if (chain.includes(lower.id)) return "cycle" as const
  }
  if (as === "problem") {
    if (Link.targets(lower.links, "problem").length > 0) return "one_problem" as const
    if (Link.targets(lower.links, "incident").length > 0 || Link.targets(upper.links, "problem").length > 0)
      return "problem_and_incident" as const
  }
  return undefined
}

const addLink = (working: Working, from: Ticket.Ticket, kind: Link.LinkKind, to: Ticket.Ticket, ctx: DecideContext) => {
  working.emit(from.id, new E.LinkAdded({ ...envelope(from.id, ctx), link: { kind, ticketId: to.id } }))
  working.emit(
    to.id,
    new E.LinkAdded({ ...envelope(to.id, ctx), link: { kind: Link.inverse(kind), ticketId: from.id } })
  )
}

const removeLink = (working: Working, from: TicketId, kind: Link.LinkKind, to: TicketId, ctx: DecideContext) => {
  working.emit(from, new E.LinkRemoved({ ...envelope(from, ctx), link: { kind, ticketId: to } }))
  working.emit(to, new E.LinkRemoved({ ...envelope(to, ctx), link: { kind: Link.inverse(kind), ticketId: from } }))
}

/**
 * Links `from` to `to` (`to` is `from`'s `kind`), recorded on both. The same link again changes
 * nothing; any other link between the two, a self-link, a second parent, problem or duplicate
 * target, a problem made an incident, or a parent/child or duplicate cycle is refused.
 *
 * @category combinators
 * @since 0.1.0
 */
export const link = (graph: Graph, from: TicketId, kind: Link.LinkKind, to: TicketId, ctx: DecideContext): Decision =>
  staffOnly(graph, from, ctx, "link tickets", () =>
    Effect.gen(function* () {
      const working = new Working(graph)
      const a = yield* lookup(working, from)
      const b = yield* lookup(working, to)
      if (a.links.some((l) => l.kind === kind && l.ticketId === to)) return []
      const reason = whyNot(working, a, kind, b)
      if (reason !== undefined)
        return yield* new InvalidLink({
          ticketId: from,
          ...numberOf(working, from, "publicId"),
          otherId: to,
          ...numberOf(working, to, "otherPublicId"),
          kind,
          reason
        })
      addLink(working, a, kind, b, ctx)
      return working.result()
    })
  )

/**
 * Removes the link `{ kind, ticketId: to }` from `from` and its inverse from `to`; a link that is
 * not there changes nothing.
 *
 * @category combinators
 * @since 0.1.0
 */
export const unlink = (graph: Graph, from: TicketId, kind: Link.LinkKind, to: TicketId, ctx: DecideContext): Decision =>
  staffOnly(graph, from, ctx, "unlink tickets", () =>
    Effect.gen(function* () {
      const working = new Working(graph)
      const a = yield* lookup(working, from)
      yield* lookup(working, to)
      if (!a.links.some((l) => l.kind === kind && l.ticketId === to)) return []
      removeLink(working, from, kind, to, ctx)
      return working.result()
    })
  )

const sameFollower = (a: E.Follower, b: E.Follower) => a._tag === b._tag && a.id === b.id

const originOf = (message: Message, ticket: Ticket.Ticket): Message =>
  message.origin === undefined ? { ...message, origin: { ticketId: ticket.id, publicId: ticket.publicId } } : message

/**
 * Merges `sources` into `target`, in order. The target gains each source's messages (in time
 * order, each with its origin), its requester and followers as followers, its tags, its links
 * (moved from the source to the target, each side updated; a link that would break a rule stays
 * on the source) and its priority when higher; each source is closed, pointing to the target.
 * Refused: no source, a source twice, the target among the sources, a closed (or merged) target
 * or source.
 *
 * @category combinators
 * @since 0.1.0
 */
export const merge = (graph: Graph, target: TicketId, sources: ReadonlyArray<TicketId>, ctx: DecideContext): Decision =>
  staffOnly(graph, target, ctx, "merge tickets", () =>
    Effect.gen(function* () {
      const working = new Working(graph)
      if (sources.length === 0)
        return yield* new MergeRefused({
          targetId: target,
          ...numberOf(working, target, "targetPublicId"),
          reason: "no_source"
        })
      const into = yield* lookup(working, target)
      for (const [i, source] of sources.entries()) {
        if (source === target)
          return yield* new MergeRefused({
            targetId: target,
            ...numberOf(working, target, "targetPublicId"),
            sourceId: source,
            ...numberOf(working, source, "sourcePublicId"),
            reason: "into_itself"
          })
        if (sources.indexOf(source) !== i)
          return yield* new MergeRefused({
            targetId: target,
            ...numberOf(working, target, "targetPublicId"),
            sourceId: source,
            ...numberOf(working, source, "sourcePublicId"),
            reason: "source_twice"
          })
      }
      if (into.category === "closed") {
        let next = into.mergedInto
        for (let hops = 0; next !== undefined && hops < maxDepth; hops++) {
          if (sources.includes(next))
            return yield* new MergeRefused({
              targetId: target,
              ...numberOf(working, target, "targetPublicId"),
              sourceId: next,
              ...numberOf(working, next, "sourcePublicId"),
              reason: "cycle"
            })
          next = working.get(next)?.mergedInto
        }
        return yield* new MergeRefused({
          targetId: target,
          ...numberOf(working, target, "targetPublicId"),
          reason: "target_closed"
        })
      }
      for (const source of sources) {
        const from = yield* lookup(working, source)
        if (from.category === "closed")
          return yield* new MergeRefused({
            targetId: target,
            ...numberOf(working, target, "targetPublicId"),
            sourceId: source,
            ...numberOf(working, source, "sourcePublicId"),
            reason: "source_closed"
          })
      }
      const closedStatus = Status.defaultFor(ctx.workflow, "closed")
      for (const source of sources) {
        const from = yield* lookup(working, source)
        const before = yield* lookup(working, target)
        const held = new Set(before.messages.map((m) => m.id))
        const messages = from.messages.filter((m) => !held.has(m.id)).map((m) => originOf(m, from))
        const requester: E.Follower = { _tag: "contact", id: from.requester }
        const followers = [requester, ...from.followers].filter(
          (f, i, all) =>
            !(f._tag === "contact" && f.id === before.requester) &&
            !before.followers.some((g) => sameFollower(f, g)) &&
            all.findIndex((g) => sameFollower(f, g)) === i
        )
        const tags = from.tags.filter((t) => !before.tags.includes(t))
        // Links move one by one, each checked on the tickets as the earlier moves left them.
        const moved: Array<Link.Link> = []
        for (const l of from.links) {
          if (l.ticketId === target || sources.includes(l.ticketId)) continue
          const other = working.get(l.ticketId)
          const now = working.get(target)
          if (other === undefined || now === undefined) continue
          // The source lets go first, so the other ticket's single parent (say) can move.
          removeLink(working, source, l.kind, l.ticketId, ctx)
          const afterRemoval = working.get(l.ticketId) as Ticket.Ticket
          if (whyNot(working, working.get(target) as Ticket.Ticket, l.kind, afterRemoval) === undefined) {
            addLink(working, working.get(target) as Ticket.Ticket, l.kind, afterRemoval, ctx)
            moved.push(l)
          } else {
            // It stays where it was: put it back.
            addLink(working, working.get(source) as Ticket.Ticket, l.kind, afterRemoval, ctx)
          }
        }
        const priority =
          Priority.rank(from.priority) > Priority.rank(before.priority)
            ? { from: before.priority, to: from.priority }
            : undefined
        working.emit(
          target,
          new E.MergedIn({
            ...envelope(target, ctx),
            source,
            sourcePublicId: from.publicId,
            sourceStatus: from.status,
            sourceCategory: from.category,
            messages,
            followers,
            tags,
            links: moved,
            ...(priority === undefined ? {} : { priority })
          })
        )
        working.emit(
          source,
          new E.MergedInto({
            ...envelope(source, ctx),
            target,
            targetPublicId: into.publicId,
            from: from.status,
            fromCategory: from.category,
            to: closedStatus
          })
        )
      }
      const merged = working.get(target) as Ticket.Ticket
      const exceeded = Limits.checkTicket(Limits.sizeOf(into), Limits.sizeOf(merged), "merge")
      if (exceeded !== undefined) return yield* exceeded
      return compact(working.result())
    })
  )

/**
 * A link removed and added back on the same ticket in one decision is no change: both events
 * are dropped, so a link that could not move leaves no trace.
 */
const compact = (changes: ReadonlyArray<Change>): ReadonlyArray<Change> =>
  changes.flatMap(({ ticketId, events }) => {
    const kept: Array<E.TicketEvent> = []
    for (const event of events) {
      if (event._tag === "LinkAdded") {
        const undone = kept.findLastIndex(
          (e) => e._tag === "LinkRemoved" && e.link.kind === event.link.kind && e.link.ticketId === event.link.ticketId
        )
        if (undone >= 0) {
          kept.splice(undone, 1)
          continue
        }
      }
      kept.push(event)
    }
    return kept.length === 0 ? [] : [{ ticketId, events: kept }]
  })

/**
 * Undoes the merge of `source` into `target`: the messages, followers, tags and links it brought
 * leave the target (those still there; what was added to the target since stays), the links go
 * back to the source, the priority comes back if the merge raised it and nobody changed it
 * since, and the source returns to the status it had.
 *
 * @category combinators
 * @since 0.1.0
 */
export const undoMerge = (graph: Graph, target: TicketId, source: TicketId, ctx: DecideContext): Decision =>
  staffOnly(graph, target, ctx, "undo a merge", () =>
    Effect.gen(function* () {
      const working = new Working(graph)
      const into = yield* lookup(working, target)
      const from = yield* lookup(working, source)
      const record = (into.mergedFrom ?? []).find((r) => r.source === source)
      if (record === undefined || from.mergedInto !== target) {
        return yield* new UndoMergeRefused({
          targetId: target,
          ...numberOf(working, target, "targetPublicId"),
          sourceId: source,
          ...numberOf(working, source, "sourcePublicId"),
          reason: "not_merged"
        })
      }
      if (into.category === "closed")
        return yield* new UndoMergeRefused({
          targetId: target,
          ...numberOf(working, target, "targetPublicId"),
          sourceId: source,
          ...numberOf(working, source, "sourcePublicId"),
          reason: "target_closed"
        })
      const held = new Set<MessageId>(into.messages.map((m) => m.id))
      // Only links whose other side was read move back, so both sides always change together.
      const links = record.links.filter(
        (l) =>
          working.get(l.ticketId) !== undefined &&
          into.links.some((k) => k.kind === l.kind && k.ticketId === l.ticketId)
      )
      const priority =
        record.priority !== undefined && into.priority === record.priority.to
          ? { from: record.priority.to, to: record.priority.from }
          : undefined
      working.emit(
        target,
        new E.MergeUndone({
          ...envelope(target, ctx),
          source,
          messageIds: record.messageIds.filter((id) => held.has(id)),
          followers: record.followers.filter((f) => into.followers.some((g) => sameFollower(f, g))),
          tags: record.tags.filter((t) => into.tags.includes(t)),
          links,
          ...(priority === undefined ? {} : { priority })
        })
      )
      for (const l of links) {
        working.emit(
          l.ticketId,
          new E.LinkRemoved({ ...envelope(l.ticketId, ctx), link: { kind: Link.inverse(l.kind), ticketId: target } })
        )
        const back = working.get(source) as Ticket.Ticket
        const again = working.get(l.ticketId) as Ticket.Ticket
        if (whyNot(working, back, l.kind, again) === undefined) addLink(working, back, l.kind, again, ctx)
      }
      working.emit(
        source,
        new E.Unmerged({
          ...envelope(source, ctx),
          target,
          from: from.status,
          to: record.sourceStatus,
          toCategory: record.sourceCategory
        })
      )
      return working.result()
    })
  )

/**
 * What a split needs besides the tickets: the new ticket's id and number (from the `Helpdesk`'s
 * generators), its subject, and the messages to move.
 *
 * @category models
 * @since 0.1.0
 */
export interface SplitRequest {
  readonly ticketId: TicketId
  readonly messageIds: ReadonlyArray<MessageId>
  readonly newTicketId: TicketId
  readonly newPublicId: PublicId
  readonly subject: string
}

/**
 * Moves chosen messages of a ticket into a new ticket, linked both ways (`split_into` /
 * `split_from`). The new ticket has the same requester, organization, group, assignee, type,
 * priority, tags and custom fields; it opens with the earliest moved public message (the
 * earliest note when every moved message is one), and every moved message keeps its id, author,
 * channel and time, with its origin.
 *
 * @category combinators
 * @since 0.1.0
 */
export const split = (graph: Graph, request: SplitRequest, ctx: DecideContext): Decision =>
  staffOnly(graph, request.ticketId, ctx, "split a ticket", () =>
    Effect.gen(function* () {
      const working = new Working(graph)
      const ticket = yield* lookup(working, request.ticketId)
      const id = ticket.id
      if (ticket.category === "closed") return yield* new TicketClosed(naming(ticket))
      if (request.messageIds.length === 0) return yield* new SplitRefused({ ...naming(ticket), reason: "no_message" })
      const chosen = new Set<MessageId>(request.messageIds)
      const tooMany = Limits.check("messagesPerSplit", chosen.size, "split")
      if (tooMany !== undefined) return yield* tooMany
      const held = new Set<MessageId>(ticket.messages.map((m) => m.id))
      for (const messageId of chosen) {
        if (!held.has(messageId)) {
          return yield* new SplitRefused({ ...naming(ticket), reason: "unknown_message", messageId })
        }
      }
      if (chosen.size >= ticket.messages.length) {
        return yield* new SplitRefused({ ...naming(ticket), reason: "every_message" })
      }
      const moved = ticket.messages.filter((m) => chosen.has(m.id)).map((m) => originOf(m, ticket))
      // The new ticket opens with its earliest public message, so its description is public
      // text (#12); a note before it arrives with the rest (in time order), and a split of
      // notes only opens with the earliest note and has no description.
      const first = moved.find((m) => m.visibility === "public") ?? (moved[0] as Message)
      const rest = moved.filter((m) => m !== first)
      const category = ticket.assignee === undefined ? "new" : "open"
      const opened = new E.TicketOpened({
        ...envelope(request.newTicketId, ctx),
        workspaceId: ticket.workspaceId,
        publicId: request.newPublicId,
        subject: request.subject,
        requester: ticket.requester,
        channel: first.channel,
        priority: ticket.priority,
        status: Status.defaultFor(ctx.workflow, category),
        category,
        tags: ticket.tags,
        customFields: ticket.customFields,
        message: first,
        ...(ticket.organization === undefined ? {} : { organization: ticket.organization }),
        ...(ticket.type === undefined ? {} : { type: ticket.type }),
        ...(ticket.group === undefined ? {} : { group: ticket.group }),
        ...(ticket.assignee === undefined ? {} : { assignee: ticket.assignee })
      })
      working.emit(request.newTicketId, opened)
      if (rest.length > 0) {
        working.emit(
          request.newTicketId,
          new E.SplitReceived({ ...envelope(request.newTicketId, ctx), from: id, messages: rest })
        )
      }
      working.emit(
        id,
        new E.MessagesSplitOff({
          ...envelope(id, ctx),
          to: request.newTicketId,
          toPublicId: request.newPublicId,
          messageIds: moved.map((m) => m.id)
        })
      )
      addLink(
        working,
        working.get(id) as Ticket.Ticket,
        "split_into",
        working.get(request.newTicketId) as Ticket.Ticket,
        ctx
      )
      return working.result()
    })
  )
