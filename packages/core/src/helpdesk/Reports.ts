/**
 * The help desk's report (`Scoped.report`): the tickets' metrics kept by a `Report.Projection`
 * per business calendar, caught up from the store's ordered feed (`readAll`, this workspace only)
 * on every call, so a report counts every event committed before it. Only those who see every
 * ticket (the system, and agents whose visibility is everything: admins) may report; others are
 * refused with `NotPermitted`, as for any operation the policy does not let them use.
 */
import { Effect } from "effect"
import * as Report from "../reporting/Report.js"
import type * as BusinessCalendar from "../sla/BusinessCalendar.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"
import { decode, InvalidInput } from "./Input.js"

/**
 * The business calendar a report counts in: the configured SLA calendar `name`; without a name,
 * the one named `"business_hours"` (the SLA policies' default), else the only one configured,
 * else none (business time equals calendar time). `undefined` when `name` is not configured.
 *
 * @category combinators
 * @since 0.1.0
 */
export const calendarOf = (
  calendars: Readonly<Record<string, BusinessCalendar.BusinessCalendar>>,
  name: string | undefined
): { readonly name: string; readonly calendar: BusinessCalendar.BusinessCalendar | undefined } | undefined => {
  if (name !== undefined) {
    return Object.hasOwn(calendars, name) ? { name, calendar: calendars[name] } : undefined
  }
  if (Object.hasOwn(calendars, "business_hours")) return { name: "business_hours", calendar: calendars.business_hours }
  const names = Object.keys(calendars)
  return names.length === 1 && names[0] !== undefined
    ? { name: names[0], calendar: calendars[names[0]] }
    : { name: "", calendar: undefined }
}

/**
 * The report operation of one help desk (the caller checks who may use it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = ({ ws, store, sla }: Deps) => {
  const projections = new Map<string, Report.Projection>()
  const decodeInput = decode(In.ReportInput, "report")
  const calendars = sla?.calendars ?? {}

  return (raw: In.ReportInput): Op<Report.Report> =>
    Effect.gen(function* () {
      const input = yield* decodeInput(raw)
      const chosen = calendarOf(calendars, input.calendar)
      if (chosen === undefined) {
        const known = Object.keys(calendars)
        return yield* new InvalidInput({
          input: "report",
          problems: [
            {
              path: ["calendar"],
              message: `no SLA calendar named ${JSON.stringify(input.calendar)} (configured: ${known.length === 0 ? "none" : known.join(", ")})`
            }
          ]
        })
      }
      if (input.to.epochMilliseconds <= input.from.epochMilliseconds) {
        return yield* new InvalidInput({
          input: "report",
          problems: [{ path: ["to"], message: "must be later than from" }]
        })
      }
      let projection = projections.get(chosen.name)
      if (projection === undefined) {
        projection = Report.makeProjection(
          chosen.calendar === undefined ? { workspaceId: ws } : { workspaceId: ws, calendar: chosen.calendar }
        )
        projections.set(chosen.name, projection)
      }
      yield* projection.catchUp(store)
      return projection.report({ from: input.from, to: input.to }, input.by ?? [])
    })
}
