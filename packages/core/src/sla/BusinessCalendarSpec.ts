/**
 * The JSON spec of a business calendar as schemas (re-exported by `BusinessCalendar`, where users
 * find them), and its validation into rules: one pass that lists every problem of the shape and
 * of the meaning with its path, as the `InvalidConfig` every configuration decoder returns. The
 * rules themselves and the time arithmetic on them are in `internal/`.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import * as ConfigError from "../values/ConfigError.js"
import type { Rules } from "./internal/rules.js"
import { compile } from "./internal/spec.js"

/**
 * Opening hours of one day: ranges `"HH:MM-HH:MM"` in the calendar's zone. An end of `"24:00"`
 * closes at midnight; an end earlier than the start crosses midnight (`"22:00-06:00"`).
 *
 * @category models
 * @since 0.1.0
 */
export const OpeningHours = Schema.Array(Schema.String)
/** @category models @since 0.1.0 */
export type OpeningHours = typeof OpeningHours.Type

/**
 * Opening hours per weekday; a missing day is closed.
 *
 * @category models
 * @since 0.1.0
 */
export const WeeklyHours = Schema.Struct({
  monday: Schema.optionalKey(OpeningHours),
  tuesday: Schema.optionalKey(OpeningHours),
  wednesday: Schema.optionalKey(OpeningHours),
  thursday: Schema.optionalKey(OpeningHours),
  friday: Schema.optionalKey(OpeningHours),
  saturday: Schema.optionalKey(OpeningHours),
  sunday: Schema.optionalKey(OpeningHours)
})
/** @category models @since 0.1.0 */
export type WeeklyHours = typeof WeeklyHours.Type

/**
 * A holiday: one date (`"2026-12-25"`), an inclusive range of dates, or a date every year
 * (`"12-25"`; `"02-29"` applies in leap years only). Closed all day, unless an exception says
 * otherwise; the name is kept for explanations.
 *
 * @category models
 * @since 0.1.0
 */
export const Holiday = Schema.Union([
  Schema.Struct({ date: Schema.String, name: Schema.optionalKey(Schema.String) }),
  Schema.Struct({ from: Schema.String, to: Schema.String, name: Schema.optionalKey(Schema.String) }),
  Schema.Struct({ yearly: Schema.String, name: Schema.optionalKey(Schema.String) })
])
/** @category models @since 0.1.0 */
export type Holiday = typeof Holiday.Type

/**
 * Special hours on one date, replacing that date's weekly hours and any holiday: `hours: []`
 * closes the day, and leaving `hours` out opens a holiday with the usual weekly hours.
 *
 * @category models
 * @since 0.1.0
 */
export const Exception = Schema.Struct({
  date: Schema.String,
  hours: Schema.optionalKey(OpeningHours),
  name: Schema.optionalKey(Schema.String)
})
/** @category models @since 0.1.0 */
export type Exception = typeof Exception.Type

const SpecShape = Schema.Struct({
  timeZone: Schema.String,
  weekly: Schema.Union([Schema.Literal("24/7"), WeeklyHours]),
  holidays: Schema.optionalKey(Schema.Array(Holiday)),
  exceptions: Schema.optionalKey(Schema.Array(Exception))
})

/**
 * The JSON spec of a calendar: an IANA time zone, weekly hours (or `"24/7"`), holidays and
 * exceptions. Decoding checks everything `make` checks and reports each problem at its path;
 * decode with `{ onExcessProperty: "error" }` so that a misspelt weekday is not dropped.
 *
 * @example
 * ```ts
 * const spec: BusinessCalendar.Spec = {
 *   timeZone: "Europe/Paris",
 *   weekly: { monday: ["09:00-12:00", "14:00-18:00"], friday: ["09:00-12:00", "22:00-06:00"] },
 *   holidays: [{ date: "2026-05-01" }, { from: "2026-08-10", to: "2026-08-21" }, { yearly: "12-25" }],
 *   exceptions: [{ date: "2026-12-24", hours: ["09:00-12:00"] }]
 * }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const Spec = SpecShape.check(
  Schema.makeFilter((spec: typeof SpecShape.Type) => {
    const compiled = compile(spec)
    return "problems" in compiled
      ? compiled.problems.map((problem) => ({ path: problem.path, issue: problem.message }))
      : undefined
  })
)
/** @category models @since 0.1.0 */
export type Spec = typeof SpecShape.Type

/**
 * A spec from untrusted JSON, with its rules, or one `InvalidConfig` listing every problem: values
 * of the wrong shape and unknown keys, and what the rules require (a known zone, well-formed
 * times and dates, hours that do not overlap, some opening hours).
 *
 * @category constructors
 * @since 0.1.0
 */
export const validate = (
  input: unknown
): Result.Result<{ readonly spec: Spec; readonly rules: Rules }, ConfigError.InvalidConfig> => {
  const shape = Schema.decodeUnknownResult(SpecShape)(input, strict)
  const spec = (typeof input === "object" && input !== null ? input : {}) as Readonly<Record<string, unknown>>
  let problems = Result.isFailure(shape) ? ConfigError.problems(shape.failure.issue) : []
  const holidays = spec.holidays
  if (Array.isArray(holidays)) {
    // A holiday has one of three shapes: report the problems of the shape it has, not of all three.
    problems = problems.filter((p) => !(p.path[0] === "holidays" && typeof p.path[1] === "number"))
    holidays.forEach((holiday: unknown, i) => {
      for (const p of holidayProblems(holiday)) problems = [...problems, { ...p, path: ["holidays", i, ...p.path] }]
    })
  }
  const compiled = compile(spec)
  if ("problems" in compiled) problems = [...problems, ...compiled.problems]
  if (problems.length > 0 || Result.isFailure(shape) || !("rules" in compiled))
    return Result.fail(ConfigError.invalid("calendar", [...problems].sort(byPlaceInSpec)))
  return Result.succeed({ spec: shape.success, rules: compiled.rules })
}

const strict = { errors: "all", onExcessProperty: "error" } as const

const holidayProblems = (holiday: unknown): ReadonlyArray<ConfigError.Problem> => {
  const [date, range, yearly] = Holiday.members
  const member =
    typeof holiday !== "object" || holiday === null
      ? undefined
      : "date" in holiday
        ? date
        : "from" in holiday || "to" in holiday
          ? range
          : "yearly" in holiday
            ? yearly
            : undefined
  if (member === undefined) {
    return [
      { path: [], message: 'Expected { "date" }, { "from", "to" } or { "yearly" }, each with an optional "name"' }
    ]
  }
  const decoded = Schema.decodeUnknownResult(member)(holiday, strict)
  return Result.isFailure(decoded) ? ConfigError.problems(decoded.failure.issue) : []
}

const specKeys: ReadonlyArray<unknown> = ["timeZone", "weekly", "holidays", "exceptions"]

/** Problems in the order of the spec's keys (schema and meaning mixed), in the order found within a key. */
const byPlaceInSpec = (a: ConfigError.Problem, b: ConfigError.Problem): number => {
  const rank = (p: ConfigError.Problem) => (p.path.length === 0 ? -1 : specKeys.indexOf(p.path[0]))
  const byKey = rank(a) - rank(b)
  if (byKey !== 0) return byKey
  const [i, j] = [a.path[1], b.path[1]]
  return typeof i === "number" && typeof j === "number" ? i - j : 0
}
