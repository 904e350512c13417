/**
 * `intake`: a parsed inbound message becomes help-desk commands, safely. Control headers go
 * first; the help desk's own mail is recognised; each Message-ID is taken in once (an
 * `IntakeGuard` claim, then the store's index of recorded Message-IDs); a sender over the rate
 * limit is held; `Threading` decides the ticket; then a reply (the help desk follows merges and
 * opens follow-ups of closed tickets), a note, a new ticket with its CCs as followers, or a hold
 * in the `ReviewQueue`. Parsing (`parseInbound`) and sending (the notifier) are not done here.
 */
import { Actor, Helpdesk, type Ids, IntakeGuard, type Ticket, TicketStore } from "@tessera/core"
import { Context, Effect, Exit, Layer, Option, Schema } from "effect"
import * as Contacts from "./Contacts.js"
import * as ControlHeaders from "./ControlHeaders.js"
import type * as EmailError from "./EmailError.js"
import type * as Inbound from "./Inbound.js"
import * as LoopGuard from "./LoopGuard.js"
import { type Held, type Reason, ReviewQueue } from "./ReviewQueue.js"
import type * as Signature from "./Signature.js"
import * as Threading from "./Threading.js"
import * as TicketBody from "./TicketBody.js"

/**
 * How intake behaves. Only `keys` and `own` are required.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The keys of the signed tokens in the help desk's Message-IDs and reply addresses. */
  readonly keys: Signature.Keys
  /** The help desk's own addresses and Message-ID domains: mail from them is never answered. */
  readonly own: LoopGuard.Own
  /** Headers removed from every inbound message besides `X-Tessera-*` (any case). */
  readonly controlHeaders?: ReadonlyArray<string>
  /**
   * What CC addresses become: followers of a ticket the message opens (`follow-new-tickets`,
   * the default: there is no earlier history to see), or nothing (`ignore`). A CC on a reply to
   * an existing ticket is never added: core's requester view shows a follower the whole public
   * conversation, and a CC must not gain access to history through being copied (issue 18 adds
   * per-follower read access).
   */
  readonly cc?: "ignore" | "follow-new-tickets"
  /** What mail whose clues were refused becomes: a new ticket (default) or a hold for review. */
  readonly onRefused?: "new-ticket" | "hold"
  /** At most `perSender` messages from one address per window (default 30 an hour); more are held. */
  readonly rateLimit?: { readonly perSender: number; readonly windowMillis: number }
  /** How long a taken-in Message-ID is remembered by the guard (default 7 days). */
  readonly rememberMillis?: number
  /** How long a claim lasts when the process holding it dies (default 5 minutes). */
  readonly claimMillis?: number
}

/**
 * Intake's configuration as a service: provide it with `layer(options)`.
 *
 * @category services
 * @since 0.1.0
 */
export class Config extends Context.Service<Config, Options>()("@tessera/email/IntakeConfig") {}

/**
 * What a message became. `Opened`: a new ticket. `Replied`: a public reply on `ticket` (the
 * ticket `on` names, or the ticket it was merged into). `FollowUp`: the ticket `of` was closed,
 * so a follow-up opened. `Noted`: a signed token named the ticket but the sender is not on it:
 * an internal note (agents see it; the sender gains nothing). `Held`: kept for review.
 * `Duplicate`: this Message-ID was already taken in. `Ignored`: the help desk's own mail.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Opened"; readonly ticket: Ticket.Ticket; readonly followers: ReadonlyArray<string> }
  | {
      readonly _tag: "Replied"
      readonly ticket: Ticket.Ticket
      readonly on: string
      readonly trust: "signed" | "participant"
    }
  | {
      readonly _tag: "FollowUp"
      readonly ticket: Ticket.Ticket
      readonly of: string
      readonly trust: "signed" | "participant"
    }
  | { readonly _tag: "Noted"; readonly ticket: Ticket.Ticket }
  | { readonly _tag: "Held"; readonly held: Held }
  | { readonly _tag: "Duplicate"; readonly ticketId: string | undefined }
  | { readonly _tag: "Ignored"; readonly reason: string }

/**
 * The result of `intake`: the outcome, whether an automatic answer (an acknowledgement) may be
 * sent for it, and why: the loop verdict's reasons, the clues refused, the headers removed.
 *
 * @category models
 * @since 0.1.0
 */
export interface Result {
  readonly outcome: Outcome
  readonly acknowledge: boolean
  readonly reasons: ReadonlyArray<string>
  readonly refused: ReadonlyArray<Threading.Refusal>
  readonly removedHeaders: ReadonlyArray<string>
}

/**
 * What intake may fail with: a help desk or store failure that a retry may cure (the claim on
 * the Message-ID is given up, so the retry takes the message in). A message the help desk
 * refuses on its merits is not an error: it is held.
 *
 * @category errors
 * @since 0.1.0
 */
export type IntakeError = Helpdesk.HelpdeskError

/**
 * The services intake uses.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = Helpdesk.Helpdesk | TicketStore.TicketStore | IntakeGuard.IntakeGuard | ReviewQueue | Config

const hour = 60 * 60 * 1000

/** What the guard remembers of a message taken in: enough to answer a re-delivery. */
const Remembered = Schema.fromJsonString(
  Schema.Struct({ tag: Schema.String, ticketId: Schema.optional(Schema.String) })
)
const remember = Schema.encodeSync(Remembered)
const recall = Schema.decodeUnknownOption(Remembered)

const ticketOf = (outcome: Outcome): string | undefined => {
  switch (outcome._tag) {
    case "Opened":
    case "Replied":
    case "FollowUp":
    case "Noted":
      return outcome.ticket.id
    case "Duplicate":
      return outcome.ticketId
    case "Held":
    case "Ignored":
      return undefined
  }
}

/** A failure that a retry may cure; any other refusal of the help desk holds the message. */
const retryable = (error: IntakeError): boolean => error._tag === "StoreUnavailable" || error._tag === "VersionConflict"

/**
 * Takes in one parsed message (see the module's header for the steps). Never throws; fails only
 * with a retryable `IntakeError`, after which the same message may be given again.
 *
 * @example
 * const result = yield* intake(message).pipe(Effect.provide(Intake.layer({ keys, own })))
 *
 * @category commands
 * @since 0.1.0
 */
export const intake = (message: Inbound.InboundMessage): Effect.Effect<Result, IntakeError, Services> =>
  Effect.gen(function* () {
    const options = yield* Config
    const helpdesk = yield* Helpdesk.Helpdesk
    const guard = yield* IntakeGuard.IntakeGuard
    const ws = helpdesk.config.workspaceId
    const stripped = ControlHeaders.strip(message, options.controlHeaders)
    const mail = stripped.message
    const verdict = LoopGuard.verdict(mail, options.own)
    const done = (outcome: Outcome, refused: ReadonlyArray<Threading.Refusal> = []): Result => ({
      outcome,
      acknowledge:
        verdict.answerable && (outcome._tag === "Opened" || outcome._tag === "Replied" || outcome._tag === "FollowUp"),
      reasons: verdict.reasons,
      refused,
      removedHeaders: stripped.removed
    })
    // Our own mail come back (a bounce of it forwarded, a misrouted copy): it is on its ticket already.
    if (verdict.own === "message") return done({ _tag: "Ignored", reason: "the help desk's own message" })

    const key = `${ws}:email:${TicketBody.key(mail)}`
    const claim = yield* guard.claim(key, options.claimMillis ?? 5 * 60 * 1000)
    if (claim._tag === "InProgress") return done({ _tag: "Duplicate", ticketId: undefined })
    if (claim._tag === "Done") {
      const previous = recall(claim.result)
      return done({ _tag: "Duplicate", ticketId: Option.isSome(previous) ? previous.value.ticketId : undefined })
    }
    const exit = yield* Effect.exit(takeIn(mail, verdict, options, ws))
    if (Exit.isFailure(exit)) {
      yield* guard.release(key)
      return yield* Effect.failCause(exit.cause)
    }
    const [outcome, refused] = exit.value
    yield* guard.complete(
      key,
      remember({ tag: outcome._tag, ticketId: ticketOf(outcome) }),
      options.rememberMillis ?? 7 * 24 * hour
    )
    return done(outcome, refused)
  })

/** The steps after the claim: duplicates in the store, the rate limit, the route, the command. */
const takeIn = (
  mail: Inbound.InboundMessage,
  verdict: LoopGuard.Verdict,
  options: Options,
  ws: string
): Effect.Effect<readonly [Outcome, ReadonlyArray<Threading.Refusal>], IntakeError, Services> =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const store = yield* TicketStore.TicketStore
    const guard = yield* IntakeGuard.IntakeGuard
    const review = yield* ReviewQueue
    const hold = (reason: Reason, detail: string) =>
      Effect.map(
        review.hold({
          workspaceId: ws,
          reason,
          detail,
          from: mail.from?.address,
          subject: mail.subject,
          messageId: mail.threading.messageId,
          rawLocation: mail.raw?.key,
          message: mail
        }),
        (held): Outcome => ({ _tag: "Held", held })
      )
    const none: ReadonlyArray<Threading.Refusal> = []
    const from = mail.from
    if (from === undefined || from.address.trim() === "") return [yield* hold("no-sender", "no From: address"), none]
    if (verdict.own === "address") return [yield* hold("from-own-address", verdict.reasons.join("; ")), none]

    // Taken in before the guard remembered it (another process, a guard that restarted).
    const recordedId = TicketBody.messageId(mail)
    const recorded = yield* store.findByEmailId(helpdesk.config.workspaceId, recordedId)
    if (Option.isSome(recorded)) return [{ _tag: "Duplicate", ticketId: recorded.value }, none]

    const limit = options.rateLimit ?? { perSender: 30, windowMillis: hour }
    const rate = yield* guard.count(`${ws}:sender:${from.address.toLowerCase()}`, limit.perSender, limit.windowMillis)
    if (!rate.allowed) {
      return [yield* hold("rate-limited", `${rate.count} messages from ${from.address} in the window`), none]
    }

    const sender = yield* helpdesk.findContactByEmail(from.address).pipe(
      // An address the directory cannot hold is nobody's: the message cannot be anyone's reply.
      Effect.catchTag("InvalidInput", () => Effect.succeed(Option.none()))
    )
    const route = yield* Threading.route(mail, {
      workspaceId: ws,
      keys: options.keys,
      sender,
      onRefused: options.onRefused ?? "new-ticket",
      lookup: {
        // A number no ticket has (a guessed `[#123]`, another help desk's) is answered by the
        // store's index, without building a TicketNotFound (a stack trace) on every such mail.
        byNumber: (publicId) =>
          Effect.flatMap(
            Effect.option(store.resolve(helpdesk.config.workspaceId, publicId as Ids.PublicId)),
            (found) =>
              Option.isSome(found) && Option.isNone(found.value)
                ? Effect.succeed(Option.none<Ticket.Ticket>())
                : optional(helpdesk.asSystem("email").get(publicId))
          ),
        // The ticket a Message-ID was first recorded on, or the one it was merged into (its number
        // leads there): whoever is on the merged ticket's target may answer its old mail.
        byEmailId: (id) =>
          Effect.flatMap(store.findByEmailId(helpdesk.config.workspaceId, id), (ticketId) =>
            Option.isNone(ticketId)
              ? Effect.succeed(Option.none())
              : Effect.flatMap(optional(helpdesk.asSystem("email").get(ticketId.value)), (found) =>
                  Option.isSome(found) && found.value.mergedInto !== undefined
                    ? optional(helpdesk.asSystem("email").get(found.value.publicId))
                    : Effect.succeed(found)
                )
          )
      }
    })
    const body = TicketBody.body(mail, verdict.automated)
    const act: Effect.Effect<Outcome, IntakeError, Helpdesk.Helpdesk> = Effect.gen(function* () {
      switch (route._tag) {
        case "Hold":
          return yield* hold("unverified-clue", route.refused.map((r) => `${r.clue.kind} ${r.reason}`).join("; "))
        case "NewTicket":
          return yield* open(mail, body, options)
        case "Join": {
          if (!route.participant || Option.isNone(sender)) {
            const noted = yield* Effect.result(
              helpdesk.note({
                ticket: route.ticket.id,
                by: helpdesk.system.actor("email"),
                channel: "email",
                ...body,
                text: `Email from ${from.address}, who is not on this ticket (signed reply token):\n\n${body.text}`
              })
            )
            if (noted._tag === "Success") return { _tag: "Noted", ticket: noted.success } satisfies Outcome
            // A closed ticket takes no note: the sender's message opens a ticket of their own.
            if (noted.failure._tag === "TicketClosed") return yield* open(mail, body, options)
            return yield* Effect.fail(noted.failure)
          }
          const replied = yield* helpdesk.reply({
            ticket: route.ticket.id,
            by: Actor.contact(sender.value.id),
            channel: "email",
            ...body
          })
          const followUpOf = replied.links.find((l) => l.kind === "follow_up_of")
          return replied.id !== route.ticket.id && followUpOf !== undefined
            ? ({ _tag: "FollowUp", ticket: replied, of: followUpOf.ticketId, trust: route.trust } satisfies Outcome)
            : ({ _tag: "Replied", ticket: replied, on: route.ticket.id, trust: route.trust } satisfies Outcome)
        }
      }
    })
    const outcome = yield* act.pipe(
      Effect.catch((error) =>
        // Another process recorded this Message-ID first (its guard did not see ours): theirs is the result.
        error._tag === "EmailMessageRecorded"
          ? Effect.succeed<Outcome>({ _tag: "Duplicate", ticketId: error.ticketId })
          : retryable(error)
            ? Effect.fail(error)
            : hold("refused", `${error._tag}: ${error.message}`)
      )
    )
    return [outcome, route.refused] as const
  })

/** A ticket by reference, none when there is no such ticket. */
const optional = (found: Effect.Effect<Ticket.Ticket, Helpdesk.HelpdeskError>) =>
  found.pipe(
    Effect.map(Option.some),
    // A number past the last one a ticket can have (`[#99999999999]`) names no ticket either.
    Effect.catchTags({
      TicketNotFound: () => Effect.succeed(Option.none<Ticket.Ticket>()),
      InvalidInput: () => Effect.succeed(Option.none<Ticket.Ticket>())
    })
  )

/** A new ticket from the sender, with the CCs as followers when the policy says so. */
const open = (
  mail: Inbound.InboundMessage,
  body: TicketBody.Body,
  options: Options
): Effect.Effect<Outcome, IntakeError, Helpdesk.Helpdesk> =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const from = mail.from as Inbound.Address
    const ticket = yield* helpdesk.open({
      requester: { email: from.address, ...(from.name.trim() === "" ? {} : { name: from.name.trim().slice(0, 255) }) },
      subject: TicketBody.subject(mail),
      channel: "email",
      ...body
    })
    if ((options.cc ?? "follow-new-tickets") === "ignore") return { _tag: "Opened", ticket, followers: [] }
    const own = new Set(options.own.addresses.map((a) => a.toLowerCase()))
    const followers: Array<string> = []
    let current = ticket
    for (const cc of mail.cc.slice(0, 50)) {
      const address = cc.address.toLowerCase()
      if (own.has(address) || address === from.address.toLowerCase()) continue
      // A CC whose address the directory refuses is skipped, not a reason to lose the ticket.
      const contact = yield* Contacts.findOrCreate(cc).pipe(
        Effect.map(Option.some),
        Effect.catch((error) => (retryable(error) ? Effect.fail(error) : Effect.succeed(Option.none())))
      )
      if (Option.isNone(contact) || contact.value.id === ticket.requester || followers.includes(contact.value.id))
        continue
      current = yield* helpdesk.addFollower({
        ticket: ticket.id,
        by: helpdesk.system.actor("email-cc"),
        follower: { _tag: "contact", id: contact.value.id }
      })
      followers.push(contact.value.id)
    }
    return { _tag: "Opened", ticket: current, followers }
  })

/**
 * Keeps mail that could not be parsed for review, never lost: `rawLocation` is where its raw
 * bytes were kept (in the `AttachmentStore`), `detail` what went wrong.
 *
 * @category commands
 * @since 0.1.0
 */
export const holdUnparsed = (input: {
  readonly rawLocation: string | undefined
  readonly detail: string
  readonly from?: string
  readonly subject?: string
  readonly messageId?: string
  /** The parse error, when `parseInbound` refused the message. */
  readonly error?: EmailError.EmailError
}): Effect.Effect<Held, IntakeError, Helpdesk.Helpdesk | ReviewQueue> =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const review = yield* ReviewQueue
    return yield* review.hold({
      workspaceId: helpdesk.config.workspaceId,
      reason: "unparseable",
      detail: input.detail,
      from: input.from,
      subject: input.subject,
      messageId: input.messageId,
      rawLocation: input.rawLocation,
      message: undefined,
      ...(input.error === undefined ? {} : { error: input.error })
    })
  })

/**
 * Intake's configuration as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<Config> => Layer.succeed(Config, options)
