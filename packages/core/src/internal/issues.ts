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

/** Keys missing or unexpected in an issue: how far the input's shape is from a schema's. */
const shapeDistance = (issue: SchemaIssue.Issue): number => {
  switch (issue._tag) {
    case "MissingKey":
    case "UnexpectedKey":
      return 1
    case "Pointer":
    case "Filter":
    case "Encoding":
      return shapeDistance(issue.issue)
    case "Composite":
    case "AnyOf":
      return issue.issues.reduce((sum, inner) => sum + shapeDistance(inner), 0)
    default:
      return 0
  }
}

/**
 * The issue with each failed union narrowed to the members whose shape the input has: an input
 * `{ email: "jane" }` against `{ id } | { email }` fails on its email, and the `{ id }` member's
 * "id: Missing key" would only mislead. Members equally close all stay.
 */
const closestMembers = (issue: SchemaIssue.Issue): SchemaIssue.Issue => {
  switch (issue._tag) {
    case "Pointer":
      return new SchemaIssue.Pointer(issue.path, closestMembers(issue.issue))
    case "Filter":
      return new SchemaIssue.Filter(issue.filter, closestMembers(issue.issue))
    case "Encoding":
      return new SchemaIssue.Encoding(issue.ast, closestMembers(issue.issue))
    case "Composite": {
      const [first, ...rest] = issue.issues
      return new SchemaIssue.Composite(issue.ast, [closestMembers(first), ...rest.map(closestMembers)])
    }
    case "AnyOf": {
      if (issue.issues.length < 2) return issue
      const members = issue.issues.map(closestMembers)
      const least = Math.min(...members.map(shapeDistance))
      const closest = members.filter((member) => shapeDistance(member) === least)
      return closest.length === 1 && closest[0] !== undefined ? closest[0] : new SchemaIssue.AnyOf(issue.ast, closest)
    }
    default:
      return issue
  }
}

/** Every problem of an issue, each with its path; a failed union reports its closest members only. */
export const problemsOf = (
  issue: SchemaIssue.Issue
): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }> =>
  formatter(closestMembers(issue)).issues.map((i) => ({ path: (i.path ?? []).map(pathSegment), message: i.message }))

/** The first problem of an issue (a spec's error names one place), with a fallback message. */
export const firstProblem = (
  issue: SchemaIssue.Issue,
  fallback: string
): { readonly path: ReadonlyArray<string | number>; readonly message: string } =>
  problemsOf(issue)[0] ?? { path: [], message: fallback }
