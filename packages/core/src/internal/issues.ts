/**
 * Schema issues as plain problems: a path of keys and indexes, and a message. Shared by every
 * place that decodes JSON from outside (`Input`, the SLA, priority, tag and calendar specs), so
 * that they all report paths the same way. No domain imports: anything may use it.
 */
import { SchemaIssue } from "effect"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const pathSegment = (segment: unknown): string | number => {
  const key = typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment
  return typeof key === "number" ? key : String(key)
}

/** Every problem of an issue, each with its path. */
export const problemsOf = (
  issue: SchemaIssue.Issue
): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }> =>
  formatter(issue).issues.map((i) => ({ path: (i.path ?? []).map(pathSegment), message: i.message }))

/** The first problem of an issue (a spec's error names one place), with a fallback message. */
export const firstProblem = (
  issue: SchemaIssue.Issue,
  fallback: string
): { readonly path: ReadonlyArray<string | number>; readonly message: string } =>
  problemsOf(issue)[0] ?? { path: [], message: fallback }
