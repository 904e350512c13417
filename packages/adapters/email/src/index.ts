/**
 * @tessera/email: inbound mail for Tessera. `parseInbound` turns raw MIME into a typed message
 * under hard limits; `intake` turns that message into help-desk commands, threading only through
 * a signed token or a sender already on the ticket; an SMTP listener and an IMAP poller feed it.
 *
 * @since 0.1.0
 * @module @tessera/email
 */

export * as AutoReply from "./AutoReply.js"
export * as Contacts from "./Contacts.js"
export * as ControlHeaders from "./ControlHeaders.js"
export * as EmailError from "./EmailError.js"
export * as EmailLimits from "./EmailLimits.js"
export * as FileAttachmentStore from "./FileAttachmentStore.js"
export * as FileReviewQueue from "./FileReviewQueue.js"
export * as ImapSource from "./ImapSource.js"
export type * as Inbound from "./Inbound.js"
export * as Intake from "./Intake.js"
export { intake } from "./Intake.js"
export * as LoopGuard from "./LoopGuard.js"
export * as MailSource from "./MailSource.js"
export * as MemoryReviewQueue from "./MemoryReviewQueue.js"
export * as Parse from "./Parse.js"
export { parseInbound } from "./Parse.js"
export * as PromiseEmail from "./Promise.js"
export * as PromiseIntake from "./PromiseIntake.js"
export { createIntake } from "./PromiseIntake.js"
export * as Receive from "./Receive.js"
export { receive } from "./Receive.js"
export * as ReplyText from "./ReplyText.js"
export * as ReviewQueue from "./ReviewQueue.js"
export * as Signature from "./Signature.js"
export * as SmtpSource from "./SmtpSource.js"
export * as Threading from "./Threading.js"
export * as TicketBody from "./TicketBody.js"
