/**
 * The notifications of a help desk in one call: `make` builds the outbox worker from one
 * configuration (where mail goes and who it is from, the signing keys, templates, webhook
 * endpoints, the survey page), combining the email and webhook sides' `prepare`, their senders,
 * and the record of each outcome on the ticket. It is the piece an application starts; the
 * modules it assembles stay usable one by one.
 */
import {
  type DirectoryStore,
  Helpdesk,
  IntakeGuard,
  MemoryIntakeGuard,
  type Outbox,
  type StoreError,
  type TicketStore
} from "@tessera/core"
import { LoopGuard, Signature } from "@tessera/email"
import { DateTime, type Duration, Effect, Option, Schema, type Scope } from "effect"
import * as EmailPrepare from "./EmailPrepare.js"
import * as LoopCap from "./LoopCap.js"
import { type Delivery, DeliveryFailed, type Sender } from "./Notification.js"
import * as SmtpSender from "./SmtpSender.js"
import * as SurveyToken from "./SurveyToken.js"
import * as Templates from "./Templates.js"
import * as WebhookPayload from "./WebhookPayload.js"
import * as WebhookSender from "./WebhookSender.js"
import * as Worker from "./Worker.js"

/**
 * Where survey links point and how they are signed: `base` is the survey page (an absolute http
 * or https URL), the token goes in its `token` query parameter (`SurveyToken.surveyUrl`).
 *
 * @category models
 * @since 0.1.0
 */
export interface SurveyOptions {
  readonly base: string
  /** The keys survey tokens are signed with: the notifier's `keys` by default. */
  readonly keys?: Signature.Keys
  /** How long a link works (default `SurveyToken.defaultValidity`, 30 days). */
  readonly validity?: Duration.Input
}

/**
 * Everything a help desk's notifications need. Email is always on (`smtp` options or a
 * `transporter`); webhooks when `webhooks` names endpoints; survey links when `survey` is given
 * (a `survey` notification without it fails for good, as `EmailPrepare` says).
 *
 * @category models
 * @since 0.1.0
 */
export interface Config {
  /** Where mail goes: SMTP pool options, or a transporter the application closes itself. */
  readonly mail: SmtpSender.Options
  /** The help desk's sender address and display name. */
  readonly from: { readonly address: string; readonly name?: string }
  /** The keys Message-IDs and reply addresses are signed with (`Signature.keys`). */
  readonly keys: Signature.Keys
  /** The templates (`Templates.make`): the shipped English and French defaults when omitted. */
  readonly templates?: Templates.Templates
  /** The rest of the email side's options (mailbox, Message-ID domain, SLA, recipients' locales). */
  readonly email?: Omit<EmailPrepare.Options, "templates" | "keys" | "from" | "surveyUrl">
  /** Webhook endpoints and their settings (`WebhookSender.Options`). */
  readonly webhooks?: WebhookSender.Options
  readonly survey?: SurveyOptions
  /** The worker's batch size, backoff, attempts, polling (`Worker.Options`). */
  readonly worker?: Worker.Options
  /**
   * The caps on mail to customers (`LoopCap`): at most `perTicket` mails about one ticket and
   * `perRecipient` to one address in `windowMillis` (default `LoopGuard.defaultCaps`: 20 and 10 an
   * hour); `false` turns them off. They count through the `IntakeGuard` in context (shared across
   * nodes with `RedisIntakeGuard`), else through one in this process's memory.
   */
  readonly loopCaps?: LoopCap.Caps | false
}

/**
 * The notifier: the worker (`drainOnce`, `run`) and the senders it delivers with.
 *
 * @category models
 * @since 0.1.0
 */
export interface Notifier extends Worker.Worker {
  readonly email: SmtpSender.SmtpSender
  readonly webhooks: WebhookSender.WebhookSender | undefined
}

/**
 * The configuration cannot work: templates that do not check, a webhook endpoint that is not
 * valid, signing keys that are missing or not made by `Signature.keys`, a sender or reply mailbox
 * that is not an email address, no SMTP options nor transporter. Raised when the notifier is
 * built, never while it delivers.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidNotifierConfig extends Schema.TaggedError<InvalidNotifierConfig>()("InvalidNotifierConfig", {
  reason: Schema.String
}) {
  override get message() {
    return `The notifier cannot be built: ${this.reason}`
  }
}

/** A mailbox as the SMTP envelope takes it: one `@`, nothing around it that a header could misread. */
const mailbox = /^[^@\s<>(),;:"[\]\p{Cc}]+@[^@\s<>(),;:"[\]\p{Cc}]+$/u

/** Signing keys as `Signature.keys` makes them: one that signs, long enough, and those accepted. */
const isKeys = (keys: unknown): boolean => {
  if (typeof keys !== "object" || keys === null) return false
  const { signing, accepted } = keys as { readonly signing?: unknown; readonly accepted?: unknown }
  return (
    signing instanceof Uint8Array &&
    signing.length >= Signature.minimumKeyBytes &&
    Array.isArray(accepted) &&
    accepted.includes(signing)
  )
}

/**
 * What makes a configuration unusable before any mail is tried (the compiler checks none of it
 * for a caller without types, or with a value that is `undefined` at run time): without it each
 * delivery would fail, and be retried, for a reason no retry can mend.
 */
const checkConfig = (config: Config): string | undefined => {
  const given = config as Partial<Config>
  if (!isKeys(given.keys)) return "keys: give the signing keys Signature.keys made (or secrets to createNotifier)"
  const from = given.from as { readonly address?: unknown; readonly name?: unknown } | undefined
  if (typeof from?.address !== "string" || !mailbox.test(from.address)) {
    return `from.address: expected the help desk's email address, got ${JSON.stringify(from?.address) ?? "nothing"}`
  }
  if (from.name !== undefined && typeof from.name !== "string") return "from.name: expected a string"
  const email = given.email as { readonly mailbox?: unknown } | undefined
  if (email?.mailbox !== undefined && (typeof email.mailbox !== "string" || !mailbox.test(email.mailbox))) {
    return `email.mailbox: expected an email address, got ${JSON.stringify(email.mailbox)}`
  }
  if (typeof given.mail !== "object" || given.mail === null || !("smtp" in given.mail || "transporter" in given.mail)) {
    return "mail: give SMTP options ({ smtp: { host, port } }) or a nodemailer transporter ({ transporter })"
  }
  return undefined
}

/**
 * The `surveyUrl` hook of the email side: a signed, expiring `SurveyToken` for the recipient
 * (their contact id, else their address), ticket and survey (the outbox message), put into the
 * survey page's URL. The token is issued at the time the survey was asked for, so every attempt
 * of one survey mail carries the same link, valid for `validity` from then. A page URL that is
 * not http(s) fails the delivery for good.
 *
 * @category constructors
 * @since 0.1.0
 */
export const surveyUrlOf =
  (keys: Signature.Keys, survey: SurveyOptions): NonNullable<EmailPrepare.Options["surveyUrl"]> =>
  ({ ticket, recipient, outboxId, requestedAt }) =>
    SurveyToken.make(
      survey.keys ?? keys,
      {
        workspaceId: ticket.workspaceId,
        ticketId: ticket.id,
        recipient: recipient.contact ?? recipient.address,
        // One survey per mail: a retry of the same outbox message asks the same survey again,
        // with the same link.
        survey: outboxId,
        issuedAt: DateTime.toEpochMillis(requestedAt)
      },
      survey.validity ?? SurveyToken.defaultValidity
    ).pipe(
      Effect.flatMap((token) => SurveyToken.surveyUrl(survey.base, token)),
      Effect.mapError((e) => new DeliveryFailed({ channel: "email", reason: e.reason, retryable: false }))
    )

/** The recipients a notification names, split between the webhook side and the email side. */
const sidesOf = (payload: unknown): { readonly email: boolean; readonly webhook: boolean } => {
  const to = (payload as { readonly to?: unknown } | null)?.to
  const entries = Array.isArray(to) ? to.filter((t): t is string => typeof t === "string") : []
  const webhook = entries.some((t) => t.startsWith(WebhookPayload.recipientPrefix))
  // Not a notification at all: the email side says so (for good).
  return { email: !Array.isArray(to) || entries.some((t) => !t.startsWith(WebhookPayload.recipientPrefix)), webhook }
}

/**
 * Both sides' `prepare` as one: the email deliveries then the webhook deliveries of a message,
 * each side asked only when the message names recipients of its kind. A failure of either fails
 * the message as that side said (retryable or not).
 *
 * @category combinators
 * @since 0.1.0
 */
export const combine =
  (
    email: (message: Outbox.ClaimedMessage) => Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed>,
    webhook: WebhookPayload.Prepare
  ) =>
  (message: Outbox.ClaimedMessage): Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed | StoreError.StoreError> => {
    const sides = sidesOf(message.payload)
    return Effect.map(
      Effect.all([
        sides.email ? email(message) : Effect.succeed([]),
        sides.webhook ? webhook(message) : Effect.succeed([])
      ]),
      ([mails, hooks]) => [...mails, ...hooks]
    )
  }

/**
 * Builds the notifier of the help desk in context: templates (the defaults when none are
 * given), the SMTP sender (its pool closes with the scope) behind the loop guard's caps on mail
 * to customers (`loopCaps`), the webhook sender when endpoints are configured, survey links from
 * `SurveyToken`, and outcomes recorded on the tickets (`Helpdesk.recordNotifications`, a claimed
 * batch at once). Run it with `run` (until interrupted) or `drainOnce`.
 *
 * @example
 * const notifier = yield* Notifier.make({
 *   mail: { smtp: { host: "smtp.acme.test", port: 587 } },
 *   from: { address: "support@acme.test", name: "Acme Support" },
 *   keys,
 *   survey: { base: "https://help.acme.test/survey" }
 * })
 * yield* Effect.forkScoped(notifier.run)
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  config: Config
): Effect.Effect<
  Notifier,
  InvalidNotifierConfig,
  Scope.Scope | Helpdesk.Helpdesk | DirectoryStore.DirectoryStore | TicketStore.TicketStore | Outbox.Outbox
> =>
  Effect.gen(function* () {
    const refused = checkConfig(config)
    if (refused !== undefined) return yield* new InvalidNotifierConfig({ reason: refused })
    const shared = yield* Effect.serviceOption(IntakeGuard.IntakeGuard)
    const templates =
      config.templates ??
      (yield* Templates.make().pipe(Effect.mapError((e) => new InvalidNotifierConfig({ reason: e.message }))))
    const emailOptions: EmailPrepare.Options = {
      ...config.email,
      templates,
      keys: config.keys,
      from: config.from,
      ...(config.survey === undefined ? {} : { surveyUrl: surveyUrlOf(config.keys, config.survey) })
    }
    const email = yield* SmtpSender.make(config.mail)
    const guard = Option.isSome(shared) ? shared.value : yield* MemoryIntakeGuard.make
    const emailSender =
      config.loopCaps === false ? email : LoopCap.sender(email, guard, config.loopCaps ?? LoopGuard.defaultCaps)
    const webhooks =
      config.webhooks === undefined
        ? undefined
        : yield* WebhookSender.make(config.webhooks).pipe(
            Effect.mapError((e) => new InvalidNotifierConfig({ reason: e.message }))
          )
    const prepare = combine(yield* EmailPrepare.make(emailOptions), yield* WebhookPayload.prepare)
    const desk = yield* Helpdesk.Helpdesk
    const senders: Array<Sender> = webhooks === undefined ? [emailSender] : [emailSender, webhooks]
    const worker = yield* Worker.make({
      senders,
      prepare,
      record: Worker.recordOn(desk),
      recordAll: Worker.recordAllOn(desk),
      ...(config.worker === undefined ? {} : { options: config.worker })
    })
    return { ...worker, email, webhooks }
  })
