import { DateTime, Duration, Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"

const utc = (iso: string) => DateTime.makeUnsafe(iso)
const iso = (t: DateTime.Utc) => DateTime.formatIso(t)

const calendar = (spec: BusinessCalendar.Spec) => {
  const made = BusinessCalendar.make(spec)
  if (Result.isFailure(made)) throw new Error(made.failure.message)
  return made.success
}
const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}
const failure = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error("expected a failure")
  return result.failure
}
const hoursBetween = (c: BusinessCalendar.BusinessCalendar, from: string, to: string) =>
  Duration.toHours(ok(BusinessCalendar.businessTimeBetween(c, utc(from), utc(to))))
const add = (c: BusinessCalendar.BusinessCalendar, from: string, duration: Duration.Duration) =>
  iso(ok(BusinessCalendar.addBusinessTime(c, utc(from), duration)))

const nineToFive = ["09:00-17:00"]
const weekdays = (hours: ReadonlyArray<string>) => ({
  monday: hours,
  tuesday: hours,
  wednesday: hours,
  thursday: hours,
  friday: hours
})

describe("wall-clock hours across DST transitions", () => {
  const newYork = calendar({ timeZone: "America/New_York", weekly: weekdays(nineToFive) })

  it("Fri 2026-03-06 15:00 EST + 8 business hours is Mon 2026-03-09 15:00 EDT (19:00Z), the effect4 notes example", () => {
    expect(add(newYork, "2026-03-06T20:00:00Z", Duration.hours(8))).toBe("2026-03-09T19:00:00.000Z")
  })

  it("Fri 2026-10-30 16:00 EDT + 2 business hours is Mon 2026-11-02 10:00 EST (15:00Z)", () => {
    expect(add(newYork, "2026-10-30T20:00:00Z", Duration.hours(2))).toBe("2026-11-02T15:00:00.000Z")
  })

  const allDay = (timeZone: string) =>
    calendar({ timeZone, weekly: { ...weekdays(["00:00-24:00"]), saturday: ["00:00-24:00"], sunday: ["00:00-24:00"] } })

  it.each([
    // zone, local day (as UTC bounds of its midnights), business hours that day
    ["Europe/Paris", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 23],
    ["Europe/Paris", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 25],
    ["America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23],
    ["America/New_York", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25],
    // Lord Howe moves its clock by 30 minutes: +11:00 -> +10:30 on 5 April, back on 4 October.
    ["Australia/Lord_Howe", "2026-04-04T13:00:00Z", "2026-04-05T13:30:00Z", 24.5],
    ["Australia/Lord_Howe", "2026-10-03T13:30:00Z", "2026-10-04T13:00:00Z", 23.5],
    // Kathmandu (+05:45) has no DST; Chatham (+13:45 -> +12:45) moves at 03:45.
    ["Asia/Kathmandu", "2026-03-28T18:15:00Z", "2026-03-29T18:15:00Z", 24],
    ["Pacific/Chatham", "2026-04-04T10:15:00Z", "2026-04-05T11:15:00Z", 25]
  ])("a day open around the clock in %s from %s lasts %s hours", (zone, from, to, hours) => {
    expect(hoursBetween(allDay(zone), from, to)).toBe(hours)
  })

  it("an opening at 02:30 that does not exist (Paris, 29 March 2026) opens when the clock jumps to 03:00", () => {
    const c = calendar({ timeZone: "Europe/Paris", weekly: { sunday: ["02:30-05:00"] } })
    expect(iso(ok(BusinessCalendar.nextOpening(c, utc("2026-03-28T12:00:00Z"))))).toBe("2026-03-29T01:00:00.000Z")
    expect(hoursBetween(c, "2026-03-28T12:00:00Z", "2026-03-30T00:00:00Z")).toBe(2)
  })

  it("a closing at 02:30 that does not exist closes when the clock jumps (00:00-02:30 lasts 2 hours)", () => {
    const c = calendar({ timeZone: "Europe/Paris", weekly: { sunday: ["00:00-02:30"] } })
    expect(iso(ok(BusinessCalendar.nextClosing(c, utc("2026-03-28T23:30:00Z"))))).toBe("2026-03-29T01:00:00.000Z")
    expect(hoursBetween(c, "2026-03-28T12:00:00Z", "2026-03-30T00:00:00Z")).toBe(2)
  })

  it("the repeated hour at fall-back counts twice when open (Paris 01:00-04:00 on 25 October 2026 is 4 hours)", () => {
    const c = calendar({ timeZone: "Europe/Paris", weekly: { sunday: ["01:00-04:00"] } })
    expect(hoursBetween(c, "2026-10-24T12:00:00Z", "2026-10-26T00:00:00Z")).toBe(4)
  })

  it("hours starting inside the repeated hour follow the wall clock: 02:30-05:00 on a fall-back day is 3 hours", () => {
    // 02:30-03:00 CEST (00:30Z-01:00Z), then the clock reads 02:00-02:30 again (closed), then 02:30-05:00 CET.
    const c = calendar({ timeZone: "Europe/Paris", weekly: { sunday: ["02:30-05:00"] } })
    expect(hoursBetween(c, "2026-10-24T12:00:00Z", "2026-10-26T00:00:00Z")).toBe(3)
    expect(ok(BusinessCalendar.isOpen(c, utc("2026-10-25T01:15:00Z")))).toBe(false)
    expect(iso(ok(BusinessCalendar.nextOpening(c, utc("2026-10-25T01:15:00Z"))))).toBe("2026-10-25T01:30:00.000Z")
  })

  it("Lord Howe's 30-minute spring-forward: 02:00-03:00 on 4 October 2026 opens at 02:30 and lasts 30 minutes", () => {
    const c = calendar({ timeZone: "Australia/Lord_Howe", weekly: { sunday: ["02:00-03:00"] } })
    expect(iso(ok(BusinessCalendar.nextOpening(c, utc("2026-10-03T12:00:00Z"))))).toBe("2026-10-03T15:30:00.000Z")
    expect(
      Duration.toMinutes(
        ok(BusinessCalendar.businessTimeBetween(c, utc("2026-10-03T00:00:00Z"), utc("2026-10-05T00:00:00Z")))
      )
    ).toBe(30)
  })

  it("Lord Howe's 30-minute fall-back: 01:00-03:00 on 5 April 2026 lasts 2.5 hours", () => {
    const c = calendar({ timeZone: "Australia/Lord_Howe", weekly: { sunday: ["01:00-03:00"] } })
    expect(hoursBetween(c, "2026-04-04T00:00:00Z", "2026-04-06T00:00:00Z")).toBe(2.5)
  })

  it("Kathmandu's +05:45: 09:00-17:00 is 03:15Z-11:15Z", () => {
    const c = calendar({ timeZone: "Asia/Kathmandu", weekly: weekdays(nineToFive) })
    expect(ok(BusinessCalendar.isOpen(c, utc("2026-03-02T03:14:00Z")))).toBe(false)
    expect(ok(BusinessCalendar.isOpen(c, utc("2026-03-02T03:15:00Z")))).toBe(true)
    expect(iso(ok(BusinessCalendar.nextClosing(c, utc("2026-03-02T00:00:00Z"))))).toBe("2026-03-02T11:15:00.000Z")
  })
})

describe("overnight shifts", () => {
  const nights = calendar({
    timeZone: "America/New_York",
    weekly: { friday: ["22:00-06:00"], saturday: ["22:00-06:00"] }
  })

  it("a Friday 22:00-06:00 shift runs into Saturday and is one open period", () => {
    expect(ok(BusinessCalendar.isOpen(nights, utc("2026-01-10T10:59:00Z")))).toBe(true) // Sat 05:59 EST
    expect(iso(ok(BusinessCalendar.nextClosing(nights, utc("2026-01-10T04:00:00Z"))))).toBe("2026-01-10T11:00:00.000Z")
  })

  it("a Saturday night shift across spring-forward lasts 7 hours, across fall-back 9 hours", () => {
    expect(hoursBetween(nights, "2026-03-08T00:00:00Z", "2026-03-08T18:00:00Z")).toBe(7)
    expect(hoursBetween(nights, "2026-11-01T00:00:00Z", "2026-11-01T18:00:00Z")).toBe(9)
  })

  it("a shift from Sunday into Monday wraps around the week", () => {
    const c = calendar({ timeZone: "UTC", weekly: { sunday: ["20:00-04:00"] } })
    expect(hoursBetween(c, "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z")).toBe(8)
  })

  it("a shift belongs to the day it starts: a holiday on Saturday keeps Friday's night shift, a holiday on Friday drops it", () => {
    const saturdayOff = calendar({
      timeZone: "UTC",
      weekly: { friday: ["22:00-06:00"] },
      holidays: [{ date: "2026-01-10" }]
    })
    expect(hoursBetween(saturdayOff, "2026-01-09T00:00:00Z", "2026-01-11T00:00:00Z")).toBe(8)
    const fridayOff = calendar({
      timeZone: "UTC",
      weekly: { friday: ["22:00-06:00"] },
      holidays: [{ date: "2026-01-09" }]
    })
    expect(hoursBetween(fridayOff, "2026-01-09T00:00:00Z", "2026-01-11T00:00:00Z")).toBe(0)
  })
})

describe("holidays and exceptions", () => {
  const office = (extra: Partial<BusinessCalendar.Spec>) =>
    calendar({ timeZone: "Europe/London", weekly: weekdays(nineToFive), ...extra })

  it("a holiday on a weekend removes nothing (Christmas 2027 is a Saturday); the observed day is its own entry", () => {
    const week = ["2027-12-20T00:00:00Z", "2027-12-27T00:00:00Z"] as const
    expect(hoursBetween(office({ holidays: [{ yearly: "12-25", name: "Christmas" }] }), ...week)).toBe(40)
    expect(
      hoursBetween(
        office({ holidays: [{ yearly: "12-25" }, { date: "2027-12-24", name: "Christmas (observed)" }] }),
        ...week
      )
    ).toBe(32)
  })

  it("date ranges are inclusive, and yearly dates repeat every year", () => {
    const c = office({ holidays: [{ from: "2026-08-10", to: "2026-08-14" }, { yearly: "01-01" }] })
    expect(hoursBetween(c, "2026-08-10T00:00:00Z", "2026-08-17T00:00:00Z")).toBe(0)
    expect(ok(BusinessCalendar.isOpen(c, utc("2027-01-01T10:00:00Z")))).toBe(false)
    expect(ok(BusinessCalendar.isOpen(c, utc("2030-01-01T10:00:00Z")))).toBe(false)
    expect(ok(BusinessCalendar.isOpen(c, utc("2030-01-02T10:00:00Z")))).toBe(true)
  })

  it("an exception sets special hours, closes a day, or opens a holiday with the weekly hours", () => {
    const c = office({
      holidays: [{ date: "2026-12-25" }, { date: "2026-12-28" }],
      exceptions: [
        { date: "2026-12-24", hours: ["09:00-12:00"] },
        { date: "2026-12-23", hours: [] },
        { date: "2026-12-28" },
        { date: "2026-12-26", hours: ["10:00-14:00"] }
      ]
    })
    // Mon 21 (8) + Tue 22 (8) + Wed 23 (0) + Thu 24 (3) + Fri 25 (0) + Sat 26 (4) + Mon 28 (8)
    expect(hoursBetween(c, "2026-12-21T00:00:00Z", "2026-12-29T00:00:00Z")).toBe(31)
  })

  it("an exception's hours may cross midnight and merge with the next day's hours", () => {
    const c = office({ exceptions: [{ date: "2026-12-24", hours: ["20:00-10:00"] }] })
    // Thu 24: 09-17 replaced by 20:00-Fri 10:00; Fri 25 09-17 overlaps from 09:00: open 20:00 -> 17:00 = 21 h.
    expect(hoursBetween(c, "2026-12-24T00:00:00Z", "2026-12-26T00:00:00Z")).toBe(21)
    expect(iso(ok(BusinessCalendar.nextClosing(c, utc("2026-12-24T21:00:00Z"))))).toBe("2026-12-25T17:00:00.000Z")
  })
})

describe("a year of a French calendar", () => {
  const paris = calendar({
    timeZone: "Europe/Paris",
    weekly: weekdays(["09:00-12:00", "14:00-18:00"]),
    holidays: [
      { yearly: "01-01", name: "Jour de l'an" },
      { date: "2026-04-06", name: "Lundi de Pâques" },
      { yearly: "05-01", name: "Fête du travail" },
      { yearly: "05-08", name: "Victoire 1945" },
      { date: "2026-05-14", name: "Ascension" },
      { date: "2026-05-25", name: "Lundi de Pentecôte" },
      { yearly: "07-14", name: "Fête nationale" },
      { yearly: "08-15", name: "Assomption" },
      { yearly: "11-01", name: "Toussaint" },
      { yearly: "11-11", name: "Armistice" },
      { yearly: "12-25", name: "Noël" }
    ]
  })

  it("has 1,764 business hours in 2026", () => {
    // 2026 starts and ends on a Thursday: 365 days = 52 weeks + Thu 31 Dec, so 52 x 5 + 1 = 261 weekdays.
    // Holidays on weekdays: 1 Jan (Thu), 6 Apr (Mon), 1 May (Fri), 8 May (Fri), 14 May (Thu), 25 May (Mon),
    // 14 Jul (Tue), 11 Nov (Wed), 25 Dec (Fri) = 9; 15 Aug is a Saturday and 1 Nov a Sunday.
    // 261 - 9 = 252 working days x 7 h (09-12 + 14-18) = 1,764 h. The hours never touch 02:00-03:00, so DST changes nothing.
    expect(hoursBetween(paris, "2025-12-31T23:00:00Z", "2026-12-31T23:00:00Z")).toBe(1764)
  })

  it("a ticket opened the day before Ascension skips the holiday", () => {
    // Wed 13 May 16:00 CEST: Wed 16-18 (2 h), Thu 14 Ascension, Fri 15 09-12 + 14-16 (5 h) -> Fri 15 May 16:00.
    expect(add(paris, "2026-05-13T14:00:00Z", Duration.hours(7))).toBe("2026-05-15T14:00:00.000Z")
    // 9 h ends exactly at Friday's closing (18:00); 10 h runs into Monday 18 May 10:00.
    expect(add(paris, "2026-05-13T14:00:00Z", Duration.hours(9))).toBe("2026-05-15T16:00:00.000Z")
    expect(add(paris, "2026-05-13T14:00:00Z", Duration.hours(10))).toBe("2026-05-18T08:00:00.000Z")
  })
})

describe("conventions", () => {
  const c = calendar({ timeZone: "UTC", weekly: weekdays(nineToFive) })

  it("a due time that falls exactly on a closing time is that closing time", () => {
    expect(add(c, "2026-01-05T09:00:00Z", Duration.hours(8))).toBe("2026-01-05T17:00:00.000Z")
  })

  it("adding zero returns the start, even when closed; adding from a closed instant starts at the next opening", () => {
    expect(add(c, "2026-01-03T12:00:00Z", Duration.zero)).toBe("2026-01-03T12:00:00.000Z")
    expect(add(c, "2026-01-03T12:00:00Z", Duration.minutes(1))).toBe("2026-01-05T09:01:00.000Z")
  })

  it("nextOpening of an open instant is the instant; nextClosing is the end of the current or next open period", () => {
    expect(iso(ok(BusinessCalendar.nextOpening(c, utc("2026-01-05T10:00:00Z"))))).toBe("2026-01-05T10:00:00.000Z")
    expect(iso(ok(BusinessCalendar.nextClosing(c, utc("2026-01-05T10:00:00Z"))))).toBe("2026-01-05T17:00:00.000Z")
    expect(iso(ok(BusinessCalendar.nextClosing(c, utc("2026-01-05T17:00:00Z"))))).toBe("2026-01-06T17:00:00.000Z")
  })

  it("24/7 is a calendar: business time is elapsed time, and it never closes", () => {
    const always = BusinessCalendar.alwaysOpen
    expect(add(always, "2026-03-29T00:30:00Z", Duration.hours(30))).toBe("2026-03-30T06:30:00.000Z")
    expect(hoursBetween(always, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")).toBe(8760)
    expect(failure(BusinessCalendar.nextClosing(always, utc("2026-01-01T00:00:00Z")))._tag).toBe("SearchLimitReached")
    const parisAllWeek = calendar({ timeZone: "Europe/Paris", weekly: "24/7", holidays: [{ yearly: "12-25" }] })
    expect(hoursBetween(parisAllWeek, "2026-12-24T23:00:00Z", "2026-12-26T23:00:00Z")).toBe(24)
  })
})

describe("subtractBusinessTime", () => {
  const c = calendar({ timeZone: "UTC", weekly: weekdays(nineToFive) })
  const subtract = (from: string, duration: Duration.Duration) =>
    iso(ok(BusinessCalendar.subtractBusinessTime(c, utc(from), duration)))

  it("a start that falls exactly on an opening time is that opening time, not the closing before it", () => {
    expect(subtract("2026-01-06T09:00:00Z", Duration.hours(8))).toBe("2026-01-05T09:00:00.000Z")
    expect(subtract("2026-01-05T10:00:00Z", Duration.hours(1))).toBe("2026-01-05T09:00:00.000Z")
  })

  it("subtracting zero returns the instant, even when closed; from a closed instant it counts back from the last closing", () => {
    expect(subtract("2026-01-03T12:00:00Z", Duration.zero)).toBe("2026-01-03T12:00:00.000Z")
    expect(subtract("2026-01-03T12:00:00Z", Duration.minutes(1))).toBe("2026-01-02T16:59:00.000Z")
  })

  it("a negative duration is an InvalidDuration; an instant out of range an InstantOutOfRange", () => {
    expect(
      failure(BusinessCalendar.subtractBusinessTime(c, utc("2026-01-05T10:00:00Z"), Duration.minutes(-1)))
    ).toMatchObject({
      _tag: "InvalidDuration",
      reason: "negative"
    })
    expect(failure(BusinessCalendar.subtractBusinessTime(c, utc("0999-06-01T00:00:00Z"), Duration.hours(1)))._tag).toBe(
      "InstantOutOfRange"
    )
  })

  it("a calendar that never opens fails with SearchLimitReached backwards too", () => {
    const mondays = calendar({ timeZone: "UTC", weekly: { monday: nineToFive } })
    const tuesdays = calendar({ timeZone: "UTC", weekly: { tuesday: nineToFive } })
    const never = BusinessCalendar.intersect(mondays, tuesdays)
    expect(
      failure(BusinessCalendar.subtractBusinessTime(never, utc("2026-01-01T00:00:00Z"), Duration.minutes(1)))
    ).toMatchObject({ _tag: "SearchLimitReached", operation: "subtractBusinessTime" })
  })

  it("the guide's reminder: two business days before a due time, across the New York spring-forward (docs/sla.md)", () => {
    const newYork = calendar({ timeZone: "America/New_York", weekly: weekdays(nineToFive) })
    // #region reminder
    // Due Wednesday 11 March 2026, 10:00 in New York (EDT); remind two business days (16 h) before.
    const due = DateTime.makeUnsafe("2026-03-11T14:00:00Z")
    const remindAt = BusinessCalendar.subtractBusinessTime(newYork, due, Duration.hours(16))
    // Wed 09:00-10:00 (1 h), Tue 09:00-17:00 (8 h), Mon 10:00-17:00 (7 h): Monday 9 March, 10:00 EDT
    expect(Result.map(remindAt, DateTime.formatIso)).toEqual(Result.succeed("2026-03-09T14:00:00.000Z"))
    // Adding the 16 hours back is the due time again.
    expect(
      Result.map(
        Result.flatMap(remindAt, (at) => BusinessCalendar.addBusinessTime(newYork, at, Duration.hours(16))),
        DateTime.formatIso
      )
    ).toEqual(Result.succeed("2026-03-11T14:00:00.000Z"))
    // #endregion
  })
})

describe("composition", () => {
  const paris = calendar({ timeZone: "Europe/Paris", weekly: weekdays(nineToFive) })
  const newYork = calendar({ timeZone: "America/New_York", weekly: weekdays(nineToFive) })

  it("support hours in Paris ∩ a customer's hours in New York overlap 2 hours a day, 3 while only the US is on summer time", () => {
    const both = BusinessCalendar.intersect(paris, newYork)
    expect(hoursBetween(both, "2026-03-02T00:00:00Z", "2026-03-07T00:00:00Z")).toBe(10)
    expect(hoursBetween(both, "2026-03-09T00:00:00Z", "2026-03-14T00:00:00Z")).toBe(15)
    expect(iso(ok(BusinessCalendar.nextOpening(both, utc("2026-03-02T00:00:00Z"))))).toBe("2026-03-02T14:00:00.000Z")
  })

  it("a union covers either calendar's hours, merged into one period where they meet", () => {
    const either = BusinessCalendar.union(paris, newYork)
    // Paris 08:00-16:00Z, New York 14:00-22:00Z in winter: one period 08:00-22:00Z.
    expect(hoursBetween(either, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")).toBe(14)
    expect(iso(ok(BusinessCalendar.nextClosing(either, utc("2026-03-02T09:00:00Z"))))).toBe("2026-03-02T22:00:00.000Z")
  })

  it("an intersection that never opens fails with SearchLimitReached instead of looping", () => {
    const mondays = calendar({ timeZone: "UTC", weekly: { monday: nineToFive } })
    const tuesdays = calendar({ timeZone: "UTC", weekly: { tuesday: nineToFive } })
    const never = BusinessCalendar.intersect(mondays, tuesdays)
    expect(failure(BusinessCalendar.nextOpening(never, utc("2026-01-01T00:00:00Z")))._tag).toBe("SearchLimitReached")
    expect(
      failure(BusinessCalendar.addBusinessTime(never, utc("2026-01-01T00:00:00Z"), Duration.minutes(1)))
    ).toMatchObject({
      _tag: "SearchLimitReached",
      operation: "addBusinessTime"
    })
    expect(hoursBetween(never, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")).toBe(0)
  })
})

describe("an invalid spec is one InvalidConfig listing every problem with its path", () => {
  const refused = (input: unknown) => failure(BusinessCalendar.decode(input))

  it.each([
    [{ weekly: { monday: nineToFive } }, ["timeZone"], "Missing key"],
    [{ timeZone: "UTC", weekly: { mondy: ["09:00-17:00"] } }, ["weekly", "mondy"], "Expected no excess property"],
    [{ timeZone: "UTC", weekly: { monday: [9] } }, ["weekly", "monday", 0], "Expected string"],
    [{ timeZone: "Mars/Olympus", weekly: { monday: nineToFive } }, ["timeZone"], 'Unknown time zone "Mars/Olympus"'],
    [{ timeZone: "UTC", weekly: { monday: ["9:00-17:00"] } }, ["weekly", "monday", 0], 'expected "HH:MM-HH:MM"'],
    [{ timeZone: "UTC", weekly: { monday: ["09:00-24:30"] } }, ["weekly", "monday", 0], "the end must be between"],
    [
      { timeZone: "UTC", weekly: { tuesday: ["09:00-12:00", "13:00-13:00"] } },
      ["weekly", "tuesday", 1],
      "the start and end are equal"
    ],
    [
      { timeZone: "UTC", weekly: { monday: ["09:00-12:00", "11:00-14:00"] } },
      ["weekly", "monday", 1],
      'Opening hours "11:00-14:00" overlap "09:00-12:00"'
    ],
    [
      { timeZone: "UTC", weekly: { friday: ["22:00-06:00"], saturday: ["05:00-10:00"] } },
      ["weekly", "saturday", 0],
      'overlap "22:00-06:00" at ["weekly","friday",0]'
    ],
    [
      { timeZone: "UTC", weekly: { monday: ["03:00-10:00"], sunday: ["22:00-04:00"] } },
      ["weekly", "sunday", 0],
      'overlap "03:00-10:00"'
    ],
    [
      { timeZone: "UTC", weekly: { monday: nineToFive }, holidays: [{ date: "2026-02-30" }] },
      ["holidays", 0, "date"],
      'Malformed date "2026-02-30": no such date'
    ],
    [
      { timeZone: "UTC", weekly: { monday: nineToFive }, holidays: [{ yearly: "13-01" }] },
      ["holidays", 0, "yearly"],
      'expected a valid "MM-DD"'
    ],
    [
      { timeZone: "UTC", weekly: { monday: nineToFive }, holidays: [{ from: "2026-05-02", to: "2026-05-01" }] },
      ["holidays", 0],
      "The range ends before it starts"
    ],
    [
      { timeZone: "UTC", weekly: { monday: nineToFive }, holidays: [{ from: "2026-05-02" }] },
      ["holidays", 0, "to"],
      "Missing key"
    ],
    [
      {
        timeZone: "UTC",
        weekly: { monday: nineToFive },
        exceptions: [{ date: "2026-05-01", hours: ["08:00-12:00", "10:00-11:00"] }]
      },
      ["exceptions", 0, "hours", 1],
      "overlap"
    ],
    [
      {
        timeZone: "UTC",
        weekly: { monday: nineToFive },
        exceptions: [{ date: "2026-05-01" }, { date: "2026-05-01", hours: [] }]
      },
      ["exceptions", 1, "date"],
      "exceptions[0] is for the same date"
    ],
    [{ timeZone: "UTC", weekly: {} }, ["weekly"], "The calendar never opens"],
    [{ timeZone: "UTC", weekly: {}, exceptions: [{ date: "2026-05-01", hours: [] }] }, ["weekly"], "never opens"]
  ])("%j is refused at %j: %s", (input, path, message) => {
    const error = refused(input)
    expect(error).toMatchObject({ _tag: "InvalidConfig", config: "calendar" })
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]?.path).toEqual(path)
    expect(error.problems[0]?.message).toContain(message)
  })

  it("a spec with many problems lists all of them at once, each at its path", () => {
    const error = refused({
      timeZone: "Mars/Olympus",
      weekly: { mondy: ["09:00-17:00"], tuesday: ["9:00-17:00", "08:00-10:00", "09:30-11:00"], friday: [9] },
      holidays: [{ date: "2026-02-30" }, { from: "2026-05-02", to: "2026-05-01" }, { yearly: "12-25", nmae: "Noël" }],
      exceptions: [{ date: "2026-05-01" }, { date: "2026-05-01", hours: ["25:00-26:00"] }],
      colour: "blue"
    })
    expect(error._tag).toBe("InvalidConfig")
    expect(error.problems.map((p) => p.path)).toEqual([
      ["colour"],
      ["timeZone"],
      ["weekly", "mondy"],
      ["weekly", "friday", 0],
      ["weekly", "tuesday", 0],
      ["weekly", "tuesday", 2],
      ["holidays", 0, "date"],
      ["holidays", 1],
      ["holidays", 2, "nmae"],
      ["exceptions", 1, "hours", 0],
      ["exceptions", 1, "date"]
    ])
    expect(error.problems.find((p) => p.path[0] === "timeZone")?.message).toBe('Unknown time zone "Mars/Olympus"')
    expect(error.problems.find((p) => p.path[2] === 2)?.message).toContain('overlap "08:00-10:00"')
  })

  it("make checks a typed spec the same way and lists every problem", () => {
    const made = BusinessCalendar.make({
      timeZone: "Nowhere/City",
      weekly: { monday: ["09:00-17:00", "16:00-18:00"] },
      holidays: [{ date: "2026-13-01" }]
    })
    expect(Result.isFailure(made) ? made.failure.problems.map((p) => p.path) : []).toEqual([
      ["timeZone"],
      ["weekly", "monday", 1],
      ["holidays", 0, "date"]
    ])
  })

  it("a calendar open only on an exception date is valid, and searches past it stop with a typed error", () => {
    const once = calendar({ timeZone: "UTC", weekly: {}, exceptions: [{ date: "2026-05-01", hours: nineToFive }] })
    expect(iso(ok(BusinessCalendar.nextOpening(once, utc("2026-01-01T00:00:00Z"))))).toBe("2026-05-01T09:00:00.000Z")
    expect(failure(BusinessCalendar.nextOpening(once, utc("2026-06-01T00:00:00Z")))._tag).toBe("SearchLimitReached")
  })

  it("the Spec schema reports every problem at its path", () => {
    const result = Schema.decodeUnknownResult(BusinessCalendar.Spec)(
      { timeZone: "Nowhere/City", weekly: { monday: ["09:00-17:00", "16:00-18:00"] } },
      { errors: "all" }
    )
    expect(Result.isFailure(result)).toBe(true)
    const message = Result.isFailure(result) ? result.failure.message : ""
    expect(message).toContain('Unknown time zone "Nowhere/City"')
    expect(message).toContain('at ["weekly"]["monday"][1]')
  })

  it("the error carries a readable message naming each place", () => {
    expect(refused({ timeZone: "UTC", weekly: { monday: ["25:00-26:00"] } }).message).toBe(
      'Invalid calendar configuration: weekly.monday.0: Malformed opening hours "25:00-26:00": the start must be between 00:00 and 23:59'
    )
  })
})

describe("operation errors", () => {
  const c = calendar({ timeZone: "UTC", weekly: weekdays(nineToFive) })

  it("a negative or infinite duration is an InvalidDuration", () => {
    expect(
      failure(BusinessCalendar.addBusinessTime(c, utc("2026-01-05T10:00:00Z"), Duration.minutes(-1)))
    ).toMatchObject({
      _tag: "InvalidDuration",
      reason: "negative"
    })
    expect(failure(BusinessCalendar.addBusinessTime(c, utc("2026-01-05T10:00:00Z"), Duration.infinity))).toMatchObject({
      _tag: "InvalidDuration",
      reason: "infinite"
    })
  })

  it("a span that ends before it starts is an EndBeforeStart", () => {
    const error = failure(
      BusinessCalendar.businessTimeBetween(c, utc("2026-01-06T00:00:00Z"), utc("2026-01-05T00:00:00Z"))
    )
    expect(error._tag).toBe("EndBeforeStart")
  })

  it("instants outside years 1000-9998 are an InstantOutOfRange", () => {
    expect(failure(BusinessCalendar.isOpen(c, utc("0999-12-31T00:00:00Z")))._tag).toBe("InstantOutOfRange")
    expect(failure(BusinessCalendar.nextOpening(c, utc("9999-06-01T00:00:00Z")))._tag).toBe("InstantOutOfRange")
  })
})

describe("results do not depend on the machine's time zone", () => {
  it("the same answers under TZ=UTC, Europe/Paris, Pacific/Chatham and America/St_Johns", () => {
    const original = process.env.TZ
    const answers = ["UTC", "Europe/Paris", "Pacific/Chatham", "America/St_Johns"].map((tz) => {
      process.env.TZ = tz
      // A fresh calendar each time, so nothing is served from a cache built under another zone.
      const c = calendar({ timeZone: "America/New_York", weekly: weekdays(["09:00-12:00", "22:00-02:00"]) })
      return [
        add(c, "2026-03-06T20:00:00Z", Duration.hours(11)),
        hoursBetween(c, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        iso(ok(BusinessCalendar.nextOpening(c, utc("2026-11-01T05:30:00Z"))))
      ]
    })
    if (original === undefined) delete process.env.TZ
    else process.env.TZ = original
    for (const a of answers) expect(a).toEqual(answers[0])
  })
})

describe("the guide's example (docs/sla.md)", () => {
  it("decodes a Paris support calendar and asks it for a due time", () => {
    // #region paris-calendar
    const support = BusinessCalendar.decode({
      timeZone: "Europe/Paris",
      weekly: {
        monday: ["09:00-12:00", "14:00-18:00"],
        tuesday: ["09:00-12:00", "14:00-18:00"],
        wednesday: ["09:00-12:00", "14:00-18:00"],
        thursday: ["09:00-12:00", "14:00-18:00"],
        friday: ["09:00-12:00", "14:00-18:00", "22:00-06:00"]
      },
      holidays: [
        { yearly: "05-01", name: "Fête du travail" },
        { from: "2026-08-10", to: "2026-08-21" }
      ],
      exceptions: [{ date: "2026-12-24", hours: ["09:00-12:00"] }]
    })
    if (Result.isFailure(support)) throw support.failure // InvalidConfig, listing every problem with its path

    // Thursday 30 April 2026, 17:00 in Paris; 1 May is a holiday.
    const due = BusinessCalendar.addBusinessTime(
      support.success,
      DateTime.makeUnsafe("2026-04-30T15:00:00Z"),
      Duration.hours(4)
    )
    // Thu 17:00-18:00 (1 h), Fri 1 May closed (the night shift too), Mon 4 May 09:00-12:00 (3 h): Mon 12:00 CEST
    expect(Result.map(due, DateTime.formatIso)).toEqual(Result.succeed("2026-05-04T10:00:00.000Z"))
    // #endregion
  })
})

describe("openIntervals and holidaysBetween (what explanations are made of)", () => {
  const spec: BusinessCalendar.Spec = {
    timeZone: "Europe/Paris",
    weekly: weekdays(["09:00-12:00", "14:00-18:00"]),
    holidays: [
      { yearly: "11-11", name: "Armistice" },
      { date: "2026-11-14", name: "a Saturday" },
      { date: "2026-11-16", name: "reopened" }
    ],
    exceptions: [{ date: "2026-11-16" }]
  }
  const paris = calendar(spec)

  it("lists the open intervals clipped to the span, across chunk bounds as one interval", () => {
    const intervals = ok(
      BusinessCalendar.openIntervals(paris, utc("2026-11-10T10:30:00Z"), utc("2026-11-12T09:00:00Z"))
    )
    expect(intervals.map((o) => [iso(o.start), iso(o.end)])).toEqual([
      ["2026-11-10T10:30:00.000Z", "2026-11-10T11:00:00.000Z"],
      ["2026-11-10T13:00:00.000Z", "2026-11-10T17:00:00.000Z"],
      ["2026-11-12T08:00:00.000Z", "2026-11-12T09:00:00.000Z"]
    ])
    const always = ok(
      BusinessCalendar.openIntervals(
        BusinessCalendar.alwaysOpen,
        utc("2020-01-01T00:00:00Z"),
        utc("2021-01-01T00:00:00Z")
      )
    )
    expect(always).toHaveLength(1)
    expect(
      failure(BusinessCalendar.openIntervals(paris, utc("2026-11-12T00:00:00Z"), utc("2026-11-10T00:00:00Z")))
    ).toMatchObject({
      _tag: "EndBeforeStart"
    })
  })

  it("names only the holidays that closed a working day: not one on a weekend, not one reopened", () => {
    const skipped = BusinessCalendar.holidaysBetween(paris, utc("2026-11-09T00:00:00Z"), utc("2026-11-20T00:00:00Z"))
    expect(skipped).toEqual([{ date: "2026-11-11", name: "Armistice", timeZone: "Europe/Paris" }])
    const newYork = calendar({
      timeZone: "America/New_York",
      weekly: weekdays(nineToFive),
      holidays: [{ date: "2026-11-26", name: "Thanksgiving" }]
    })
    const both = BusinessCalendar.holidaysBetween(
      BusinessCalendar.union(paris, newYork),
      utc("2026-11-09T00:00:00Z"),
      utc("2026-11-30T00:00:00Z")
    )
    expect(both.map((h) => `${h.timeZone} ${h.date}`)).toEqual([
      "Europe/Paris 2026-11-11",
      "America/New_York 2026-11-26"
    ])
  })
})
