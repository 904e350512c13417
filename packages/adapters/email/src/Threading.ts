/**
 * The one verifier every threading path goes through: given the clues of an inbound message and
 * who sent it, which ticket (if any) it may join. A signed token that verifies (`Signature`) is
 * proof; every other clue (a Message-ID recorded on a ticket, a subject number, an unsigned
 * plus-address) only counts when the sender is already the ticket's requester or a follower,
 * because `From:` alone can be forged. It decides and writes nothing: `Intake` acts on the route.
 */
import type { Directory, Helpdesk, Ticket } from "@tessera/core"
import { Effect, Option } from "effect"
import type * as Inbound from "./Inbound.js"
import * as Signature from "./Signature.js"

/**
 * Where a clue came from: a signed token in a recipient's plus part or in a Message-ID the
 * message replies to, a Message-ID recorded on a ticket, a `[#n]` subject number, or a plus part
 * with a number but no signature.
 *
 * @category models
 * @since 0.1.0
 */
export type ClueKind = "signed-address" | "signed-message-id" | "message-id" | "subject" | "address"

/**
 * One clue and what it says (the token, the Message-ID, the subject number).
 *
 * @category models
 * @since 0.1.0
 */
export interface Clue {
  readonly kind: ClueKind
  readonly value: string
}

/**
 * Why a clue did not lead to a ticket: its signature is wrong (`tampered`), it names no ticket
 * of this workspace, or the ticket is not the sender's (`not-a-participant`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Refusal {
  readonly clue: Clue
  readonly reason: "tampered" | "unknown-ticket" | "not-a-participant"
}

/**
 * The verifier's answer. `Join`: the message belongs on `ticket` (as found: a merged or closed
 * ticket is for the help desk to follow), `trust` says why, and `participant` whether the
 * sender is its requester or a follower. `NewTicket`: no clue holds. `Hold`: a clue was refused
 * and the policy holds such mail for review.
 *
 * @category models
 * @since 0.1.0
 */
export type Route =
  | {
      readonly _tag: "Join"
      readonly ticket: Ticket.Ticket
      readonly clue: Clue
      readonly trust: "signed" | "participant"
      readonly participant: boolean
      readonly refused: ReadonlyArray<Refusal>
    }
  | { readonly _tag: "NewTicket"; readonly refused: ReadonlyArray<Refusal> }
  | { readonly _tag: "Hold"; readonly refused: ReadonlyArray<Refusal> }

/**
 * How the verifier reads tickets: by public number (a merged ticket's number leads to its
 * target, as `Helpdesk.get` does), and by a Message-ID first recorded on a ticket.
 *
 * @category models
 * @since 0.1.0
 */
export interface Lookup {
  /** The ticket with this public number, if any. */
  readonly byNumber: (publicId: number) => Effect.Effect<Option.Option<Ticket.Ticket>, Helpdesk.HelpdeskError>
  /** The ticket a message with this `Message-ID` was first recorded on, if any. */
  readonly byEmailId: (messageId: string) => Effect.Effect<Option.Option<Ticket.Ticket>, Helpdesk.HelpdeskError>
}

/**
 * What the verifier needs besides the message.
 *
 * @category models
 * @since 0.1.0
 */
export interface Context {
  readonly workspaceId: string
  readonly keys: Signature.Keys
  /** The sender's contact, when the sender's address has one. */
  readonly sender: Option.Option<Directory.Contact>
  /** What a refused clue leads to: a new ticket (default) or a hold for review. */
  readonly onRefused: "new-ticket" | "hold"
  readonly lookup: Lookup
}

/** References beyond this many (newest first) are not looked up: a thread is not that deep. */
const maxReferences = 20

/**
 * Whether a contact is on a ticket: its requester or a contact following it.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isParticipant = (ticket: Ticket.Ticket, contact: string): boolean =>
  ticket.requester === contact || ticket.followers.some((f) => f._tag === "contact" && f.id === contact)

/** The Message-IDs a message answers, the one it replies to first, then References newest first. */
const answered = (threading: Inbound.Threading): ReadonlyArray<string> => {
  const ids = [...threading.inReplyTo, ...[...threading.references].reverse()]
  return [...new Set(ids.map((id) => id.trim()).filter((id) => id !== ""))].slice(0, maxReferences)
}

type Signed = { readonly clue: Clue; readonly parsed: Signature.Parsed }

/** Tokens with a MAC, in the recipients' plus parts first (the address the sender wrote to). */
const signedClues = (message: Inbound.InboundMessage): ReadonlyArray<Signed> => {
  const found: Array<Signed> = []
  for (const plus of message.threading.plusTokens) {
    const parsed = Signature.parse(plus)
    if (Option.isSome(parsed) && parsed.value.mac !== undefined)
      found.push({ clue: { kind: "signed-address", value: plus }, parsed: parsed.value })
  }
  for (const id of answered(message.threading)) {
    const parsed = Signature.parse(id)
    if (Option.isSome(parsed) && parsed.value.mac !== undefined)
      found.push({ clue: { kind: "signed-message-id", value: id }, parsed: parsed.value })
  }
  return found
}

/**
 * Routes a message: the first signed token that verifies and names a ticket joins it; failing
 * that, the first unsigned clue naming a ticket the sender is on joins it; otherwise a new
 * ticket, or a hold when a clue was refused and `onRefused` is `hold`. A tampered token is
 * refused and its number is used by no other clue of the message.
 *
 * @category combinators
 * @since 0.1.0
 */
export const route = (message: Inbound.InboundMessage, ctx: Context): Effect.Effect<Route, Helpdesk.HelpdeskError> =>
  Effect.gen(function* () {
    const refused: Array<Refusal> = []
    const tampered = new Set<number>()
    const senderId = Option.map(ctx.sender, (c) => c.id)
    const on = (ticket: Ticket.Ticket) => Option.isSome(senderId) && isParticipant(ticket, senderId.value)

    for (const { clue, parsed } of signedClues(message)) {
      if (!Signature.verify(ctx.keys, ctx.workspaceId, parsed)) {
        tampered.add(parsed.publicId)
        refused.push({ clue, reason: "tampered" })
        continue
      }
      const ticket = yield* ctx.lookup.byNumber(parsed.publicId)
      if (Option.isNone(ticket)) {
        refused.push({ clue, reason: "unknown-ticket" })
        continue
      }
      return {
        _tag: "Join",
        ticket: ticket.value,
        clue,
        trust: "signed",
        participant: on(ticket.value),
        refused
      } satisfies Route
    }

    /** An unsigned clue joins only a ticket the sender is already on. */
    const consider = (clue: Clue, ticket: Option.Option<Ticket.Ticket>): Route | undefined => {
      if (Option.isNone(ticket)) {
        refused.push({ clue, reason: "unknown-ticket" })
        return undefined
      }
      if (tampered.has(ticket.value.publicId) || !on(ticket.value)) {
        refused.push({ clue, reason: tampered.has(ticket.value.publicId) ? "tampered" : "not-a-participant" })
        return undefined
      }
      return { _tag: "Join", ticket: ticket.value, clue, trust: "participant", participant: true, refused }
    }

    for (const id of answered(message.threading)) {
      const ticket = yield* ctx.lookup.byEmailId(id)
      // A Message-ID that is no ticket's is most often another mail of the thread: not a clue.
      if (Option.isNone(ticket)) continue
      const joined = consider({ kind: "message-id", value: id }, ticket)
      if (joined !== undefined) return joined
    }
    const numbers: Array<{ readonly clue: Clue; readonly publicId: number }> = []
    if (message.threading.subjectNumber !== undefined) {
      numbers.push({
        clue: { kind: "subject", value: `#${message.threading.subjectNumber}` },
        publicId: message.threading.subjectNumber
      })
    }
    for (const plus of message.threading.plusTokens) {
      const parsed = Signature.parse(plus)
      if (Option.isSome(parsed) && parsed.value.mac === undefined)
        numbers.push({ clue: { kind: "address", value: plus }, publicId: parsed.value.publicId })
    }
    for (const { clue, publicId } of numbers) {
      if (tampered.has(publicId)) {
        refused.push({ clue, reason: "tampered" })
        continue
      }
      const joined = consider(clue, yield* ctx.lookup.byNumber(publicId))
      if (joined !== undefined) return joined
    }
    return refused.length > 0 && ctx.onRefused === "hold"
      ? ({ _tag: "Hold", refused } satisfies Route)
      : ({ _tag: "NewTicket", refused } satisfies Route)
  })
