// The calendar both libraries compute on, defined once: Europe/Paris, Monday to Friday
// 09:00-18:00, and 12 public holidays a year (the French ones plus the Friday after Ascension),
// as a Tessera spec and as moment-business-time's locale settings.
import type { BusinessCalendar } from "@tessera/core"

export const timeZone = "Europe/Paris"

/** Opening hours, Monday to Friday; `SPLIT_HOURS` is the lunch-break variant of the side check. */
export const DAY_HOURS: ReadonlyArray<string> = ["09:00-18:00"]
export const SPLIT_HOURS: ReadonlyArray<string> = ["09:00-12:00", "14:00-18:00"]

/** Holidays on the same date every year (8). */
export const yearlyHolidays: ReadonlyArray<string> = [
  "01-01", // Jour de l'an
  "05-01", // Fête du travail
  "05-08", // Victoire 1945
  "07-14", // Fête nationale
  "08-15", // Assomption
  "11-01", // Toussaint
  "11-11", // Armistice
  "12-25" // Noël
]

/** Holidays that move with Easter (4 a year): Easter Monday, Ascension, its bridge Friday, Whit Monday. */
export const datedHolidays: ReadonlyArray<string> = [
  "2026-04-06",
  "2026-05-14",
  "2026-05-15",
  "2026-05-25",
  "2027-03-29",
  "2027-05-06",
  "2027-05-07",
  "2027-05-17"
]

const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"] as const

/** The Tessera spec of the calendar with the given weekday hours. */
export const spec = (hours: ReadonlyArray<string>): BusinessCalendar.Spec => ({
  timeZone,
  weekly: Object.fromEntries(weekdays.map((day) => [day, hours])),
  holidays: [...yearlyHolidays.map((yearly) => ({ yearly })), ...datedHolidays.map((date) => ({ date }))]
})

/**
 * moment-business-time's locale settings for the same calendar: `workinghours` per weekday
 * (0 = Sunday) as a flat list of open/close times, and `holidays` as date globs.
 */
export const peerLocale = (hours: ReadonlyArray<string>) => {
  const times = hours.flatMap((range) => range.split("-").map((time) => `${time}:00`))
  return {
    workinghours: { 0: null, 1: times, 2: times, 3: times, 4: times, 5: times, 6: null },
    holidays: [...yearlyHolidays.map((monthDay) => `*-${monthDay}`), ...datedHolidays]
  }
}
