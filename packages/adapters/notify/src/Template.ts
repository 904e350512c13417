/**
 * Templates as data: what kind of notification a template is for (its `Kind`: audience and the
 * event that causes it), the placeholders each kind offers each audience, and the check that
 * runs when a template is saved, so that a typo or an internal field in a customer template is a
 * typed error then and never a blank or a leak in an inbox. Rendering fills placeholders from a
 * context (`Render` builds one per audience) and escapes values for the part they land in.
 */
import type { CustomField } from "@tessera/core"
import { Effect, Schema } from "effect"

/**
 * Who a kind of notification is written for: customers (requester, CCs) or agents.
 *
 * @category models
 * @since 0.1.0
 */
export type KindAudience = "customer" | "agent"

/**
 * The events a kind can be bound to: the event whose fields its templates may use.
 *
 * @category models
 * @since 0.1.0
 */
export const EventType = Schema.Literals([
  "TicketOpened",
  "ReplyAdded",
  "NoteAdded",
  "StatusChanged",
  "AssigneeChanged",
  "GroupChanged",
  "PriorityChanged",
  "SlaWarningReached",
  "SlaBreached",
  "ProblemSolvedAnnounced"
])
/** @category models @since 0.1.0 */
export type EventType = typeof EventType.Type

/**
 * A kind of notification: its name (what `NotificationRequested.template` says), its audience,
 * the event it is bound to, any extra fields it offers (`sla.expected`, `survey.url`), and how
 * its mail marks itself: `auto-generated`, `auto-replied` (answers the customer's own mail), or
 * `no` for mail a person wrote (an agent's reply).
 *
 * @category models
 * @since 0.1.0
 */
export const Kind = Schema.Struct({
  name: Schema.String.check(
    Schema.isPattern(/^[a-z][a-z0-9_]{0,63}$/, {
      message: "Expected a kind name of 1 to 64 lower-case letters, digits or '_', starting with a letter"
    })
  ),
  audience: Schema.Literals(["customer", "agent"]),
  event: EventType,
  extras: Schema.optionalKey(Schema.Array(Schema.Literals(["sla.expected", "survey.url"]))),
  autoSubmitted: Schema.optionalKey(Schema.Literals(["auto-generated", "auto-replied", "no"]))
})
/** @category models @since 0.1.0 */
export type Kind = typeof Kind.Type

/**
 * The kinds the help desk ships: five for customers (`problem_solved` tells an incident's
 * requester that its problem is solved), four for agents.
 *
 * @category models
 * @since 0.1.0
 */
export const builtInKinds: ReadonlyArray<Kind> = [
  {
    name: "acknowledgement",
    audience: "customer",
    event: "TicketOpened",
    extras: ["sla.expected"],
    autoSubmitted: "auto-replied"
  },
  { name: "reply", audience: "customer", event: "ReplyAdded", autoSubmitted: "no" },
  { name: "still_on_it", audience: "customer", event: "SlaWarningReached", extras: ["sla.expected"] },
  { name: "survey", audience: "customer", event: "StatusChanged", extras: ["survey.url"] },
  { name: "problem_solved", audience: "customer", event: "ProblemSolvedAnnounced" },
  { name: "assigned", audience: "agent", event: "AssigneeChanged" },
  { name: "customer_replied", audience: "agent", event: "ReplyAdded" },
  { name: "sla_warning", audience: "agent", event: "SlaWarningReached" },
  { name: "mentioned", audience: "agent", event: "NoteAdded" }
]

/**
 * One placeholder a template may use, and whether customers may see it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Field {
  readonly path: string
  readonly agentOnly: boolean
}

const field = (path: string, agentOnly = false): Field => ({ path, agentOnly })

/** Offered by every kind. */
const common: ReadonlyArray<Field> = [
  field("ticket.number"),
  field("ticket.subject"),
  field("ticket.status"),
  field("ticket.priority"),
  field("requester.name"),
  field("recipient.name"),
  field("helpdesk.name"),
  field("ticket.assignee", true),
  field("ticket.group", true),
  field("ticket.tags", true)
]

/** Offered by the kinds bound to each event. */
const byEvent: Record<EventType, ReadonlyArray<Field>> = {
  TicketOpened: [field("message.text"), field("message.author")],
  ReplyAdded: [field("reply.text"), field("reply.author")],
  NoteAdded: [field("note.text", true), field("note.author", true)],
  StatusChanged: [field("status.from"), field("status.to")],
  AssigneeChanged: [field("assignee.name", true), field("group.name", true)],
  GroupChanged: [field("group.name", true)],
  PriorityChanged: [field("priority.from"), field("priority.to")],
  SlaWarningReached: [field("sla.metric", true), field("sla.due", true)],
  SlaBreached: [field("sla.metric", true), field("sla.due", true)],
  ProblemSolvedAnnounced: [field("problem.number")]
}

/**
 * The custom fields placeholders may name (`{{ticket.fields.plan}}`): the workspace's own
 * declarations (`helpdesk.config.customFields`), so that the help desk and its notifications
 * agree on which fields customers see. A field declared `internal` is for agents' templates only.
 *
 * @category models
 * @since 0.1.0
 */
export type FieldPolicy = ReadonlyArray<typeof CustomField.FieldDefinition.Encoded>

/**
 * No custom fields at all.
 *
 * @category constructors
 * @since 0.1.0
 */
export const noFields: FieldPolicy = []

/**
 * Every placeholder a kind offers, for agents and customers alike; `agentOnly` marks those a
 * customer template may not use.
 *
 * @category combinators
 * @since 0.1.0
 */
export const fieldsOf = (kind: Kind, fields: FieldPolicy = noFields): ReadonlyArray<Field> => [
  ...common,
  ...byEvent[kind.event],
  ...(kind.extras ?? []).map((path) => field(path)),
  ...fields.map((definition) => field(`ticket.fields.${definition.key}`, definition.internal === true))
]

/**
 * A template: the subject, plain text and HTML of one kind in one language, with `{{path}}`
 * placeholders.
 *
 * @category models
 * @since 0.1.0
 */
export const Template = Schema.Struct({
  kind: Kind.fields.name,
  language: Schema.String.check(
    Schema.isPattern(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: "Expected a language tag such as en or fr-CA" })
  ),
  subject: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
  text: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100_000)),
  html: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200_000))
})
/** @category models @since 0.1.0 */
export type Template = typeof Template.Type

/**
 * A template part.
 *
 * @category models
 * @since 0.1.0
 */
export type Part = "subject" | "text" | "html"

/**
 * One thing wrong with a template: a placeholder no field of its kind has (`unknown`), one its
 * audience may not see (`not-visible`: an internal note in a customer template), or braces that
 * do not form a placeholder (`malformed`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Problem {
  readonly part: Part
  readonly placeholder: string
  readonly reason: "unknown" | "not-visible" | "malformed"
}

/**
 * A template was refused when saved; `problems` lists every placeholder at fault.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidTemplate extends Schema.TaggedError<InvalidTemplate>()("InvalidTemplate", {
  kind: Schema.String,
  language: Schema.String,
  problems: Schema.Array(
    Schema.Struct({
      part: Schema.Literals(["subject", "text", "html"]),
      placeholder: Schema.String,
      reason: Schema.Literals(["unknown", "not-visible", "malformed"])
    })
  ),
  /** Set when the template is not even well-formed data (a missing part, a bad language tag). */
  detail: Schema.optionalKey(Schema.String)
}) {
  get retryable() {
    return false
  }
  override get message() {
    if (this.detail !== undefined) return `Template ${this.kind}/${this.language} is invalid: ${this.detail}`
    const listed = this.problems.map((p) => `${p.part}: {{${p.placeholder}}} (${p.reason})`).join(", ")
    return `Template ${this.kind}/${this.language} has placeholders it may not use: ${listed}`
  }
}

/**
 * A template names a kind the help desk does not know.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownKind extends Schema.TaggedError<UnknownKind>()("UnknownKind", { kind: Schema.String }) {
  get retryable() {
    return false
  }
  override get message() {
    return `No kind of notification is called "${this.kind}"`
  }
}

const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g
const pathPattern = /^[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/

/**
 * The placeholders of one part, in order, and the braces that form none.
 *
 * @category combinators
 * @since 0.1.0
 */
export const placeholders = (
  source: string
): { readonly paths: ReadonlyArray<string>; readonly malformed: ReadonlyArray<string> } => {
  const paths: Array<string> = []
  const malformed: Array<string> = []
  for (const match of source.matchAll(placeholderPattern)) {
    const path = match[1] ?? ""
    if (pathPattern.test(path)) paths.push(path)
    else malformed.push(path)
  }
  // Braces left once every placeholder is gone were meant as one and are not.
  const rest = source.replace(placeholderPattern, "")
  if (rest.includes("{{") || rest.includes("}}")) malformed.push(rest.includes("{{") ? "{{" : "}}")
  return { paths, malformed }
}

/**
 * Checks a template against the fields its kind offers its audience: every placeholder must be
 * a field of the kind, and a customer template may use no agent-only field. Fails with
 * `InvalidTemplate` listing every problem.
 *
 * @category combinators
 * @since 0.1.0
 */
export const check = (
  template: Template,
  kind: Kind,
  fields: FieldPolicy = noFields
): Effect.Effect<Template, InvalidTemplate> => {
  const offered = new Map(fieldsOf(kind, fields).map((f) => [f.path, f]))
  const internal = new Set(
    [...common, ...Object.values(byEvent).flat(), ...fieldsOf(kind, fields)]
      .filter((f) => f.agentOnly)
      .map((f) => f.path)
  )
  const problems: Array<Problem> = []
  for (const part of ["subject", "text", "html"] as const) {
    const found = placeholders(template[part])
    for (const placeholder of found.malformed) problems.push({ part, placeholder, reason: "malformed" })
    for (const placeholder of found.paths) {
      const f = offered.get(placeholder)
      // An internal field this kind does not offer is still one a customer may never see: say so.
      if (f === undefined)
        problems.push({
          part,
          placeholder,
          reason: kind.audience === "customer" && internal.has(placeholder) ? "not-visible" : "unknown"
        })
      else if (f.agentOnly && kind.audience === "customer") problems.push({ part, placeholder, reason: "not-visible" })
    }
  }
  return problems.length === 0
    ? Effect.succeed(template)
    : Effect.fail(new InvalidTemplate({ kind: template.kind, language: template.language, problems }))
}

/**
 * The values a template is rendered with, by placeholder path. What a context does not hold
 * renders as nothing: a customer context simply has no internal field.
 *
 * @category models
 * @since 0.1.0
 */
export type Context = ReadonlyMap<string, string>

// A line end (CRLF or a lone CR, both read as a newline), or a control character other than tab
// and newline, which is dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the point
const textUnsafe = /\r\n?|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the point
const lineBreaks = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g
// What HTML needs escaped, and newlines (which become `<br>`).
const htmlUnsafe = /[&<>"'\n]/g
const htmlEscapes: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "\n": "<br>\n"
}

/**
 * A value for a header (a subject, a display name): every control character and line break
 * becomes one space, so nothing a customer typed can start a header of its own.
 *
 * @category combinators
 * @since 0.1.0
 */
export const headerSafe = (value: string): string => value.replace(lineBreaks, " ").trim()

/**
 * A value for a plain-text part: newlines kept, every other control character dropped.
 *
 * @category combinators
 * @since 0.1.0
 */
export const textSafe = (value: string): string =>
  value.replace(textUnsafe, (found) => (found.charCodeAt(0) === 13 ? "\n" : ""))

/**
 * A value for an HTML part: escaped, its newlines as `<br>`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const htmlSafe = (value: string): string =>
  textSafe(value).replace(htmlUnsafe, (found) => htmlEscapes[found] ?? found)

/** A part split at its placeholders: text, path, text, path, ..., text (`split` keeps the captured paths). */
type Pieces = ReadonlyArray<string>

// Scanning a part for placeholders costs more than filling them: each template is split once,
// the first time it renders (a template is immutable data, so its pieces never go stale).
const piecesOf = new WeakMap<Template, { readonly subject: Pieces; readonly text: Pieces; readonly html: Pieces }>()

const split = (template: Template) => {
  const known = piecesOf.get(template)
  if (known !== undefined) return known
  const pieces = {
    subject: template.subject.split(placeholderPattern),
    text: template.text.split(placeholderPattern),
    html: template.html.split(placeholderPattern)
  }
  piecesOf.set(template, pieces)
  return pieces
}

const fill = (pieces: Pieces, context: Context, escape: (value: string) => string): string => {
  let out = pieces[0] ?? ""
  for (let i = 1; i < pieces.length; i += 2)
    out += escape(context.get(pieces[i] as string) ?? "") + (pieces[i + 1] ?? "")
  return out
}

/**
 * Renders a template with a context: each part's values escaped for that part (see
 * `headerSafe`, `textSafe`, `htmlSafe`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const render = (template: Template, context: Context): { subject: string; text: string; html: string } => {
  const pieces = split(template)
  return {
    subject: headerSafe(fill(pieces.subject, context, headerSafe)),
    text: fill(pieces.text, context, textSafe),
    html: fill(pieces.html, context, htmlSafe)
  }
}
