/**
 * Control headers are how a trusted system steers a help desk through mail (`X-Tessera-Priority`,
 * a gateway's `X-Spam-Verdict`); on mail from the outside world anyone can write them. This
 * module removes them from an inbound message before intake, rules or anything else reads it,
 * so a customer cannot set their own priority or skip a check by adding a header.
 */
import type * as Inbound from "./Inbound.js"

/**
 * The prefix of the help desk's own control headers, always removed (lower case).
 *
 * @category models
 * @since 0.1.0
 */
export const prefix = "x-tessera-"

/**
 * Whether a header is a control header: `X-Tessera-*`, or one of `configured` (any case).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isControl = (name: string, configured: ReadonlyArray<string> = []): boolean => {
  const lower = name.trim().toLowerCase()
  return lower.startsWith(prefix) || configured.some((c) => c.trim().toLowerCase() === lower)
}

/**
 * The message without its control headers; the removed names are returned beside it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const strip = (
  message: Inbound.InboundMessage,
  configured: ReadonlyArray<string> = []
): { readonly message: Inbound.InboundMessage; readonly removed: ReadonlyArray<string> } => {
  const removed = message.headers.filter((h) => isControl(h.name, configured)).map((h) => h.name)
  return removed.length === 0
    ? { message, removed }
    : { message: { ...message, headers: message.headers.filter((h) => !isControl(h.name, configured)) }, removed }
}
