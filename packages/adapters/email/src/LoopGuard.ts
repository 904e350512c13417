/**
 * Loop protection: mail loops start when one machine answers another. This module says whether
 * an inbound message may be answered automatically (never an auto-reply, a bounce, a list, or
 * the help desk's own mail), and caps how many system messages (acknowledgements,
 * notifications) one ticket or one recipient gets in a window, for the notifier to call before
 * it sends. Counting goes through the `IntakeGuard` port, so the caps hold across processes when
 * the guard is shared.
 */
import { IntakeGuard, type StoreError } from "@tessera/core"
import { Effect } from "effect"
import type * as Inbound from "./Inbound.js"

/**
 * The help desk's own identity in mail: the addresses it sends from (support@, the reply
 * addresses' mailboxes) and the domains of the Message-IDs it writes.
 *
 * @category models
 * @since 0.1.0
 */
export interface Own {
  readonly addresses: ReadonlyArray<string>
  readonly messageIdDomains: ReadonlyArray<string>
}

/**
 * What loop protection makes of a message: whether it is the help desk's own (its Message-ID is
 * at one of our domains: our mail come back; or it is from one of our addresses), whether a
 * machine wrote it, whether it may be answered automatically, and why.
 *
 * @category models
 * @since 0.1.0
 */
export interface Verdict {
  readonly own: "message" | "address" | undefined
  readonly automated: boolean
  readonly answerable: boolean
  readonly reasons: ReadonlyArray<string>
}

const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase()

/** An address without its plus part, lower case: `support+t1.x@acme.test` is `support@acme.test`. */
const base = (address: string) => {
  const lower = address.trim().toLowerCase()
  const at = lower.lastIndexOf("@")
  return `${lower.slice(0, at).split("+")[0]}${lower.slice(at)}`
}

/**
 * Classifies a message for loop protection.
 *
 * @category combinators
 * @since 0.1.0
 */
export const verdict = (message: Inbound.InboundMessage, own: Own): Verdict => {
  const reasons: Array<string> = []
  const domains = own.messageIdDomains.map((d) => d.toLowerCase())
  const addresses = new Set(own.addresses.map(base))
  const messageId = message.threading.messageId
  let ownKind: Verdict["own"]
  if (messageId?.includes("@") && domains.includes(domainOf(messageId))) {
    ownKind = "message"
    reasons.push(`Message-ID at the help desk's domain ${domainOf(messageId)}`)
  } else if (message.from !== undefined && addresses.has(base(message.from.address))) {
    ownKind = "address"
    reasons.push(`From: the help desk's own address ${message.from.address}`)
  }
  const automated = message.classification.kind !== "human"
  if (automated) reasons.push(`classified ${message.classification.kind}`, ...message.classification.reasons)
  return { own: ownKind, automated, answerable: !automated && ownKind === undefined, reasons }
}

/**
 * Caps on system messages: at most `perTicket` to one ticket and `perRecipient` to one address
 * in each window of `windowMillis`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Caps {
  readonly perTicket: number
  readonly perRecipient: number
  readonly windowMillis: number
}

/**
 * The caps used when none are given: 20 per ticket and 10 per recipient an hour, far above what
 * a conversation between people sends and far below a loop.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultCaps: Caps = { perTicket: 20, perRecipient: 10, windowMillis: 60 * 60 * 1000 }

/**
 * Whether the help desk may send one more system message about `ticketId` to `recipient` now;
 * counts it when it may not too (a loop keeps knocking). `exceeded` names the cap that refused.
 *
 * @category combinators
 * @since 0.1.0
 */
export const allowSystemMessage = (
  input: { readonly workspaceId: string; readonly ticketId: string; readonly recipient: string },
  caps: Caps = defaultCaps
): Effect.Effect<
  { readonly allowed: boolean; readonly exceeded: ReadonlyArray<"ticket" | "recipient"> },
  StoreError.StoreError,
  IntakeGuard.IntakeGuard
> =>
  Effect.gen(function* () {
    const guard = yield* IntakeGuard.IntakeGuard
    const ticket = yield* guard.count(
      `${input.workspaceId}:system:ticket:${input.ticketId}`,
      caps.perTicket,
      caps.windowMillis
    )
    const recipient = yield* guard.count(
      `${input.workspaceId}:system:recipient:${base(input.recipient)}`,
      caps.perRecipient,
      caps.windowMillis
    )
    const exceeded = [
      ...(ticket.allowed ? [] : ["ticket" as const]),
      ...(recipient.allowed ? [] : ["recipient" as const])
    ]
    return { allowed: exceeded.length === 0, exceeded }
  })
