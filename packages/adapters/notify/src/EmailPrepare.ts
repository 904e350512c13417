/**
 * The email side of the outbox: `prepare` turns one claimed notification (template, `to`, ticket)
 * into email deliveries, one per recipient of the template's audience, each with its key
 * (`<outboxId>/<address>`), rendered in its language and time zone, signed and threaded. It reads
 * the ticket's log through the `Helpdesk` and people through the `DirectoryStore`, and renders the
 * ticket as it stood when the notification was asked for, so every attempt prepares the same mail.
 */
import { DirectoryStore, Helpdesk, type Outbox, Sla, Ticket, type TicketEvent } from "@tessera/core"
import { Signature } from "@tessera/email"
import { type DateTime, Effect, Option, Result, Schema } from "effect"
import * as ExpectedResponse from "./ExpectedResponse.js"
import type * as MailOut from "./MailOut.js"
import { type Delivery, DeliveryFailed, type Recipient } from "./Notification.js"
import * as OutboundThreading from "./OutboundThreading.js"
import * as Recipients from "./Recipients.js"
import * as Render from "./Render.js"
import type * as Template from "./Template.js"
import type * as Templates from "./Templates.js"

/**
 * What the email side is configured with.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly templates: Templates.Templates
  /** The keys Message-IDs and reply addresses are signed with (`Signature.keys`). */
  readonly keys: Signature.Keys
  /** The help desk's sender: its address and display name. */
  readonly from: { readonly address: string; readonly name?: string }
  /** The mailbox replies go to, plus-addressed with the ticket's token: `from.address` by default. */
  readonly mailbox?: string
  /** The domain of Message-IDs: `from.address`'s by default. */
  readonly messageIdDomain?: string
  /** How `{{helpdesk.name}}` reads: `from.name`, else "Support". */
  readonly helpdeskName?: string
  /**
   * The help desk's SLA policies and calendars (its `Helpdesk.Options.sla`): with them, the
   * expected response is computed from the log as it stood when the notification was asked for,
   * the same on every attempt; without them, from `Helpdesk.explainDue` at the time of the attempt.
   */
  readonly sla?: Helpdesk.SlaOptions
  /** Languages, time zones and verified contacts (see `Recipients.Options`). */
  readonly recipients?: Omit<Recipients.Options, "actor">
  /**
   * The survey link of a recipient (a signed, expiring token): needed by kinds offering
   * `survey.url`. `requestedAt` is when the notification was asked for: a link made from it (not
   * from the time of the attempt) is the same on every attempt.
   */
  readonly surveyUrl?: (input: {
    readonly ticket: Ticket.Ticket
    readonly recipient: Recipient
    readonly outboxId: string
    readonly requestedAt: DateTime.Utc
  }) => Effect.Effect<string, DeliveryFailed>
}

/**
 * The payload `Helpdesk` writes for a `NotificationRequested`; `cause` (the versions of the
 * events that caused it) is read when present.
 *
 * @category models
 * @since 0.1.0
 */
export const Payload = Schema.Struct({
  template: Schema.String,
  to: Schema.Array(Schema.String),
  ticketId: Schema.String,
  publicId: Schema.Number,
  cause: Schema.optionalKey(Schema.Array(Schema.Int))
})
/** @category models @since 0.1.0 */
export type Payload = typeof Payload.Type

const decodePayload = Schema.decodeUnknownExit(Payload)
const channel = "email"

const permanent = (reason: string) => new DeliveryFailed({ channel, reason, retryable: false })

const fromError = (error: { readonly message: string; readonly retryable?: boolean }) =>
  new DeliveryFailed({ channel, reason: error.message, retryable: error.retryable === true })

/** The version of the event an outbox id names: `notification:<ticket>:<version>`. */
const versionOf = (outboxId: string): number | undefined => {
  const found = /:(\d+)$/.exec(outboxId)
  return found === null ? undefined : Number(found[1])
}

/**
 * The events that caused the notification at `version`: those `cause` names, else the events of
 * its unit of work before it (recorded at the same instant), other notification requests left out.
 *
 * @category combinators
 * @since 0.1.0
 */
export const causeOf = (
  history: ReadonlyArray<TicketEvent.TicketEvent>,
  version: number,
  cause?: ReadonlyArray<number>
): ReadonlyArray<TicketEvent.TicketEvent> => {
  if (cause !== undefined) {
    const named: Array<TicketEvent.TicketEvent> = []
    for (const v of cause) {
      const event = v >= 1 ? history[v - 1] : undefined
      if (event !== undefined) named.push(event)
    }
    return named
  }
  const request = history[version - 1]
  if (request === undefined) return []
  const found: Array<TicketEvent.TicketEvent> = []
  for (let i = version - 2; i >= 0; i--) {
    const e = history[i]
    if (e === undefined || e.at.epochMilliseconds !== request.at.epochMilliseconds) break
    if (e._tag !== "NotificationRequested") found.unshift(e)
  }
  return found
}

const loadSnapshot = (
  directory: DirectoryStore.DirectoryStore["Service"],
  ticket: Ticket.Ticket,
  to: ReadonlyArray<string>
) =>
  Effect.gen(function* () {
    const ws = ticket.workspaceId
    const contactIds = new Set<string>([ticket.requester])
    for (const f of ticket.followers) if (f._tag === "contact") contactIds.add(f.id)
    for (const m of ticket.messages) if (m.author._tag === "contact") contactIds.add(m.author.id)
    const contacts = yield* Effect.forEach([...contactIds].slice(0, 100), (id) => directory.getContact(ws, id as never))
    const byAddress = yield* Effect.forEach(
      to.filter((t) => t.includes("@")),
      (address) => directory.findContactByEmail(ws, address)
    )
    const agents = yield* directory.listAgents(ws)
    const group = ticket.group === undefined ? Option.none() : yield* directory.getGroup(ws, ticket.group)
    return {
      contacts: [...contacts, ...byAddress].flatMap((c) => (Option.isSome(c) ? [c.value] : [])),
      agents,
      groups: Option.isSome(group) ? [group.value] : []
    } satisfies Recipients.Snapshot
  })

/** The SLA explanations of the ticket as of `at`, from its log up to then. */
const explainAt = (
  sla: Helpdesk.SlaOptions,
  directory: DirectoryStore.DirectoryStore["Service"],
  ticket: Ticket.Ticket,
  log: ReadonlyArray<TicketEvent.TicketEvent>,
  at: DateTime.Utc
) =>
  Effect.gen(function* () {
    // The requester's tier picks the policy, as the help desk does (`AppendEffects.slaContext`).
    const requester = yield* directory.getContact(ticket.workspaceId, ticket.requester)
    const contactTier = Option.isSome(requester) ? requester.value.tier : undefined
    const orgId = ticket.organization ?? (Option.isSome(requester) ? requester.value.organization : undefined)
    const org =
      contactTier !== undefined || orgId === undefined
        ? Option.none()
        : yield* directory.getOrganization(ticket.workspaceId, orgId)
    const tier = contactTier ?? (Option.isSome(org) ? org.value.tier : undefined)
    const state = Sla.slaState(log, sla.policies, sla.calendars, at, tier === undefined ? {} : { tier })
    return Result.isSuccess(state) ? state.success.instances.map((i) => Sla.explainDue(i, sla.calendars)) : []
  }).pipe(Effect.mapError(fromError))

/**
 * The email deliveries of one claimed notification: one per recipient of the template's
 * audience (a customer never gets an agent template, nor an agent a customer's), keyed
 * `<outboxId>/<address>`. Fails with a `DeliveryFailed` that says whether another attempt may
 * help: an unknown template or a malformed payload never will, a store that is down may.
 *
 * @category combinators
 * @since 0.1.0
 */
export const prepare = (
  options: Options,
  message: Outbox.ClaimedMessage
): Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed, Helpdesk.Helpdesk | DirectoryStore.DirectoryStore> =>
  Effect.flatMap(services, (found) => prepareWith(options, found, message))

/** What `prepare` reads through: the help desk as the system (`notify`), and the directory. */
interface Services {
  readonly desk: Helpdesk.Scoped
  readonly directory: DirectoryStore.DirectoryStore["Service"]
}

const services: Effect.Effect<Services, never, Helpdesk.Helpdesk | DirectoryStore.DirectoryStore> = Effect.gen(
  function* () {
    const desk = yield* Helpdesk.Helpdesk
    return { desk: desk.asSystem("notify"), directory: yield* DirectoryStore.DirectoryStore }
  }
)

const prepareWith = (
  options: Options,
  { desk, directory }: Services,
  message: Outbox.ClaimedMessage
): Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed> =>
  Effect.gen(function* () {
    const decoded = decodePayload(message.payload)
    if (decoded._tag === "Failure") return yield* permanent(`outbox message ${message.id} has no notification payload`)
    const payload = decoded.value
    const kind = Option.getOrUndefined(options.templates.kind(payload.template))
    if (kind === undefined) return yield* permanent(`no kind of notification is called "${payload.template}"`)

    const history = yield* desk.history(payload.ticketId).pipe(Effect.mapError(fromError))
    const version = versionOf(message.id) ?? history.length
    const request = history[version - 1]
    if (request?._tag !== "NotificationRequested") {
      return yield* permanent(`event ${version} of ${payload.ticketId} is not the notification ${message.id}`)
    }
    let state: Ticket.State = Ticket.initial
    for (const e of history.slice(0, version)) state = Ticket.evolve(state, e)
    if (state === undefined) return yield* permanent(`ticket ${payload.ticketId} has no opening`)
    const ticket = state
    const events = causeOf(history, version, payload.cause)

    const snapshot = yield* loadSnapshot(directory, ticket, payload.to).pipe(Effect.mapError(fromError))
    const recipients = Recipients.resolve(ticket, payload.to, snapshot, {
      ...options.recipients,
      actor: request.by
    }).filter((r) => r.audience === kind.audience)
    if (recipients.length === 0) return []

    const extras = kind.extras ?? []
    const wantsSla =
      extras.includes("sla.expected") || kind.event === "SlaWarningReached" || kind.event === "SlaBreached"
    const explanations = !wantsSla
      ? []
      : options.sla === undefined
        ? yield* desk.explainDue(ticket.id).pipe(Effect.mapError(fromError))
        : yield* explainAt(options.sla, directory, ticket, history.slice(0, version), request.at)
    const warned = events.find((e) => e._tag === "SlaWarningReached" || e._tag === "SlaBreached")
    // Everything is written as of the request, so a retry renders the same mail.
    const now = request.at
    const promise = ExpectedResponse.pick(
      explanations,
      now,
      warned?._tag === "SlaWarningReached" || warned?._tag === "SlaBreached"
        ? { metric: warned.metric, instance: warned.instance }
        : undefined
    )
    if (extras.includes("survey.url") && options.surveyUrl === undefined) {
      return yield* permanent(`kind "${kind.name}" offers survey.url: give prepare a surveyUrl`)
    }

    const fromAddress = options.from.address
    const domain = options.messageIdDomain ?? fromAddress.slice(fromAddress.lastIndexOf("@") + 1)
    const signing: OutboundThreading.Signing = { keys: options.keys, workspaceId: ticket.workspaceId, domain }
    const replyTo = Signature.replyAddress(options.keys, {
      workspaceId: ticket.workspaceId,
      publicId: ticket.publicId,
      mailbox: options.mailbox ?? fromAddress
    })
    const helpdeskName = options.helpdeskName ?? options.from.name ?? "Support"
    const autoSubmitted: MailOut.AutoSubmitted =
      kind.autoSubmitted === "auto-replied" && ticket.channel !== "email"
        ? "auto-generated"
        : (kind.autoSubmitted ?? "auto-generated")
    const audienceOf = (name: string) => Option.getOrUndefined(options.templates.kind(name))?.audience

    return yield* Effect.forEach(recipients, (recipient) =>
      Effect.gen(function* () {
        const template: Template.Template | undefined = Option.getOrUndefined(
          options.templates.find(kind.name, recipient.language)
        )
        if (template === undefined) return yield* permanent(`no template of kind "${kind.name}" in any language`)
        const reader = { language: template.language, timeZone: recipient.timeZone }
        const surveyUrl =
          options.surveyUrl !== undefined && extras.includes("survey.url")
            ? yield* options.surveyUrl({ ticket, recipient, outboxId: message.id, requestedAt: now })
            : undefined
        const rendered = Render.render(template, {
          ticket,
          events,
          kind,
          recipient,
          snapshot,
          fields: options.templates.fields,
          helpdeskName,
          extras: {
            "sla.expected": ExpectedResponse.expected(promise, reader, now, warned !== undefined),
            ...(promise === undefined ? {} : { "sla.due": ExpectedResponse.formatDue(promise.dueAt, reader, now) }),
            ...(surveyUrl === undefined ? {} : { "survey.url": surveyUrl })
          }
        })
        const thread = OutboundThreading.thread({
          signing,
          ticket,
          history,
          version,
          audience: recipient.audience,
          address: recipient.address,
          audienceOf
        })
        const body: MailOut.Body = {
          from: { address: fromAddress, name: options.from.name ?? helpdeskName },
          to: { address: recipient.address, ...(recipient.name === undefined ? {} : { name: recipient.name }) },
          replyTo,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: OutboundThreading.messageId(signing, ticket.publicId, message.id, recipient.address),
          ...(thread.inReplyTo === undefined ? {} : { inReplyTo: thread.inReplyTo }),
          references: thread.references,
          autoSubmitted
        }
        return {
          key: `${message.id}/${recipient.address.trim().toLowerCase()}`,
          outboxId: message.id,
          channel,
          template: kind.name,
          workspaceId: ticket.workspaceId,
          ticketId: ticket.id,
          publicId: ticket.publicId,
          recipient,
          body
        } satisfies Delivery
      })
    )
  })

/**
 * `prepare` with its services captured (the help desk as the system, built once rather than per
 * message): what the outbox worker calls for each claimed message.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  options: Options
): Effect.Effect<
  (message: Outbox.ClaimedMessage) => Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed>,
  never,
  Helpdesk.Helpdesk | DirectoryStore.DirectoryStore
> => Effect.map(services, (found) => (message) => prepareWith(options, found, message))
