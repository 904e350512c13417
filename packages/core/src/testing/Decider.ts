/**
 * Given/when/then for `decide`: given the events of a ticket's stream, when a command arrives in
 * a context, then these events or this tagged error. Outcomes are compared in their encoded (JSON)
 * form with vitest's `expect`, so a failing test prints a readable diff. Fixtures build a decide
 * context and a `TicketOpened`; anything richer belongs in the test that needs it.
 */
import { Cause, DateTime, Effect, Exit, Option, Schema } from "effect"
import { expect } from "vitest"
import { type DecideContext, decide } from "../ticket/decide.js"
import * as Status from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import type { TicketCommand } from "../ticket/TicketCommand.js"
import type { TicketError } from "../ticket/TicketError.js"
import { TicketEvent, TicketOpened } from "../ticket/TicketEvent.js"
import type { Actor } from "../values/Actor.js"
import type { Channel } from "../values/Channel.js"
import type { FieldDefinition, FieldValue } from "../values/CustomField.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../values/Ids.js"
import type { Priority } from "../values/Priority.js"
import type { TicketType } from "../values/TicketType.js"

/**
 * The instant fixtures use when a test does not say: Monday 9 March 2026, 13:00 UTC.
 *
 * @category testing
 * @since 0.1.0
 */
export const defaultNow: DateTime.Utc = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")

const utc = (input: DateTime.DateTime.Input): DateTime.Utc => DateTime.toUtc(DateTime.makeUnsafe(input))

/**
 * What a test says about a decide context; the rest takes the defaults.
 *
 * @category testing
 * @since 0.1.0
 */
export interface ContextOptions {
  readonly actor: Actor
  /** Defaults to `defaultNow`. */
  readonly now?: DateTime.DateTime.Input
  /** Defaults to `Status.defaultWorkflow`. */
  readonly workflow?: Status.Workflow
  readonly customFields?: ReadonlyArray<FieldDefinition>
}

/**
 * A decide context for a test.
 *
 * @example
 * const ctx = Decider.context({ actor: Actor.agent("mary"), now: "2026-03-10T09:00:00Z" })
 *
 * @category testing
 * @since 0.1.0
 */
export const context = (options: ContextOptions): DecideContext => ({
  actor: options.actor,
  now: utc(options.now ?? defaultNow),
  workflow: options.workflow ?? Status.defaultWorkflow,
  customFields: options.customFields ?? []
})

/**
 * What a test says about the `TicketOpened` it starts from; ids are plain strings here.
 *
 * @category testing
 * @since 0.1.0
 */
export interface OpenedOptions {
  /** Defaults to `tkt_1`. */
  readonly ticketId?: string
  /** Defaults to `acme`. */
  readonly workspaceId?: string
  /** Defaults to 69369. */
  readonly publicId?: number
  readonly subject?: string
  /** The first message's text. */
  readonly text?: string
  /** Defaults to `jane` (a contact), who is also the author unless `by` says otherwise. */
  readonly requester?: string
  readonly by?: Actor
  readonly organization?: string
  readonly channel?: Channel
  readonly priority?: Priority
  readonly type?: TicketType
  /** Defaults to `new`; the category defaults to the status's category in the default workflow. */
  readonly status?: string
  readonly category?: Status.StatusCategory
  readonly group?: string
  readonly assignee?: string
  /** Already normalised tags. */
  readonly tags?: ReadonlyArray<string>
  readonly customFields?: Readonly<Record<string, FieldValue>>
  readonly followUpOf?: string
  /** Defaults to `defaultNow`. */
  readonly at?: DateTime.DateTime.Input
}

/**
 * A `TicketOpened` event, the usual first "given".
 *
 * @example
 * Decider.given([Decider.opened({ status: "pending" })])
 *
 * @category testing
 * @since 0.1.0
 */
export const opened = (options: OpenedOptions = {}): TicketOpened => {
  const at = utc(options.at ?? defaultNow)
  const requester = (options.requester ?? "jane") as ContactId
  const by: Actor = options.by ?? { _tag: "contact", id: requester }
  const channel = options.channel ?? "email"
  const status = options.status ?? "new"
  const category = options.category ?? Status.categoryOf(Status.defaultWorkflow, status) ?? "new"
  return new TicketOpened({
    ticketId: (options.ticketId ?? "tkt_1") as TicketId,
    workspaceId: (options.workspaceId ?? "acme") as WorkspaceId,
    publicId: (options.publicId ?? 69369) as PublicId,
    subject: options.subject ?? "VPN drops every hour",
    requester,
    channel,
    priority: options.priority ?? "normal",
    status: status as Status.StatusId,
    category,
    tags: (options.tags ?? []) as TicketOpened["tags"],
    customFields: (options.customFields ?? {}) as TicketOpened["customFields"],
    message: {
      id: "msg_1" as MessageId,
      visibility: "public",
      author: by,
      channel,
      at,
      text: options.text ?? "Since this morning my VPN disconnects every hour.",
      attachments: []
    },
    at,
    by,
    ...(options.organization === undefined ? {} : { organization: options.organization as OrganizationId }),
    ...(options.type === undefined ? {} : { type: options.type }),
    ...(options.group === undefined ? {} : { group: options.group as GroupId }),
    ...(options.assignee === undefined ? {} : { assignee: options.assignee as AgentId }),
    ...(options.followUpOf === undefined ? {} : { followUpOf: options.followUpOf as TicketId })
  })
}

const encode = Schema.encodeSync(TicketEvent)

/** A plain view of an outcome, so that one `expect` shows events, error or defect in its diff. */
const summary = (exit: Exit.Exit<ReadonlyArray<TicketEvent>, TicketError>): unknown => {
  if (Exit.isSuccess(exit)) return { events: exit.value.map((e) => encode(e)) }
  const error = Cause.findErrorOption(exit.cause)
  return error._tag === "Some" ? { error: { ...error.value } } : { defect: Cause.pretty(exit.cause) }
}

/**
 * A ticket's stream so far, ready for the next command.
 *
 * @category testing
 * @since 0.1.0
 */
export interface Given {
  readonly events: ReadonlyArray<TicketEvent>
  /** The state `decide` will see: the fold of `events`. */
  readonly state: Ticket.State
  /** Decides a command on the stream so far. */
  readonly when: (command: TicketCommand, ctx: DecideContext) => When
}

/**
 * The outcome of one command, to be checked.
 *
 * Not a Promise, despite its `then`: call it, do not `await` it.
 *
 * @category testing
 * @since 0.1.0
 */
export interface When {
  readonly exit: Exit.Exit<ReadonlyArray<TicketEvent>, TicketError>
  /**
   * Asserts that the command produced exactly these events (`[]` for a no-op), and continues
   * from the stream with them appended.
   */
  readonly then: (expected: ReadonlyArray<TicketEvent>) => Given
  /** Asserts that the command was refused with this error (and these fields); returns the error. */
  readonly thenFails: <Tag extends TicketError["_tag"]>(
    tag: Tag,
    fields?: Partial<Omit<Extract<TicketError, { readonly _tag: Tag }>, "_tag">>
  ) => Extract<TicketError, { readonly _tag: Tag }>
}

/**
 * Starts a scenario from the events already in a ticket's stream (none for `OpenTicket`).
 *
 * @example
 * // by default only a solved ticket may be closed
 * Decider.given([Decider.opened()])
 *   .when(new ChangeStatus({ ticketId, to: "closed" as StatusId }), Decider.context({ actor: Actor.agent("mary") }))
 *   .thenFails("TransitionNotAllowed")
 *
 * @category testing
 * @since 0.1.0
 */
export const given = (events: ReadonlyArray<TicketEvent> = []): Given => {
  const state = Ticket.fold(events)
  return {
    events,
    state,
    when: (command, ctx) => {
      const exit = Effect.runSyncExit(decide(state, command, ctx))
      return {
        exit,
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary of decider tests (CONTRIBUTING.md, "Tests")
        then: (expected) => {
          expect(summary(exit)).toEqual({ events: expected.map((e) => encode(e)) })
          return given([...events, ...(Exit.isSuccess(exit) ? exit.value : [])])
        },
        thenFails: (tag, fields) => {
          expect(summary(exit)).toMatchObject({ error: { ...fields, _tag: tag } })
          return Option.getOrThrow(Exit.findErrorOption(exit)) as Extract<TicketError, { readonly _tag: typeof tag }>
        }
      }
    }
  }
}
