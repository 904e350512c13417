/**
 * Where mail that intake will not put on a ticket waits for a person: a message whose clues were
 * refused (when the policy holds them), a sender over the rate limit, mail from the help desk's
 * own address, mail the help desk refused, and mail that could not be parsed (its raw bytes kept
 * in the `AttachmentStore` at `rawLocation`). Nothing is dropped: a held message is listed until
 * someone releases it. `MemoryReviewQueue` is the reference; a durable one stores the same record.
 */
import type { StoreError } from "@tessera/core"
import { Context, type Effect } from "effect"
import type * as EmailError from "./EmailError.js"
import type * as Inbound from "./Inbound.js"

/**
 * Why a message is held.
 *
 * @category models
 * @since 0.1.0
 */
export type Reason = "unverified-clue" | "rate-limited" | "no-sender" | "from-own-address" | "refused" | "unparseable"

/**
 * What is held: the reason and a sentence about it, what is known of the mail, the parsed
 * message when there is one, and where its raw bytes are when they were kept.
 *
 * @category models
 * @since 0.1.0
 */
export interface Hold {
  readonly workspaceId: string
  readonly reason: Reason
  readonly detail: string
  readonly from: string | undefined
  readonly subject: string | undefined
  readonly messageId: string | undefined
  readonly rawLocation: string | undefined
  readonly message: Inbound.InboundMessage | undefined
  /** Why `parseInbound` refused the message, for a message held as `unparseable` by `Receive`. */
  readonly error?: EmailError.EmailError
}

/**
 * A held message as listed: the hold, its id in the queue and when (epoch ms) it was held.
 *
 * @category models
 * @since 0.1.0
 */
export interface Held extends Hold {
  readonly id: string
  readonly heldAt: number
}

/**
 * The review queue port. Every operation names its workspace; one never lists another's mail.
 *
 * @category services
 * @since 0.1.0
 */
export class ReviewQueue extends Context.Service<
  ReviewQueue,
  {
    /** Keeps a message for review; returns it as listed. */
    readonly hold: (hold: Hold) => Effect.Effect<Held, StoreError.StoreError>
    /** The held messages of a workspace, oldest first. */
    readonly list: (workspaceId: string) => Effect.Effect<ReadonlyArray<Held>, StoreError.StoreError>
    /** Removes a held message once handled; a missing id changes nothing. */
    readonly release: (workspaceId: string, id: string) => Effect.Effect<void, StoreError.StoreError>
  }
>()("@tessera/email/ReviewQueue") {}
