/**
 * Identifiers of the ticketing domain, as branded schemas. A ticket has two ids: an internal
 * `TicketId` (opaque, from the `IdGenerator` port) that names its event stream, and a short
 * `PublicId` (69369) that people quote, unique per workspace.
 */
import { Effect, Schema, SchemaGetter, SchemaIssue } from "effect"
import { publicIdMax } from "./Limits.js"

/** What an id may hold, in words: a failed check says this, not the regular expression. */
const idRule = "1 to 128 letters, digits, '_', '.', ':' or '-', starting with a letter or a digit"

const OpaqueId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, { message: `Expected an id of ${idRule}` })
)

/**
 * A workspace (tenant): every ticket, contact and agent belongs to exactly one.
 *
 * @category models
 * @since 0.1.0
 */
export const WorkspaceId = OpaqueId.pipe(Schema.brand("WorkspaceId"))
/** @category models @since 0.1.0 */
export type WorkspaceId = typeof WorkspaceId.Type

/**
 * The internal id of a ticket; also the id of its event stream.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketId = OpaqueId.pipe(Schema.brand("TicketId"))
/** @category models @since 0.1.0 */
export type TicketId = typeof TicketId.Type

/**
 * The short number people quote ("ticket 69369"); unique per workspace. At most
 * `Limits.publicIdMax`, which every store's column holds.
 *
 * @category models
 * @since 0.1.0
 */
export const PublicId = Schema.Int.check(
  Schema.isBetween(
    { minimum: 1, maximum: publicIdMax },
    { message: `Expected a ticket number from 1 to ${publicIdMax}` }
  )
).pipe(Schema.brand("PublicId"))
/** @category models @since 0.1.0 */
export type PublicId = typeof PublicId.Type

/**
 * The id of one message (public reply or internal note) in a ticket's conversation.
 *
 * @category models
 * @since 0.1.0
 */
export const MessageId = OpaqueId.pipe(Schema.brand("MessageId"))
/** @category models @since 0.1.0 */
export type MessageId = typeof MessageId.Type

/**
 * A contact: a person who asks for help (Jane Sharpe).
 *
 * @category models
 * @since 0.1.0
 */
export const ContactId = OpaqueId.pipe(Schema.brand("ContactId"))
/** @category models @since 0.1.0 */
export type ContactId = typeof ContactId.Type

/**
 * A customer organization that contacts belong to.
 *
 * @category models
 * @since 0.1.0
 */
export const OrganizationId = OpaqueId.pipe(Schema.brand("OrganizationId"))
/** @category models @since 0.1.0 */
export type OrganizationId = typeof OrganizationId.Type

/**
 * An agent: a member of the support team (Mary).
 *
 * @category models
 * @since 0.1.0
 */
export const AgentId = OpaqueId.pipe(Schema.brand("AgentId"))
/** @category models @since 0.1.0 */
export type AgentId = typeof AgentId.Type

/**
 * A group of agents that tickets are routed to (billing, tier 2).
 *
 * @category models
 * @since 0.1.0
 */
export const GroupId = OpaqueId.pipe(Schema.brand("GroupId"))
/** @category models @since 0.1.0 */
export type GroupId = typeof GroupId.Type

/**
 * The prefix of every internal ticket id (`tkt_01jd...`): the `IdGenerator`'s prefix for
 * tickets, which the help desk keeps on every id it stores. A reference that carries it is an
 * internal id; one made of digits is a public number.
 *
 * @category models
 * @since 0.1.0
 */
export const ticketIdPrefix = "tkt_"

const publicNumberText = /^#?([0-9]{1,10})$/

const refProblem = (raw: unknown): string =>
  `Expected a ticket number (69369, "69369" or "#69369") or an internal ticket id starting with "${ticketIdPrefix}", got ${JSON.stringify(raw)}`

/**
 * How a caller's reference reads: a public number (a number, or its digits as text, with or
 * without a leading `#`), an internal id (with its prefix), or neither.
 */
const readRef = (raw: number | string): number | string | undefined => {
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw >= 1 && raw <= publicIdMax ? raw : undefined
  const text = raw.trim()
  const digits = publicNumberText.exec(text)?.[1]
  if (digits !== undefined) {
    const n = Number(digits)
    return n >= 1 && n <= publicIdMax ? n : undefined
  }
  return text.startsWith(ticketIdPrefix) && Schema.is(OpaqueId)(text) ? text : undefined
}

/**
 * A ticket reference as callers write it, decoded to exactly one meaning: a public number
 * (`69369`, or from a URL parameter `"69369"` or `"#69369"`) is a `PublicId`, and a string
 * with the ticket prefix (`"tkt_01jd..."`) is a `TicketId`. Anything else (`"abc"`, `0`,
 * `"1.5"`) is refused with a message that says what a reference looks like. Encoding gives a
 * number for a public number and the id for an internal id.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketRef = Schema.Union([Schema.Number, Schema.String]).pipe(
  Schema.decodeTo(Schema.Union([PublicId, TicketId]), {
    decode: SchemaGetter.transformEffect((raw: number | string, options) => {
      const read = readRef(raw)
      return read === undefined
        ? Effect.fail(new SchemaIssue.InvalidValue({ message: refProblem(raw) }, raw, options))
        : Effect.succeed(read as PublicId | TicketId)
    }),
    encode: SchemaGetter.passthroughSupertype()
  })
)
/** @category models @since 0.1.0 */
export type TicketRef = typeof TicketRef.Type
