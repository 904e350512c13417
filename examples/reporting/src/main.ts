/**
 * Reporting: a generated month of tickets (March 2026, from a fixed seed) goes through the Promise
 * facade on a demo clock: customers write, agents set complexity, answer and solve, customers
 * rate through signed survey links. In the last week a billing bug starts charging renewals
 * twice. The program prints the weekly report (volumes, times, one-touch, CSAT, NPS, by channel
 * and complexity), the rising recurring problem `Recurring.detect` finds, the problem ticket
 * `openProblem` opens from it, and the outreach queued when the problem is solved.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  Actor,
  createHelpdesk,
  type PromiseHelpdesk,
  Recurring,
  Report,
  Satisfaction,
  TicketEvent,
  TicketMetrics
} from "@tessera/core"
import { DateTime, Effect, Schema } from "effect"

const day = 86_400_000
const hour = 3_600_000
const minute = 60_000

/** The month: four weeks from Monday 2 March 2026; the report's week is the last one. */
const monthStart = Date.parse("2026-03-02T00:00:00Z")
const monthEnd = Date.parse("2026-03-30T00:00:00Z")

/** A small seeded generator (mulberry32): the same month on every run. */
const random = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return {
    next,
    between: (min: number, max: number) => min + next() * (max - min),
    pick: <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)] as A,
    chance: (p: number) => next() < p
  }
}

// #region survey-links
/**
 * Survey links signed with HMAC-SHA256, as `@tessera/notify`'s `SurveyToken` signs them: the help
 * desk gets `verifier` (`Options.surveys`) and records a rating only from a genuine, unexpired
 * link, as the contact the link was made for.
 */
const surveyLinks = (secret: string) => {
  const mac = (body: string) => createHmac("sha256", secret).update(body).digest("base64url")
  const sign = (claims: Satisfaction.SurveyClaims): string => {
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url")
    return `${body}.${mac(body)}`
  }
  const verifier: Satisfaction.Verifier = (token) => {
    const [body = "", signature = ""] = token.split(".")
    const expected = Buffer.from(mac(body))
    const given = Buffer.from(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return Effect.fail(new Satisfaction.SurveyRefused({ reason: "signature" }))
    return Schema.decodeUnknownEffect(Schema.fromJsonString(Satisfaction.SurveyClaims))(
      Buffer.from(body, "base64url").toString("utf8")
    ).pipe(Effect.mapError(() => new Satisfaction.SurveyRefused({ reason: "malformed" })))
  }
  return { sign, verifier }
}
// #endregion

/** What customers write about in an ordinary week, and how often (weights). */
const topics: ReadonlyArray<{ subject: ReadonlyArray<string>; tags: ReadonlyArray<string>; weight: number }> = [
  { subject: ["Cannot log in after password reset", "Login link expired"], tags: ["login"], weight: 5 },
  { subject: ["Question about my invoice address", "Need a copy of an invoice"], tags: ["billing"], weight: 4 },
  { subject: ["Export to CSV is slow", "Report export times out"], tags: ["reports"], weight: 3 },
  { subject: ["How do I add a team member?", "Inviting colleagues"], tags: ["accounts"], weight: 3 },
  { subject: ["Mobile app crashes on startup"], tags: ["mobile"], weight: 2 },
  { subject: ["Feature idea: dark mode"], tags: ["feedback"], weight: 1 }
]
const weighted = topics.flatMap((t) => Array.from({ length: t.weight }, () => t))

/** The billing bug of the last week: renewals charged twice. */
const bugSubjects = [
  "Charged twice for my renewal",
  "Double charge on my subscription renewal",
  "Renewal charged twice this month",
  "Why was my renewal charged twice?"
]

const channels = ["email", "email", "email", "web", "web", "chat", "phone"] as const
const agents = ["mary", "sam", "ivan"] as const

/** What the generator did, for the test to check the report against. */
export interface Plan {
  readonly opened: Array<{
    readonly id: string
    readonly at: number
    readonly bug: boolean
    readonly requester: string
  }>
  readonly ratings: Array<{ readonly at: number; readonly rating: Satisfaction.Rating }>
}

/** The help desk's clock, set by the story. */
const demoClock = (start: number) => {
  let current = start
  return {
    now: () => current,
    set: (at: number) => {
      current = Math.round(at)
    }
  }
}

const generate = async (
  helpdesk: PromiseHelpdesk.HelpdeskClient,
  clock: ReturnType<typeof demoClock>,
  sign: (c: Satisfaction.SurveyClaims) => string
) => {
  const rng = random(20260302)
  const plan: Plan = { opened: [], ratings: [] }
  for (const id of agents)
    await helpdesk.saveAgent({ id, name: id[0]?.toUpperCase() + id.slice(1), email: `${id}@acme.test` })
  const customers: Array<PromiseHelpdesk.ContactJson> = []
  for (let i = 0; i < 150; i++) {
    customers.push(
      await helpdesk.saveContact({
        id: `cus_${i}`,
        name: `Customer ${i}`,
        emails: [`customer${i}@example.com`],
        language: i % 3 === 0 ? "fr" : "en"
      })
    )
  }

  /** One ticket's life; its events are stamped in order, from `at`. */
  const ticket = async (at: number, subject: string, tags: ReadonlyArray<string>, bug: boolean) => {
    const customer = rng.pick(customers)
    const agent = Actor.agent(rng.pick(agents))
    clock.set(at)
    const opened = await helpdesk.open({
      requester: { id: customer.id },
      subject,
      text: bug ? "My card shows two charges for the renewal." : "Could you help me with this?",
      channel: rng.pick(channels),
      tags: [...tags]
    })
    plan.opened.push({ id: opened.id, at: clock.now(), bug, requester: customer.id })
    let t = at + rng.between(5, 90) * minute
    clock.set(t)
    await helpdesk.setComplexity({
      ticket: opened.id,
      by: agent,
      complexity: bug ? "standard" : rng.pick(["simple", "simple", "simple", "standard", "standard", "complex"])
    })
    t += rng.between(10, 300) * minute
    if (t >= monthEnd) return
    clock.set(t)
    await helpdesk.reply({
      ticket: opened.id,
      by: agent,
      text: bug ? "We are investigating the double charges." : "Here is how to do it."
    })
    if (bug) return
    if (rng.chance(0.2)) {
      t += rng.between(1, 20) * hour
      if (t >= monthEnd) return
      clock.set(t)
      await helpdesk.reply({ ticket: opened.id, by: Actor.contact(customer.id), text: "It still does not work." })
      t += rng.between(20, 240) * minute
      if (t >= monthEnd) return
      clock.set(t)
      await helpdesk.reply({ ticket: opened.id, by: agent, text: "Try this instead." })
    }
    t += rng.between(30, 36 * 60) * minute
    if (t >= monthEnd) return
    clock.set(t)
    await helpdesk.changeStatus({ ticket: opened.id, by: agent, status: "solved" })
    if (!rng.chance(0.5)) return
    t += rng.between(1, 30) * hour
    if (t >= monthEnd) return
    clock.set(t)
    const claims = {
      workspaceId: "acme",
      ticketId: opened.id,
      recipient: customer.id,
      expiresAt: Math.round(t + 30 * day)
    }
    const score = rng.pick([5, 5, 5, 4, 4, 4, 3, 2, 1] as const)
    await helpdesk.rate({ token: sign({ ...claims, survey: `csat:${opened.id}` }), rating: { kind: "csat", score } })
    plan.ratings.push({ at: t, rating: { kind: "csat", score } })
    if (score <= 2) {
      // An unhappy customer writes back: the ticket reopens, and is solved again.
      t += rng.between(5, 60) * minute
      if (t >= monthEnd) return
      clock.set(t)
      await helpdesk.reply({ ticket: opened.id, by: Actor.contact(customer.id), text: "This is not fixed." })
      t += rng.between(1, 8) * hour
      if (t >= monthEnd) return
      clock.set(t)
      await helpdesk.reply({ ticket: opened.id, by: agent, text: "Sorry, fixed now." })
      await helpdesk.changeStatus({ ticket: opened.id, by: agent, status: "solved" })
      return
    }
    if (rng.chance(0.4)) {
      const nps = rng.pick([10, 10, 9, 9, 9, 8, 7, 6, 4, 2] as const)
      await helpdesk.rate({
        token: sign({ ...claims, survey: `nps:${opened.id}` }),
        rating: { kind: "nps", score: nps }
      })
      plan.ratings.push({ at: t, rating: { kind: "nps", score: nps } })
    }
  }

  // Ordinary traffic, busier on weekdays; the bug from Wednesday 25 March, every few hours.
  const arrivals: Array<{ at: number; bug: boolean }> = []
  for (let d = 0; d < 28; d++) {
    const weekend = d % 7 >= 5
    const count = weekend ? Math.floor(rng.between(2, 5)) : Math.floor(rng.between(8, 14))
    for (let i = 0; i < count; i++) arrivals.push({ at: monthStart + d * day + rng.between(7, 19) * hour, bug: false })
  }
  for (let at = Date.parse("2026-03-25T08:00:00Z"); at < monthEnd; at += rng.between(3, 6) * hour) {
    arrivals.push({ at, bug: true })
  }
  arrivals.sort((a, b) => a.at - b.at)
  for (const arrival of arrivals) {
    if (arrival.bug) await ticket(arrival.at, rng.pick(bugSubjects), ["billing"], true)
    else {
      const topic = rng.pick(weighted)
      await ticket(arrival.at, rng.pick(topic.subject), topic.tags, false)
    }
  }
  return plan
}

/** Every ticket of the workspace, page by page. */
const allTickets = async (helpdesk: PromiseHelpdesk.HelpdeskClient) => {
  const tickets: Array<PromiseHelpdesk.TicketPageJson["items"][number]> = []
  let cursor: string | undefined
  do {
    const page = await helpdesk.asSystem("report").list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) })
    tickets.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return tickets
}

const decodeEvent = Schema.decodeSync(TicketEvent.TicketEvent)

const duration = (ms: number | null): string => {
  if (ms === null) return "-"
  const minutes = Math.round(ms / minute)
  const days = Math.floor(minutes / (24 * 60))
  const rest = `${Math.floor((minutes % (24 * 60)) / 60)}h${String(minutes % 60).padStart(2, "0")}`
  return days === 0 ? rest : `${days}d ${rest}`
}
const percent = (rate: number | null): string => (rate === null ? "-" : `${Math.round(rate * 100)}%`)
const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
/** `Mon 23 Mar` (UTC). */
const dateOf = (at: number): string => {
  const d = new Date(at)
  return `${weekdays[d.getUTCDay()]} ${d.getUTCDate()} Mar`
}
/** `Mon 23 Mar 08:40` (UTC). */
const dayOf = (at: number): string => {
  const d = new Date(at)
  return `${dateOf(at)} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`
}

/** What the run found, for the test. */
export interface Outcome {
  readonly plan: Plan
  readonly report: Report.Report
  readonly rise: Recurring.Rise | undefined
  readonly problem: PromiseHelpdesk.TicketJson | undefined
  readonly told: ReadonlyArray<{ readonly ticket: string; readonly language: string | undefined }>
  readonly toldAgain: number
  /** When the hourly detection first found the rise, and on how many tickets. */
  readonly firstSeen: { readonly at: number; readonly tickets: number } | undefined
}

/**
 * Generates the month, then prints the weekly report, the rising problem, the problem ticket and
 * the outreach.
 */
export const main = async (print: (line: string) => void = console.log): Promise<Outcome> => {
  const clock = demoClock(monthStart)
  const links = surveyLinks("reporting-example-secret-0123456789abcdef")
  const helpdesk = await createHelpdesk({
    workspaceId: "acme",
    ids: "sequential",
    firstPublicId: 1001,
    now: clock.now,
    surveys: links.verifier
  })
  try {
    const plan = await generate(helpdesk, clock, links.sign)
    const tickets = await allTickets(helpdesk)

    // #region weekly-report
    // Each ticket's metrics, folded from its event log; then the last week's report.
    const metrics: Array<TicketMetrics.TicketMetrics> = []
    for (const t of tickets) {
      const events = (await helpdesk.asSystem("report").history(t.id)).map((e) => decodeEvent(e))
      metrics.push(TicketMetrics.fromEvents(events))
    }
    const period = (from: number): Report.Period => ({
      from: DateTime.makeUnsafe(from),
      to: DateTime.makeUnsafe(from + 7 * day)
    })
    const last = monthEnd - 7 * day
    const report = Report.make(metrics, period(last), ["channel", "complexity"])
    // #endregion
    const earlier = [3, 2, 1].map((n) => Report.make(metrics, period(last - n * 7 * day)).summary.created)
    const s = report.summary
    print(`Weekly report, ${dateOf(last)} to ${dateOf(monthEnd - day)} 2026 (acme)`)
    print(
      `  created ${s.created} (weeks before: ${earlier.join(", ")})  solved ${s.solved}  backlog ${s.backlog.tickets}`
    )
    print(
      `  first reply: median ${duration(s.firstReply.calendar.median)}, p90 ${duration(s.firstReply.calendar.p90)}` +
        `   resolution: median ${duration(s.fullResolution.calendar.median)}, p90 ${duration(s.fullResolution.calendar.p90)}`
    )
    print(`  one-touch ${percent(s.oneTouch.rate)}   reopened ${percent(s.reopened.rate)}`)
    print(
      `  CSAT ${percent(s.csat.score)} satisfied (${s.csat.responses} answers: ${s.csat.satisfied} good, ` +
        `${s.csat.neutral} neutral, ${s.csat.dissatisfied} bad)   NPS ${s.nps.score === null ? "-" : s.nps.score > 0 ? `+${s.nps.score}` : s.nps.score} (${s.nps.responses} answers)`
    )
    for (const breakdown of report.breakdowns) {
      const rows = breakdown.rows.map((r) => `${r.key ?? "none"} ${r.summary.created}`)
      print(`  created by ${breakdown.dimension}: ${rows.join(", ")}`)
    }

    // #region recurring
    const samples = tickets.map((t) => ({
      ticketId: t.id as never,
      publicId: t.publicId as never,
      createdAt: Date.parse(t.createdAt),
      subject: t.subject,
      tags: t.tags
    }))
    const rises = Recurring.detect(samples, { now: monthEnd })
    // #endregion
    print("")
    print("Rising this week (Recurring.detect: tags, subject words, against the 4 weeks before):")
    if (rises.length === 0) print("  nothing")
    for (const rise of rises) {
      const also = rise.related.map((r) => r.value).join(", ")
      print(
        `  ${rise.source} "${rise.value}": ${rise.current} tickets this week, ${Math.round(rise.baseline * 10) / 10}/week before` +
          (also === "" ? "" : ` (also rising: ${also})`)
      )
    }
    const rise = rises[0]
    if (rise === undefined)
      return { plan, report, rise, problem: undefined, told: [], toldAgain: 0, firstSeen: undefined }
    // When would it have shown? Detection run every hour of the week, on the tickets opened by then.
    let firstSeen: { readonly at: number; readonly tickets: number } | undefined
    for (let at = last; at <= monthEnd && firstSeen === undefined; at += hour) {
      const found = Recurring.detect(samples, { now: at }).find(
        (r) => r.source === rise.source && r.value === rise.value
      )
      if (found !== undefined) firstSeen = { at, tickets: found.current }
    }
    if (firstSeen !== undefined)
      print(`  first seen ${dayOf(firstSeen.at)}, after its first ${firstSeen.tickets} tickets`)
    const byId = new Map(tickets.map((t) => [t.id as string, t]))
    for (const id of rise.tickets.slice(0, 3)) {
      const t = byId.get(id)
      if (t !== undefined) print(`    #${t.publicId}  ${dayOf(Date.parse(t.createdAt))}  ${t.subject}`)
    }
    if (rise.tickets.length > 3) print(`    ... and ${rise.tickets.length - 3} more`)

    // #region open-problem
    clock.set(Date.parse("2026-03-30T09:00:00Z"))
    const mary = Actor.agent("mary")
    const problem = await helpdesk.openProblem({
      by: mary,
      incidents: [...rise.tickets],
      // The team's own contact: no customer sees the problem ticket as theirs.
      requester: { email: "billing-team@acme.test", name: "Billing team" },
      subject: Recurring.describe(rise),
      text: "Renewals are charged twice since Wednesday: billing is looking into it.",
      priority: "high",
      tags: ["billing"]
    })
    // #endregion
    print("")
    print(`Problem #${problem.publicId} opened: ${problem.subject}`)
    print(`  linked to ${problem.links.filter((l) => l.kind === "incident").length} incidents`)

    // #region outreach
    clock.set(Date.parse("2026-03-30T15:00:00Z"))
    await helpdesk.changeStatus({ ticket: problem.id, by: mary, status: "solved" })
    // #endregion
    const told = await outreach(helpdesk, rise.tickets)
    const languages = new Map<string, number>()
    for (const t of told) languages.set(t.language ?? "?", (languages.get(t.language ?? "?") ?? 0) + 1)
    print(`Problem #${problem.publicId} solved on ${dayOf(clock.now())}:`)
    print(
      `  told ${told.length} requesters once, through the outbox (template problem_solved): ` +
        [...languages].map(([language, n]) => `${n} in ${language}`).join(", ")
    )
    // A reopen and a second solve tell nobody twice.
    clock.set(Date.parse("2026-03-30T16:00:00Z"))
    await helpdesk.changeStatus({ ticket: problem.id, by: mary, status: "open" })
    await helpdesk.changeStatus({ ticket: problem.id, by: mary, status: "solved" })
    const toldAgain = (await outreach(helpdesk, rise.tickets)).length - told.length
    print(`  reopened and solved again: ${toldAgain} more told`)
    return { plan, report, rise, problem, told, toldAgain, firstSeen }
  } finally {
    await helpdesk.close()
  }
}

/** The problem_solved requests recorded on the incidents, one per incident told. */
const outreach = async (helpdesk: PromiseHelpdesk.HelpdeskClient, incidents: ReadonlyArray<string>) => {
  const told: Array<{ ticket: string; language: string | undefined }> = []
  for (const id of incidents) {
    for (const e of await helpdesk.asSystem("report").history(id)) {
      if (e._tag === "NotificationRequested" && e.template === "problem_solved")
        told.push({ ticket: id, language: e.language })
    }
  }
  return told
}

// Run the story when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
