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
export * as Notification from "./Notification.js"
export * as Worker from "./Worker.js"
export * as WorkerClient from "./WorkerClient.js"
export { createWorker } from "./WorkerClient.js"
