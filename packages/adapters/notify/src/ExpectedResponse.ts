/**
 * The expected response time an acknowledgement (or a "still on it" update) promises, written
 * for the requester in business terms, their language and their time zone: "within 4 business
 * hours, by Monday 10:00", "sous 4 heures ouvrées, d'ici lundi 10:00". It phrases what core's
 * SLA already computed (`Sla.Explanation`: the target and the due time); it computes no due time.
 */
import { Lru, type Sla, type SlaMetric } from "@tessera/core"
import type { DateTime } from "effect"

/**
 * What is promised: the target (minutes, business or calendar clock) and when it is due.
 *
 * @category models
 * @since 0.1.0
 */
export interface Promise {
  readonly target: { readonly minutes: number; readonly clock: "business" | "calendar" }
  readonly dueAt: DateTime.Utc
}

/**
 * Where and how to write it: a language (BCP 47; French and English are known, others read
 * English) and an IANA time zone.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reader {
  readonly language: string
  readonly timeZone: string
}

interface Phrases {
  readonly unit: (count: number, unit: "minute" | "hour" | "day", business: boolean) => string
  readonly within: (amount: string, by: string) => string
  readonly by: (by: string) => string
  readonly unknown: string
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

const english: Phrases = {
  unit: (count, unit, business) =>
    plural(count, `${business ? "business " : ""}${unit}`, `${business ? "business " : ""}${unit}s`),
  within: (amount, by) => `within ${amount}, by ${by}`,
  by: (by) => `by ${by}`,
  unknown: "as soon as we can"
}

const french: Phrases = {
  unit: (count, unit, business) => {
    const [one, many, fem] =
      unit === "minute"
        ? ["minute", "minutes", true]
        : unit === "hour"
          ? ["heure", "heures", true]
          : ["jour", "jours", false]
    const adjective = business ? (fem ? (count > 1 ? " ouvrées" : " ouvrée") : count > 1 ? " ouvrés" : " ouvré") : ""
    return `${count} ${count > 1 ? many : one}${adjective}`
  },
  within: (amount, by) => `sous ${amount}, d'ici ${by}`,
  by: (by) => `d'ici ${by}`,
  unknown: "dans les meilleurs délais"
}

const phrasesFor = (language: string): Phrases => (language.toLowerCase().split("-")[0] === "fr" ? french : english)

/** A language Intl knows, else English: a reader's odd tag never breaks a mail. */
const locale = (language: string): string => {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([language]).length > 0 ? language : "en"
  } catch {
    return "en"
  }
}

/** A time zone Intl knows, else UTC. */
const zone = (timeZone: string): string => {
  try {
    new Intl.DateTimeFormat("en", { timeZone })
    return timeZone
  } catch {
    return "UTC"
  }
}

interface Formatters {
  readonly language: string
  readonly near: Intl.DateTimeFormat
  readonly far: Intl.DateTimeFormat
  readonly time: Intl.DateTimeFormat
}

// Building an Intl.DateTimeFormat costs far more than using one, and every mail of a reader's
// language and zone uses the same: they are kept, a bounded number of pairs (readers' tags are input).
const formatters = Lru.make<string, Formatters>(256)

const formattersFor = (reader: Reader): Formatters => {
  const key = `${reader.language}\u0000${reader.timeZone}`
  const known = formatters.get(key)
  if (known !== undefined) return known
  const language = locale(reader.language)
  const timeZone = zone(reader.timeZone)
  const made: Formatters = {
    language,
    near: new Intl.DateTimeFormat(language, { weekday: "long", timeZone }),
    far: new Intl.DateTimeFormat(language, { weekday: "long", day: "numeric", month: "long", timeZone }),
    time: new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone })
  }
  formatters.set(key, made)
  return made
}

const capitalizeFirst = (text: string, language: string) =>
  // Weekdays are capitalised in English and not in French; Intl knows which.
  language.startsWith("en") ? text.charAt(0).toUpperCase() + text.slice(1) : text

/**
 * A due time as the reader's wall clock says it: the weekday and time ("Monday 10:00"), with
 * the date when it is a week away or more ("Monday 14 December 10:00"), seen from `now`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const formatDue = (dueAt: DateTime.Utc, reader: Reader, now?: DateTime.Utc): string => {
  const format = formattersFor(reader)
  const date = new globalThis.Date(dueAt.epochMilliseconds)
  const far = now !== undefined && dueAt.epochMilliseconds - now.epochMilliseconds >= 6 * 86_400_000
  const day = (far ? format.far : format.near).format(date)
  return `${capitalizeFirst(day, format.language)} ${format.time.format(date)}`
}

/**
 * The target as an amount: whole hours as hours, less than an hour in minutes, whole 24-hour
 * days of a calendar clock as days, anything else in minutes.
 *
 * @category combinators
 * @since 0.1.0
 */
export const formatTarget = (target: Promise["target"], language: string): string => {
  const phrases = phrasesFor(language)
  const business = target.clock === "business"
  const minutes = Math.round(target.minutes)
  if (!business && minutes >= 1440 && minutes % 1440 === 0) return phrases.unit(minutes / 1440, "day", false)
  if (minutes >= 60 && minutes % 60 === 0) return phrases.unit(minutes / 60, "hour", business)
  return phrases.unit(minutes, "minute", business)
}

/**
 * The sentence: "within 4 business hours, by Monday 10:00" (English) or "sous 4 heures
 * ouvrées, d'ici lundi 10:00" (French), in the reader's time zone.
 *
 * @category combinators
 * @since 0.1.0
 */
export const describe = (promise: Promise, reader: Reader, now?: DateTime.Utc): string =>
  phrasesFor(reader.language).within(
    formatTarget(promise.target, reader.language),
    formatDue(promise.dueAt, reader, now)
  )

/**
 * The due time alone: "by Monday 15:00", "d'ici lundi 15:00". What a "still on it" update says,
 * once part of the target has run.
 *
 * @category combinators
 * @since 0.1.0
 */
export const describeDue = (promise: Promise, reader: Reader, now?: DateTime.Utc): string =>
  phrasesFor(reader.language).by(formatDue(promise.dueAt, reader, now))

/**
 * What to say without an SLA promise: "as soon as we can", "dans les meilleurs délais".
 *
 * @category combinators
 * @since 0.1.0
 */
export const fallback = (language: string): string => phrasesFor(language).unknown

const replyMetrics: ReadonlyArray<SlaMetric.Metric> = ["first_reply", "next_reply"]

/**
 * The promise among a ticket's SLA explanations (`Helpdesk.explainDue`) as it stood at `asOf`
 * (when the notification was asked for, so every attempt says the same): the given metric
 * instance when one is named (the warning a "still on it" update answers), else the latest
 * reply metric (first or next reply) then running: started, not yet fulfilled nor breached.
 *
 * @category combinators
 * @since 0.1.0
 */
export const pick = (
  explanations: ReadonlyArray<Sla.Explanation>,
  asOf: DateTime.Utc,
  wanted?: { readonly metric: SlaMetric.Metric; readonly instance: number }
): Promise | undefined => {
  const after = (d: DateTime.Utc | undefined) => d === undefined || d.epochMilliseconds > asOf.epochMilliseconds
  const candidates = explanations.filter((e) =>
    wanted === undefined
      ? replyMetrics.includes(e.metric) &&
        e.activatedAt.epochMilliseconds <= asOf.epochMilliseconds &&
        after(e.fulfilledAt) &&
        after(e.breachedAt)
      : e.metric === wanted.metric && e.instance === wanted.instance
  )
  const chosen = candidates.reduce<Sla.Explanation | undefined>(
    (best, e) =>
      e.dueAt === undefined
        ? best
        : best === undefined || (best.metric === e.metric ? e.instance > best.instance : e.metric === "next_reply")
          ? e
          : best,
    undefined
  )
  return chosen?.dueAt === undefined ? undefined : { target: chosen.target, dueAt: chosen.dueAt }
}

/**
 * The expected response for a reader: the promise described (only its due time with `dueOnly`,
 * for an update sent once the clock has run), or the fallback without one.
 *
 * @category combinators
 * @since 0.1.0
 */
export const expected = (promise: Promise | undefined, reader: Reader, now?: DateTime.Utc, dueOnly = false): string =>
  promise === undefined
    ? fallback(reader.language)
    : dueOnly
      ? describeDue(promise, reader, now)
      : describe(promise, reader, now)
