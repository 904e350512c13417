/**
 * The one error every configuration decoder returns: SLA policies, business calendars, priority
 * and tag policies, rules and the help desk's own configuration all report `InvalidConfig`,
 * listing every problem found with its JSON path, so a user fixes a document in one pass.
 */
import { Schema, type SchemaIssue } from "effect"
import { problemsOf } from "../internal/issues.js"

/**
 * One problem in a document: where (a path of keys and indexes) and what.
 *
 * @category models
 * @since 0.1.0
 */
export const Problem = Schema.Struct({
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String
})
/** @category models @since 0.1.0 */
export type Problem = typeof Problem.Type

/**
 * Problems as one line of text: each path (dotted; `(root)` for the whole document) and its
 * message, separated by semicolons. Every error that lists problems writes its message with it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const describe = (found: ReadonlyArray<Problem>): string =>
  found.map((p) => `${p.path.length === 0 ? "(root)" : p.path.join(".")}: ${p.message}`).join("; ")

/**
 * Which configuration document a problem is in.
 *
 * @category models
 * @since 0.1.0
 */
export const Document = Schema.Literals([
  "sla-policies",
  "calendar",
  "priority-policy",
  "tag-policy",
  "rules",
  "helpdesk"
])
/** @category models @since 0.1.0 */
export type Document = typeof Document.Type

/**
 * A configuration document that does not hold: `problems` lists every problem found, each with
 * its path (`[]` for the document as a whole). Never retryable: the same document is refused again.
 *
 * @example
 * ```ts
 * const result = SlaPolicy.decodePolicySet({ policies: [{ id: 1 }], default: {} })
 * // Result.fail(InvalidConfig { config: "sla-policies", problems: [{ path: ["policies", 0, "id"], ... }, ...] })
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  config: Document,
  problems: Schema.Array(Problem)
}) {
  /** The same document is refused again: correct it first. */
  get retryable() {
    return false
  }
  override get message() {
    return `Invalid ${this.config} configuration: ${describe(this.problems)}`
  }
}

/**
 * Every problem of a schema issue, as `InvalidConfig` problems.
 *
 * @category constructors
 * @since 0.1.0
 */
export const problems = (issue: SchemaIssue.Issue): ReadonlyArray<Problem> => problemsOf(issue)

/**
 * An `InvalidConfig` for `config` from its problems, with `prefix` put before every path (for a
 * document nested in another, such as the SLA policies inside the help desk's configuration).
 *
 * @category constructors
 * @since 0.1.0
 */
export const invalid = (
  config: Document,
  found: ReadonlyArray<Problem>,
  prefix: ReadonlyArray<string | number> = []
): InvalidConfig =>
  new InvalidConfig({ config, problems: found.map((p) => ({ path: [...prefix, ...p.path], message: p.message })) })
