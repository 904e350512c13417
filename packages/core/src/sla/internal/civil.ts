/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), without
 * `Date`: the results must not depend on the machine's time zone. Algorithms from Howard
 * Hinnant, "chrono-Compatible Low-Level Date Algorithms".
 */

/** Milliseconds in a calendar day of wall-clock time. */
export const DAY_MS = 86_400_000

/** The day number of a civil date (month 1-12). */
export const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

/** The civil date (month 1-12) of a day number. */
export const civilFromDays = (
  days: number
): { readonly year: number; readonly month: number; readonly day: number } => {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

/** Day of the week of a day number: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export const weekdayOf = (days: number): number => (((days + 4) % 7) + 7) % 7

/** Whether a civil date exists (month 1-12, day within the month). */
export const isValidDate = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)

const daysInMonth = (year: number, month: number): number =>
  month === 12 ? 31 : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1)

/** Whether a year of the proleptic Gregorian calendar is a leap year. */
export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/** The instant at which a year starts in UTC (its 1 January, 00:00Z), in epoch milliseconds. */
export const yearStart = (year: number): number => daysFromCivil(year, 1, 1) * DAY_MS

/** The UTC year of an instant in epoch milliseconds. */
export const yearOf = (epochMillis: number): number => civilFromDays(Math.floor(epochMillis / DAY_MS)).year

/**
 * The layout of a year, 0-13: the weekday of its 1 January and whether it is a leap year. Two
 * years with the same layout have the same weekday on every date, so any rule stated in dates,
 * weekdays and times of day (weekly hours, yearly holidays, a zone's annual DST rule) treats them
 * alike; their starts are a whole number of weeks apart.
 */
export const yearLayout = (year: number): number =>
  weekdayOf(daysFromCivil(year, 1, 1)) * 2 + (isLeapYear(year) ? 1 : 0)
