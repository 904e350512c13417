/**
 * `tessera check`: a rule file's problems, the decoder's and the static checks' (`Analysis.check`)
 * in one list, each with its JSON path, the rule it is in and its severity. A file that does not
 * decode is not analysed (the checks need decoded rules); one that does gets every finding. What
 * the checks mean is `@tessera/rules`' business (docs/rules-analysis.md).
 *
 * @since 0.1.0
 */
import { Analysis, type Rule } from "@tessera/rules"
import type * as RuleFile from "./RuleFile.js"

/**
 * One problem: `invalid` (the decoder refused the document) or a kind of static check.
 *
 * @category models
 * @since 0.1.0
 */
export interface Problem {
  readonly severity: Analysis.Severity
  readonly kind: "invalid" | Analysis.Kind
  readonly path: Rule.Path
  /** The ids of the rules involved (the rule the path points into, for a decoding problem). */
  readonly rules: ReadonlyArray<string>
  readonly message: string
}

/**
 * What `check` found in a rule file.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly file: string
  /** Whether the file decoded; when it did not, `rules` is how many entries the file has. */
  readonly decoded: boolean
  readonly rules: number
  readonly errors: number
  readonly warnings: number
  readonly problems: ReadonlyArray<Problem>
}

/**
 * The problems of a decoded (or undecodable) rule file, in file order.
 *
 * @category combinators
 * @since 0.1.0
 */
export const check = (file: string, decoded: RuleFile.Decoded): Report => {
  const problems: ReadonlyArray<Problem> =
    decoded._tag === "Invalid"
      ? decoded.problems.map((p) => {
          const index = p.path[0]
          const id = typeof index === "number" ? decoded.ids[index] : undefined
          return {
            severity: "error",
            kind: "invalid",
            path: p.path,
            rules: id === undefined ? [] : [id],
            message: p.message
          }
        })
      : Analysis.check(decoded.rules).map((f) => ({
          severity: f.severity,
          kind: f.kind,
          path: f.path ?? [],
          rules: f.rules,
          message: f.message
        }))
  return {
    file,
    decoded: decoded._tag === "Decoded",
    rules: decoded._tag === "Decoded" ? decoded.rules.length : decoded.ids.length,
    errors: problems.filter((p) => p.severity === "error").length,
    warnings: problems.filter((p) => p.severity === "warning").length,
    problems
  }
}

/**
 * A JSON path as people read it: `[0].if.all[1].op` (`(root)` for the whole file).
 *
 * @category combinators
 * @since 0.1.0
 */
export const formatPath = (path: Rule.Path): string =>
  path.length === 0
    ? "(root)"
    : path
        .map((step, i) =>
          typeof step === "number"
            ? `[${step}]`
            : /^[A-Za-z_$][\w$]*$/.test(step)
              ? i === 0
                ? step
                : `.${step}`
              : `[${JSON.stringify(step)}]`
        )
        .join("")

/**
 * The report as lines of text: one line per problem (severity, path, rule, kind, message), then
 * a summary line.
 *
 * @category combinators
 * @since 0.1.0
 */
export const render = (report: Report): ReadonlyArray<string> => {
  const lines = report.problems.map((p) => {
    const rule = p.rules.length === 0 ? "" : ` (${p.rules.map((id) => `"${id}"`).join(", ")})`
    return `${report.file}:${formatPath(p.path)}: ${p.severity} ${p.kind}${rule}: ${p.message}`
  })
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`
  const summary = `${report.file}: ${count(report.rules, "rule")}, ${count(report.errors, "error")}, ${count(report.warnings, "warning")}`
  return [...lines, report.decoded ? summary : `${summary} (the file does not decode, so it was not analysed)`]
}
