/**
 * A workspace's book of templates: the kinds it knows (the built-in ones and its own, each bound
 * to an event), the templates saved for them per language over the shipped defaults, and the
 * lookup a notification uses (the recipient's language, then its base language, then English).
 * Saving checks the template first (`Template.check`); where templates are stored between runs is
 * the application's choice: they are plain data, saved again at start.
 */
import { Effect, Option, Schema } from "effect"
import * as DefaultTemplates from "./DefaultTemplates.js"
import * as Template from "./Template.js"

/**
 * A kind the book cannot take: a name that is already a kind's, or data that is not a kind.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidKind extends Schema.TaggedError<InvalidKind>()("InvalidKind", {
  kind: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Kind "${this.kind}" cannot be added: ${this.reason}`
  }
}

/**
 * What saving a template can fail with.
 *
 * @category errors
 * @since 0.1.0
 */
export type SaveError = Template.InvalidTemplate | Template.UnknownKind

/**
 * What a book starts from: extra kinds of the workspace, its custom fields (which are public),
 * and templates to save over the defaults (each checked as `save` does).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly kinds?: ReadonlyArray<Template.Kind>
  readonly fields?: Template.FieldPolicy
  readonly templates?: ReadonlyArray<unknown>
  /** The language used when a recipient's is missing: `en` by default. */
  readonly fallbackLanguage?: string
}

/**
 * A book of templates.
 *
 * @category models
 * @since 0.1.0
 */
export interface Templates {
  readonly fields: Template.FieldPolicy
  /** Every kind, built-in first. */
  readonly kinds: () => ReadonlyArray<Template.Kind>
  /** The kind of notification of this name, if known. */
  readonly kind: (name: string) => Option.Option<Template.Kind>
  /** Adds a kind of the workspace's own, bound to an event. */
  readonly addKind: (kind: unknown) => Effect.Effect<Template.Kind, InvalidKind>
  /**
   * Checks a template and keeps it, replacing the one of its kind and language: an unknown or
   * invisible placeholder fails with `InvalidTemplate` listing them all, and nothing changes.
   */
  readonly save: (template: unknown) => Effect.Effect<Template.Template, SaveError>
  /** The template of a kind for a language: that language, its base, the fallback, or none. */
  readonly find: (kind: string, language: string) => Option.Option<Template.Template>
  /** Every template the book holds (defaults included). */
  readonly list: () => ReadonlyArray<Template.Template>
}

const keyOf = (kind: string, language: string) => `${kind}\u0000${language.toLowerCase()}`

const decodeTemplate = Schema.decodeUnknownExit(Template.Template)
const decodeKind = Schema.decodeUnknownExit(Template.Kind)

const describe = (input: unknown, field: string): string => {
  if (typeof input !== "object" || input === null) return "?"
  const value = (input as Record<string, unknown>)[field]
  return typeof value === "string" ? value.slice(0, 100) : "?"
}

/**
 * A book holding the defaults (`DefaultTemplates.defaults`), then the options' kinds and
 * templates. Fails as `addKind` and `save` would on the first bad one.
 *
 * @example
 * const book = yield* Templates.make({ fields: helpdesk.config.customFields })
 * yield* book.save({ kind: "acknowledgement", language: "de", subject: "[#{{ticket.number}}] Danke", text: "...", html: "..." })
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<Templates, InvalidKind | SaveError> =>
  Effect.gen(function* () {
    const fields = options.fields ?? Template.noFields
    const fallback = options.fallbackLanguage ?? "en"
    const kinds = new Map<string, Template.Kind>(Template.builtInKinds.map((k) => [k.name, k]))
    const templates = new Map<string, Template.Template>()

    const kind = (name: string) => Option.fromNullishOr(kinds.get(name))

    const addKind = (input: unknown): Effect.Effect<Template.Kind, InvalidKind> => {
      const decoded = decodeKind(input)
      if (decoded._tag === "Failure") {
        return Effect.fail(
          new InvalidKind({ kind: describe(input, "name"), reason: "not a kind (name, audience, event)" })
        )
      }
      const k = decoded.value
      if (kinds.has(k.name)) return Effect.fail(new InvalidKind({ kind: k.name, reason: "a kind has this name" }))
      return Effect.sync(() => {
        kinds.set(k.name, k)
        return k
      })
    }

    const save = (input: unknown): Effect.Effect<Template.Template, SaveError> =>
      Effect.gen(function* () {
        const decoded = decodeTemplate(input, { errors: "all" })
        if (decoded._tag === "Failure") {
          return yield* new Template.InvalidTemplate({
            kind: describe(input, "kind"),
            language: describe(input, "language"),
            problems: [],
            detail: "expected kind, language, subject, text and html (non-empty strings)"
          })
        }
        const template = decoded.value
        const k = kinds.get(template.kind)
        if (k === undefined) return yield* new Template.UnknownKind({ kind: template.kind })
        yield* Template.check(template, k, fields)
        templates.set(keyOf(template.kind, template.language), template)
        return template
      })

    const find = (name: string, language: string): Option.Option<Template.Template> => {
      const base = language.split("-")[0] ?? language
      for (const candidate of [language, base, fallback]) {
        const found = templates.get(keyOf(name, candidate))
        if (found !== undefined) return Option.some(found)
      }
      return Option.none()
    }

    for (const t of DefaultTemplates.defaults) yield* save(t)
    for (const k of options.kinds ?? []) yield* addKind(k)
    for (const t of options.templates ?? []) yield* save(t)

    return {
      fields,
      kinds: () => [...kinds.values()],
      kind,
      addKind,
      save,
      find,
      list: () => [...templates.values()]
    }
  })
