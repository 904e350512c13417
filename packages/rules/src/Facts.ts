/**
 * What a condition reads: the ticket after a command, the ticket before it, the events the
 * command produced, the texts it added, directory attributes, a classifier's verdict and the
 * time. Facts are plain data gathered by the caller (the rule runner, a test); conditions never
 * read the world, so evaluating a rule is pure and repeatable.
 *
 * @since 0.1.0
 */
import type { Ticket } from "@tessera/core"
import type { Sentiment, TriggerEvent, Urgency } from "./Rule.js"

/**
 * A classifier's verdict about a ticket.
 *
 * @category models
 * @since 0.1.0
 */
export interface Classification {
  readonly sentiment?: Sentiment | undefined
  readonly urgency?: Urgency | undefined
}

/**
 * The facts a rule is evaluated against.
 *
 * @category models
 * @since 0.1.0
 */
export interface Facts {
  /** The ticket after the command. */
  readonly ticket: Ticket.Ticket
  /** The ticket before the command; absent when the command created it. */
  readonly previous?: Ticket.Ticket | undefined
  /** What the command did. */
  readonly events: ReadonlyArray<TriggerEvent>
  /** The texts of the messages the command added. */
  readonly messages: ReadonlyArray<string>
  /** The handles the notes it added mention (`NoteAdded.mentions`), each once; absent when none. */
  readonly mentions?: ReadonlyArray<string> | undefined
  readonly requesterTier?: string | undefined
  readonly organizationTier?: string | undefined
  /** Epoch milliseconds, read once by the caller (from Effect's `Clock`). */
  readonly now: number
  /** Whether the workspace is open at an instant (e.g. from `BusinessCalendar`); absent: always open. */
  readonly isOpen?: ((at: number) => boolean) | undefined
  readonly classification?: Classification | undefined
  /** Epoch milliseconds of the requester's last public message. */
  readonly lastRequesterReplyAt?: number | undefined
  /** Epoch milliseconds of the last public message by an agent. */
  readonly lastAgentReplyAt?: number | undefined
}

/**
 * The times of the last public message by the requester and by an agent, read from the
 * ticket's messages.
 *
 * @category combinators
 * @since 0.1.0
 */
export const lastReplies = (
  ticket: Ticket.Ticket
): { readonly lastRequesterReplyAt?: number; readonly lastAgentReplyAt?: number } => {
  let requester: number | undefined
  let agent: number | undefined
  for (const m of ticket.messages) {
    if (m.visibility !== "public") continue
    const at = m.at.epochMilliseconds
    if (m.author._tag === "contact" && m.author.id === ticket.requester) requester = Math.max(requester ?? at, at)
    else if (m.author._tag === "agent") agent = Math.max(agent ?? at, at)
  }
  return {
    ...(requester === undefined ? {} : { lastRequesterReplyAt: requester }),
    ...(agent === undefined ? {} : { lastAgentReplyAt: agent })
  }
}

/**
 * Builds facts: `events` and `messages` default to none, and the last reply times are read from
 * the ticket unless given.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  input: Omit<Facts, "events" | "messages"> & {
    readonly events?: ReadonlyArray<TriggerEvent> | undefined
    readonly messages?: ReadonlyArray<string> | undefined
  }
): Facts => ({
  ...lastReplies(input.ticket),
  ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
  ticket: input.ticket,
  now: input.now,
  events: input.events ?? [],
  messages: input.messages ?? []
})
