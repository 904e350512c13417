/**
 * The threading ids of the mail the help desk sends: a signed Message-ID per delivery (so a
 * reply to it proves which ticket it answers, see `@tessera/email`'s `Signature`), and the
 * In-Reply-To / References that put it in the thread the recipient already has: the customer's
 * own Message-IDs recorded on the ticket's messages, and the ids of the help desk's earlier
 * notifications to them, recomputed from the log (the same inputs give the same id).
 */
import { createHash } from "node:crypto"
import type { Ticket, TicketEvent } from "@tessera/core"
import { Signature } from "@tessera/email"
import type { Audience } from "./Notification.js"

/**
 * What signs and names the help desk's ids.
 *
 * @category models
 * @since 0.1.0
 */
export interface Signing {
  readonly keys: Signature.Keys
  readonly workspaceId: string
  /** The domain of the help desk's Message-IDs (`mail.acme.test`). */
  readonly domain: string
}

/** References beyond this many are dropped (the first is always kept, as RFC 5322 suggests). */
const maxReferences = 20

const bare = (id: string) => id.trim().replace(/^<|>$/g, "")

/**
 * The Message-ID of the mail of one outbox message to one address, without angle brackets.
 *
 * @category constructors
 * @since 0.1.0
 */
export const messageId = (signing: Signing, publicId: number, outboxId: string, address: string): string =>
  Signature.messageId(signing.keys, {
    workspaceId: signing.workspaceId,
    publicId,
    unique: `${outboxId}-${createHash("sha256").update(address.trim().toLowerCase()).digest("hex").slice(0, 12)}`,
    domain: signing.domain
  })

/**
 * The thread a mail joins.
 *
 * @category models
 * @since 0.1.0
 */
export interface Thread {
  readonly inReplyTo?: string
  readonly references: ReadonlyArray<string>
}

/**
 * The thread of a mail to `address` for the notification at `version`: the email ids of the
 * ticket's messages the audience may see, and the help desk's earlier notifications of the same
 * audience (`audienceOf` says a template's), oldest first; In-Reply-To is the newest.
 *
 * @category combinators
 * @since 0.1.0
 */
export const thread = (input: {
  readonly signing: Signing
  readonly ticket: Ticket.Ticket
  readonly history: ReadonlyArray<TicketEvent.TicketEvent>
  readonly version: number
  readonly audience: Audience
  readonly address: string
  readonly audienceOf: (template: string) => Audience | undefined
}): Thread => {
  const found: Array<{ readonly at: number; readonly id: string }> = []
  for (const m of input.ticket.messages) {
    if (m.email === undefined || (input.audience !== "agent" && m.visibility !== "public")) continue
    found.push({ at: m.at.epochMilliseconds, id: bare(m.email.messageId) })
  }
  input.history.slice(0, input.version - 1).forEach((e, i) => {
    if (e._tag !== "NotificationRequested" || input.audienceOf(e.template) !== input.audience) return
    const outboxId = `notification:${input.ticket.id}:${i + 1}`
    found.push({
      at: e.at.epochMilliseconds,
      id: messageId(input.signing, input.ticket.publicId, outboxId, input.address)
    })
  })
  const ordered = found
    .map((f, i) => [f, i] as const)
    .sort(([a, i], [b, j]) => a.at - b.at || i - j)
    .map(([f]) => f.id)
  const ids = [...new Set(ordered)].filter((id) => id !== "")
  const references = ids.length > maxReferences ? [ids[0] as string, ...ids.slice(-(maxReferences - 1))] : ids
  const last = references[references.length - 1]
  return last === undefined ? { references } : { inReplyTo: last, references }
}
