/**
 * SLA: Jane Sharpe's ticket 69369 against a Paris business calendar. The story runs through the
 * Promise facade on a demo clock; its event log then goes through `Sla.slaState` at several
 * instants ("as of"), and `Sla.explainDue` says why the resolution target breached. Nothing
 * reads the real time, so the output is the same on every machine and in every time zone.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  Actor,
  BusinessCalendar,
  createHelpdesk,
  type PromiseHelpdesk,
  Sla,
  SlaPolicy,
  TicketEvent
} from "@tessera/core"
import { DateTime, Duration, Result, Schema } from "effect"

// #region calendar
const weekday = ["09:00-12:00", "14:00-18:00"]

/** The Paris office: Monday to Friday, lunch break, French public holidays of 2026. */
const parisOffice: BusinessCalendar.Spec = {
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
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
}
// #endregion

/** A clock the story sets by hand, in Paris time (UTC+1 in November). */
const demoClock = (start: string) => {
  let current = Date.parse(start)
  return {
    now: () => current,
    set: (iso: string) => {
      current = Date.parse(iso)
    }
  }
}

/**
 * Plays the story through the help desk and returns the ticket's event log, as stored.
 */
const story = async (): Promise<ReadonlyArray<PromiseHelpdesk.TicketEventJson>> => {
  const clock = demoClock("2026-11-06T17:30:00+01:00")
  const helpdesk = await createHelpdesk({ workspaceId: "acme", firstPublicId: 69369, now: clock.now })
  try {
    await helpdesk.saveGroup({ id: "billing", name: "Billing" })
    await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com", groups: ["billing"] })
    const customer = await helpdesk.saveContact({ name: "Jane Sharpe", emails: ["jane.sharpe@example.com"] })
    const mary = Actor.agent("mary")
    const jane = Actor.contact(customer.id)

    // #region story
    // Friday 6 November, 17:30: Jane writes, half an hour before the office closes.
    const { publicId: ticket } = await helpdesk.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "Charged twice for my subscription",
      text: "My card was charged twice for November. Could you refund one of the charges?",
      channel: "email",
      priority: "normal",
      tags: ["billing"]
    })

    clock.set("2026-11-09T09:05:00+01:00") // Monday: Mary takes it
    await helpdesk.assign({ ticket, by: mary, group: "billing", assignee: "mary" })
    clock.set("2026-11-09T11:00:00+01:00")
    await helpdesk.reply({ ticket, by: mary, text: "Could you send the bank statement that shows both charges?" })
    // Waiting on Jane: pending stops the resolution clock.
    await helpdesk.changeStatus({ ticket, by: mary, status: "pending" })

    clock.set("2026-11-11T09:30:00+01:00") // Wednesday, Armistice day: Jane answers; the ticket reopens
    await helpdesk.reply({ ticket, by: jane, text: "Here is my statement, both charges are on it." })

    clock.set("2026-11-12T10:00:00+01:00")
    await helpdesk.reply({ ticket, by: mary, text: "Thank you. Our billing team is checking the charges." })
    // Waiting on a colleague is on hold: by default that does not stop the resolution clock.
    await helpdesk.changeStatus({ ticket, by: mary, status: "on_hold" })

    clock.set("2026-11-19T15:30:00+01:00") // a week later, past the resolution target
    await helpdesk.reply({ ticket, by: mary, text: "The second charge is refunded. Sorry for the wait!" })
    await helpdesk.changeStatus({ ticket, by: mary, status: "solved" })
    // #endregion

    return await helpdesk.as(mary).history(ticket)
  } finally {
    await helpdesk.close()
  }
}

/** The instants the table looks at the ticket from, in Paris time. */
const asOf: ReadonlyArray<string> = [
  "2026-11-06T18:30:00+01:00", // Friday evening
  "2026-11-09T12:00:00+01:00", // Monday noon, pending
  "2026-11-11T12:00:00+01:00", // Wednesday, Jane has answered
  "2026-11-17T17:45:00+01:00", // Tuesday evening
  "2026-11-19T15:00:00+01:00", // Thursday afternoon
  "2026-11-20T09:00:00+01:00" // Friday, solved
]

const orThrow = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw result.failure
  return result.success
}

/**
 * Runs the story and prints the calendar, the timeline, the SLA table and why the resolution breached.
 */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const history = await story()

  // #region sla-state
  const events = history.map((event) => Schema.decodeSync(TicketEvent.TicketEvent)(event))
  const calendars: Sla.Calendars = { business_hours: orThrow(BusinessCalendar.make(parisOffice)) }
  const stateAt = (iso: string) =>
    orThrow(Sla.slaState(events, SlaPolicy.defaultPolicySet, calendars, DateTime.makeUnsafe(iso)))
  // #endregion

  print(`Calendar business_hours: ${parisOffice.timeZone}, Mon-Fri ${weekday.join(", ")}`)
  const holidays = parisOffice.holidays ?? []
  print(`  every year: ${holidays.flatMap((h) => ("yearly" in h ? [`${h.yearly} ${h.name}`] : [])).join(", ")}`)
  print(`  in 2026: ${holidays.flatMap((h) => ("date" in h ? [`${h.date} ${h.name}`] : [])).join(", ")}`)
  print("")
  print("Ticket 69369, times in Paris:")
  const names: Record<string, string> = { mary: "Mary" }
  const name = (id: string) => names[id] ?? id
  for (const event of history) {
    const who = event.by._tag === "agent" ? name(event.by.id) : "Jane Sharpe"
    print(`  ${paris(event.at)}  ${who.padEnd(11)}  ${describe(event, name)}`)
  }

  print("")
  print("SLA of ticket 69369 (policy Standard, priority normal), business time in Paris:")
  print(row(["as of", "metric", "status", "due", "warning", "elapsed", "remaining"]))
  for (const iso of asOf) {
    const now = DateTime.makeUnsafe(iso)
    for (const i of stateAt(iso).instances) {
      print(
        row([
          paris(now),
          `${i.metric} #${i.instance}`,
          status(i, now),
          i.dueAt === undefined ? "-" : paris(i.dueAt),
          i.warningAt === undefined ? "-" : paris(i.warningAt),
          hours(i.elapsed),
          Duration.isZero(i.overdue) ? hours(i.remaining) : `${hours(i.overdue)} overdue`
        ])
      )
    }
  }

  // #region explain
  const resolution = stateAt("2026-11-19T15:00:00+01:00").instances.find((i) => i.metric === "resolution")
  const breachedAt = resolution?.breachedAt
  if (resolution !== undefined && breachedAt !== undefined) {
    print("")
    print(`Why did resolution #${resolution.instance} breach on ${paris(breachedAt)}? (Sla.explainDue, in UTC)`)
    for (const line of Sla.explainDue(resolution, calendars).lines) {
      // The opening intervals are many: one a line.
      const [first, ...intervals] = line.split(/(?<=[:,]) (?=\d{4}-)/)
      print(`  ${first}`)
      for (const interval of intervals) print(`    ${interval}`)
    }
  }
  // #endregion
}

const parisFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  weekday: "short",
  day: "2-digit",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23"
})

/** `Fri 06 Nov 17:30`: the wall-clock time in Paris, whatever the machine's zone. */
const paris = (instant: DateTime.Utc | string): string => {
  const millis = typeof instant === "string" ? Date.parse(instant) : instant.epochMilliseconds
  const part = Object.fromEntries(parisFormat.formatToParts(millis).map((p) => [p.type, p.value]))
  return `${part.weekday} ${part.day} ${part.month} ${part.hour}:${part.minute}`
}

/** `7h30`: business hours and minutes. */
const hours = (duration: Duration.Duration): string => {
  const minutes = Math.round(Duration.toMillis(duration) / 60_000)
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}`
}

/** The instance's status, with `warning` once an active instance passed its warning time. */
const status = (i: Sla.MetricInstance, now: DateTime.Utc): string =>
  i.status === "fulfilled" && i.breachedAt !== undefined
    ? "fulfilled late"
    : i.status === "active" && i.warningAt !== undefined && !DateTime.isLessThan(now, i.warningAt)
      ? "warning"
      : i.status

const widths = [16, 16, 14, 16, 16, 7, 12]
const row = (cells: ReadonlyArray<string>): string =>
  cells
    .map((cell, n) => (n === 5 ? cell.padStart(widths[n] ?? 0) : cell.padEnd(widths[n] ?? 0)))
    .join("  ")
    .trimEnd()

/** What an event did, in a few words. */
const describe = (event: PromiseHelpdesk.TicketEventJson, name: (id: string) => string): string => {
  switch (event._tag) {
    case "TicketOpened":
      return `opened by ${event.channel} (priority ${event.priority}): "${event.message.text}"`
    case "ReplyAdded":
      return `replied: "${event.message.text}"`
    case "StatusChanged":
      return `status ${event.from} -> ${event.to}`
    case "AssigneeChanged":
      return `assigned to ${event.to === undefined ? "nobody" : name(event.to)}`
    case "GroupChanged":
      return `moved to group ${event.to ?? "none"}`
    default:
      return event._tag
  }
}

// Run the story when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
