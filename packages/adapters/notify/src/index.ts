/**
 * @tessera/notify: the outbox, delivered. A worker drains the notifications `Helpdesk` writes in
 * the events' transaction, at least once with an idempotency key per delivery, with backoff and
 * a dead-letter state; email goes out over SMTP with threading headers and a signed reply
 * address, webhooks are signed with HMAC-SHA256 and never reach private networks unless allowed.
 * Customers never receive internal notes.
 *
 * @since 0.1.0
 * @module @tessera/notify
 */

export * as Backoff from "./Backoff.js"
export * as DefaultTemplates from "./DefaultTemplates.js"
export * as EmailPrepare from "./EmailPrepare.js"
export * as ExpectedResponse from "./ExpectedResponse.js"
export * as LoopCap from "./LoopCap.js"
export * as MailOut from "./MailOut.js"
export * as Notification from "./Notification.js"
export * as Notifier from "./Notifier.js"
export * as NotifierClient from "./NotifierClient.js"
export { createNotifier } from "./NotifierClient.js"
export * as NotifyTriggers from "./NotifyTriggers.js"
export * as OutboundThreading from "./OutboundThreading.js"
export * as PromiseMail from "./PromiseMail.js"
export * as Recipients from "./Recipients.js"
export * as Render from "./Render.js"
export * as SmtpSender from "./SmtpSender.js"
export * as Ssrf from "./Ssrf.js"
export * as SurveyToken from "./SurveyToken.js"
export * as Template from "./Template.js"
export * as Templates from "./Templates.js"
export * as WebhookPayload from "./WebhookPayload.js"
export * as WebhookReplay from "./WebhookReplay.js"
export * as WebhookSender from "./WebhookSender.js"
export * as WebhookSignature from "./WebhookSignature.js"
export * as WebhookVerify from "./WebhookVerify.js"
export * as Worker from "./Worker.js"
export * as WorkerClient from "./WorkerClient.js"
export { createWorker } from "./WorkerClient.js"
