/**
 * The email side behind plain Promises, for applications that do not use Effect: a book of
 * templates whose `save` resolves with the checked template or rejects with the same tagged
 * `InvalidTemplate` / `UnknownKind` instances (`err._tag === "InvalidTemplate"`, `err.problems`),
 * and an SMTP sender with a `close`. It adds no behaviour to `Templates` and `SmtpSender`.
 */
import { PromiseHelpdesk } from "@tessera/core"
import { Effect, Exit, type Option, Scope } from "effect"
import type { Delivery, Receipt } from "./Notification.js"
import * as SmtpSender from "./SmtpSender.js"
import type * as Template from "./Template.js"
import * as Templates from "./Templates.js"

const run = async <A, E>(effect: Effect.Effect<A, E>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw PromiseHelpdesk.rejection(exit.cause)
}

/**
 * A book of templates with Promise methods; `templates` is the Effect book itself (for `prepare`).
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseTemplates {
  readonly templates: Templates.Templates
  /** Checks a template against its kind and saves it; rejects with the problems found. */
  readonly save: (template: unknown) => Promise<Template.Template>
  /** Adds a kind of notification of the application's own; rejects when it does not check. */
  readonly addKind: (kind: unknown) => Promise<Template.Kind>
  /** The template of a kind in a language (else its base language, else the fallback), if any. */
  readonly find: (kind: string, language: string) => Template.Template | undefined
  /** Every kind of notification known, shipped and added. */
  readonly kinds: () => ReadonlyArray<Template.Kind>
}

/**
 * A book of templates (see `Templates.make`); rejects like `save` on the first bad option.
 *
 * @example
 * ```ts
 * const book = await PromiseMail.templates()
 * await book.save({ kind: "reply", language: "en", subject: "{{ticket.subjetc}}", text: "x", html: "x" })
 * // rejects: InvalidTemplate, problems [{ part: "subject", placeholder: "ticket.subjetc", reason: "unknown" }]
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const templates = async (options: Templates.Options = {}): Promise<PromiseTemplates> => {
  const book = await run(Templates.make(options))
  const optional = <A>(o: Option.Option<A>): A | undefined => (o._tag === "Some" ? o.value : undefined)
  return {
    templates: book,
    save: (template) => run(book.save(template)),
    addKind: (kind) => run(book.addKind(kind)),
    find: (kind, language) => optional(book.find(kind, language)),
    kinds: book.kinds
  }
}

/**
 * An SMTP sender with Promise methods; `close` ends its pooled transport.
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseSmtpSender {
  readonly sender: SmtpSender.SmtpSender
  /** Sends one delivery; rejects with a `DeliveryFailed`. */
  readonly send: (delivery: Delivery) => Promise<Receipt>
  /** Closes the SMTP pool it opened. */
  readonly close: () => Promise<void>
}

/**
 * An SMTP sender (see `SmtpSender.make`): `send` rejects with the same `DeliveryFailed`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const smtpSender = async (options: SmtpSender.Options): Promise<PromiseSmtpSender> => {
  const scope = await run(Scope.make())
  const sender = await run(Scope.provide(SmtpSender.make(options), scope))
  return {
    sender,
    send: (delivery) => run(sender.send(delivery)),
    close: () => run(Scope.close(scope, Exit.void))
  }
}
