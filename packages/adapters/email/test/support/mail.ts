/**
 * Inbound messages for intake tests, built directly (parsing is `parseInbound`'s and tested
 * there), and a help desk in memory with intake's services around it.
 */
import { type Helpdesk, MemoryHelpdesk, MemoryIntakeGuard } from "@tessera/core"
import { Effect, Layer } from "effect"
import type * as Inbound from "../../src/Inbound.js"
import * as Intake from "../../src/Intake.js"
import * as MemoryReviewQueue from "../../src/MemoryReviewQueue.js"
import * as Signature from "../../src/Signature.js"

export const workspaceId = "acme"
export const keys = Effect.runSync(Signature.keys(["current-2026-key-0123456789abcdef", "old-2025-key-".repeat(3)]))
export const oldKeyOnly = Effect.runSync(Signature.keys(["old-2025-key-".repeat(3)]))
export const own = { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] }

let counter = 0

/** A human message from `from` to support, with a fresh Message-ID; `fields` override anything. */
export const mail = (
  from: string,
  fields: Partial<Omit<Inbound.InboundMessage, "threading">> & { readonly threading?: Partial<Inbound.Threading> } = {}
): Inbound.InboundMessage => {
  counter += 1
  const { threading, ...rest } = fields
  return {
    from: { name: "", address: from },
    replyTo: [],
    to: [{ name: "Support", address: "support@acme.test" }],
    cc: [],
    deliveredTo: [],
    subject: `Message ${counter}`,
    date: undefined,
    text: `Body of message ${counter}`,
    visibleText: `Body of message ${counter}`,
    html: undefined,
    attachments: [],
    classification: { kind: "human", reasons: [] },
    headers: [],
    problems: [],
    ...rest,
    threading: {
      messageId: `m${counter}.${"x"}@customer.test`,
      inReplyTo: [],
      references: [],
      subjectNumber: undefined,
      plusTokens: [],
      ...threading
    }
  }
}

/** The services of intake over an in-memory help desk numbering tickets from 69369. */
export const layer = (options: Partial<Intake.Options> = {}, config: Partial<typeof Helpdesk.Helpdesk.Service> = {}) =>
  Layer.mergeAll(Intake.layer({ keys, own, ...options }), MemoryIntakeGuard.layer, MemoryReviewQueue.layer).pipe(
    Layer.provideMerge(
      MemoryHelpdesk.layer({ workspaceId, ...(config as object) }, { ids: "sequential", firstPublicId: 69369 })
    )
  )
