/**
 * An append worked out before any statement runs: the events as rows, the ticket's projection row
 * and snapshot, which texts, tags and email ids change, the timers and outbox rows written with
 * them, and whether the result would go past a per-ticket limit. Pure (no statements): `Writes`
 * runs a plan, `Append` decides when.
 */
import {
  EventStore,
  type Ids,
  Limits,
  type Message,
  Priority,
  Ticket,
  type TicketEvent,
  TicketQuery,
  type TicketStore
} from "@tessera/core"
import type { TimersTable } from "../Database.js"
import type { OutboxRow } from "../dialect/Dialect.js"
import * as PlainJson from "../internal/PlainJson.js"
import type { Recorded } from "./EmailIds.js"
import { millis, type Row, type Shared, type State, type TicketRow } from "./Shared.js"

/** One text of a ticket as stored: the subject (`n` 0) or a message. */
export interface TextRow {
  readonly n: number
  readonly data: string | null
  readonly words: string
  readonly visibility: "public" | "internal"
}

/** What an append does to a ticket's texts: deletes first, then inserts `rows`. */
export interface TextChanges {
  readonly deleteSubject: boolean
  readonly deleteMessages: boolean
  readonly rows: ReadonlyArray<TextRow>
}

/** Everything one append writes, as rows (keys already escaped). */
export interface Plan {
  readonly next: State
  readonly id: string
  readonly workspace: string
  readonly events: ReadonlyArray<{
    readonly version: number
    readonly type: string
    readonly data: string
    readonly at: number
  }>
  readonly row: TicketRow | undefined
  /** The row as this process last wrote it, at the expected version, if it knows it. */
  readonly priorRow: TicketRow | undefined
  /** No `slaDueAt` in the effects: the stored due time stays. */
  readonly keepSla: boolean
  /** The append opens the ticket: no row was stored before it. */
  readonly fresh: boolean
  readonly texts: TextChanges | undefined
  readonly tagsAdded: ReadonlyArray<string>
  readonly tagsRemoved: ReadonlyArray<string>
  /** The contacts that start following the ticket (`ticket_followers`), keyed. */
  readonly followersAdded: ReadonlyArray<string>
  /** The contacts that stop following it, keyed. */
  readonly followersRemoved: ReadonlyArray<string>
  /** The email ids the append records (`recorded`'s), as stored. */
  readonly emailIds: ReadonlyArray<string>
  /** The email ids the append records as new messages (`EventStore.recordedEmailIds`), as given. */
  readonly recorded: Recorded
  readonly timers: Array<Row<TimersTable>>
  readonly outbox: Array<OutboxRow>
  /** The SLA fold to keep beside the snapshot (`AppendEffects.sla`), at the version written. */
  readonly sla: { readonly version: number; readonly value: string } | undefined
  /** The append would take the ticket past a per-ticket limit: nothing may be written. */
  readonly exceeded: Limits.LimitExceeded | undefined
}

/** The contacts following a ticket (agents follow too, but see every ticket they may anyway). */
const contactsFollowing = (ticket: State): ReadonlyArray<string> =>
  (ticket?.followers ?? []).flatMap((f) => (f._tag === "contact" ? [f.id] : []))

/**
 * The planning of appends, on the store's key escaping.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { key } = shared

  /** The values of `values` that `set` lacks, keyed. */
  const missingFrom = (set: ReadonlySet<string>, values: ReadonlySet<string>): ReadonlyArray<string> =>
    Array.from(values)
      .filter((v) => !set.has(v))
      .map(key)

  /**
   * The projection row of a ticket at a version: queue columns and the snapshot without
   * messages, as the `Ticket` schema would encode it (`PlainJson`: the state was folded from
   * events, valid by construction, and a schema encode of it cost more than its statements).
   */
  const projection = (ticket: Ticket.Ticket, version: number, slaDueAt: number | null): TicketRow => {
    const { messages: _messages, ...summary } = ticket
    return {
      id: key(ticket.id),
      workspace_id: key(ticket.workspaceId),
      public_id: ticket.publicId,
      version,
      subject: key(ticket.subject),
      requester: key(ticket.requester),
      organization: ticket.organization === undefined ? null : key(ticket.organization),
      channel: key(ticket.channel),
      priority: key(ticket.priority),
      priority_rank: Priority.rank(ticket.priority),
      type: ticket.type === undefined ? null : key(ticket.type),
      status: key(ticket.status),
      category: key(ticket.category),
      group_id: ticket.group === undefined ? null : key(ticket.group),
      assignee: ticket.assignee === undefined ? null : key(ticket.assignee),
      created_at: millis(ticket.createdAt),
      updated_at: millis(ticket.updatedAt),
      sla_due_at: slaDueAt,
      summary: PlainJson.stringify(summary)
    }
  }

  const subjectText = (ticket: Ticket.Ticket): TextRow => ({
    n: 0,
    data: null,
    words: TicketQuery.words(ticket.subject).join(" "),
    visibility: "public"
  })

  const messageText = (message: Message.Message, index: number): TextRow => ({
    n: index + 1,
    data: PlainJson.stringify(message),
    words: TicketQuery.words(message.text).join(" "),
    visibility: message.visibility
  })

  /** Whether `list` starts with every message of `prefix`, the same objects in order. */
  const isPrefix = (prefix: ReadonlyArray<Message.Message>, list: ReadonlyArray<Message.Message>): boolean => {
    if (list.length < prefix.length) return false
    for (let i = 0; i < prefix.length; i++) if (prefix[i] !== list[i]) return false
    return true
  }

  /**
   * The texts an append changes. Messages only ever grow at the end through `evolve`, which
   * keeps the earlier message objects: then only the new ones are written (and indexed);
   * anything else rewrites the ticket's messages. Only after a merge or a split
   * (`Ticket.keepsEarlierMessages`) is the conversation compared with the stored one.
   */
  const textChanges = (
    prior: State,
    next: Ticket.Ticket,
    events: ReadonlyArray<TicketEvent.TicketEvent>
  ): TextChanges => {
    if (prior === undefined)
      return {
        deleteSubject: false,
        deleteMessages: false,
        rows: [subjectText(next), ...next.messages.map(messageText)]
      }
    const subjectChanged = prior.subject !== next.subject
    const grown = events.every(Ticket.keepsEarlierMessages) || isPrefix(prior.messages, next.messages)
    const from = grown ? prior.messages.length : 0
    return {
      deleteSubject: subjectChanged,
      deleteMessages: !grown,
      rows: [
        ...(subjectChanged ? [subjectText(next)] : []),
        ...next.messages.slice(from).map((m, i) => messageText(m, from + i))
      ]
    }
  }

  /** Everything an append writes, worked out before any statement runs. */
  const planAppend = (
    operation: string,
    ticketId: Ids.TicketId,
    expectedVersion: number,
    events: ReadonlyArray<TicketEvent.TicketEvent>,
    encoded: ReadonlyArray<string>,
    prior: State,
    priorRow: TicketRow | undefined,
    effects: TicketStore.AppendEffects
  ): Plan => {
    const next = Ticket.fold(events, prior)
    const opening = events.find((e) => e._tag === "TicketOpened")
    const workspace = next?.workspaceId ?? (opening?._tag === "TicketOpened" ? opening.workspaceId : "")
    // An absent `slaDueAt` leaves the stored one (a new row starts without).
    const slaDueAt = effects.slaDueAt === undefined || effects.slaDueAt === null ? null : millis(effects.slaDueAt)
    // `evolve` keeps the tag list it did not change: then no tag changes.
    const sameTags = prior !== undefined && next !== undefined && prior.tags === next.tags
    const priorTags = new Set(sameTags ? [] : (prior?.tags ?? []))
    const nextTags = new Set(sameTags ? [] : (next?.tags ?? []))
    // Likewise the follower list: most appends leave it as it was.
    const sameFollowers = prior !== undefined && next !== undefined && prior.followers === next.followers
    const priorFollowers = new Set(sameFollowers ? [] : contactsFollowing(prior))
    const nextFollowers = new Set(sameFollowers ? [] : contactsFollowing(next))
    const recorded = next === undefined ? [] : EventStore.recordedEmailIds(prior, events)
    return {
      next,
      id: key(ticketId),
      workspace: key(workspace),
      events: events.map((event, i) => ({
        version: expectedVersion + i + 1,
        type: event._tag,
        data: encoded[i] as string,
        at: millis(event.at)
      })),
      row: next === undefined ? undefined : projection(next, expectedVersion + events.length, slaDueAt),
      priorRow,
      keepSla: effects.slaDueAt === undefined,
      fresh: prior === undefined,
      texts: next === undefined ? undefined : textChanges(prior, next, events),
      tagsAdded: missingFrom(priorTags, nextTags),
      tagsRemoved: missingFrom(nextTags, priorTags),
      followersAdded: missingFrom(priorFollowers, nextFollowers),
      followersRemoved: missingFrom(nextFollowers, priorFollowers),
      emailIds: recorded.map(key),
      recorded: { ticketId, workspaceId: workspace, messageIds: recorded },
      timers: Array.from(new Map((effects.timers ?? []).map((t) => [t.id, t])).values()).map((t) => ({
        id: key(t.id),
        workspace_id: key(t.workspaceId),
        ticket_id: key(t.ticketId),
        purpose: key(t.purpose),
        due_at: millis(t.dueAt),
        available_at: 0
      })),
      outbox: Array.from(new Map((effects.outbox ?? []).map((m) => [m.id, m])).values()).map((m) => ({
        id: key(m.id),
        workspace_id: key(m.workspaceId),
        ticket_id: key(m.ticketId),
        channel: key(m.channel),
        payload: JSON.stringify(m.payload) ?? "null",
        created_at: millis(m.createdAt),
        available_at: 0,
        attempts: 0
      })),
      sla: effects.sla === undefined ? undefined : { version: expectedVersion + events.length, value: effects.sla },
      exceeded: Limits.checkTicket(Limits.sizeOf(prior), Limits.sizeOf(next), operation)
    }
  }

  /**
   * The row as the database holds it after the plan, when this process can know it: with the
   * stored SLA due time kept, only if the prior row (and so that time) was known.
   */
  const rowAfter = (plan: Plan): TicketRow | undefined =>
    plan.row === undefined || !plan.keepSla || plan.fresh
      ? plan.row
      : plan.priorRow === undefined
        ? undefined
        : { ...plan.row, sla_due_at: plan.priorRow.sla_due_at }

  /** Rows a plan writes, over every table. */
  const rowsOf = (plan: Plan): number =>
    plan.events.length +
    (plan.texts?.rows.length ?? 0) +
    plan.tagsAdded.length +
    plan.tagsRemoved.length +
    plan.followersAdded.length +
    plan.followersRemoved.length +
    plan.emailIds.length +
    plan.timers.length +
    plan.outbox.length +
    (plan.sla === undefined ? 0 : 1)

  return { projection, planAppend, rowAfter, rowsOf }
}

/**
 * What `make` gives.
 *
 * @category models
 * @since 0.1.0
 */
export type Planner = ReturnType<typeof make>
