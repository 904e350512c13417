/**
 * @tessera/email: inbound mail for Tessera. `parseInbound` turns raw MIME into a typed message
 * under hard limits; `intake` turns that message into help-desk commands, threading only through
 * a signed token or a sender already on the ticket; an SMTP listener and an IMAP poller feed it.
 *
 * @since 0.1.0
 * @module @tessera/email
 */

export * as AutoReply from "./AutoReply.js"
export * as EmailError from "./EmailError.js"
export * as EmailLimits from "./EmailLimits.js"
export * as ImapSource from "./ImapSource.js"
export type * as Inbound from "./Inbound.js"
export * as MailSource from "./MailSource.js"
export * as Parse from "./Parse.js"
export { parseInbound } from "./Parse.js"
export * as PromiseEmail from "./Promise.js"
export * as ReplyText from "./ReplyText.js"
export * as SmtpSource from "./SmtpSource.js"
