// Synthetic per-ticket metrics for the reporting bench: a year of tickets (deterministic, seeded)
// across 50 groups, seven channels, agents, organizations and tags, most solved, some reopened,
// some still open, some with SLA milestones. `load.ts` writes them as `SqlReport.put` (the row
// writer the feed's fold uses) would, checked against it on a sample, into databases cached
// between runs.
import type { Ids, TicketMetrics } from "@tessera/core"
import { prng as rng } from "../lib/random.js"

/** Bump when the generated data changes: it is part of the cache key. */
export const dataVersion = 1

export const workspace = "ws_report" as Ids.WorkspaceId
export const yearStart = Date.parse("2025-01-01T00:00:00Z")
/** The month reported: November 2025. */
export const month = { from: Date.parse("2025-11-01T00:00:00Z"), to: Date.parse("2025-12-01T00:00:00Z") }

const channels = ["email", "web", "chat", "phone", "sms", "social", "api"] as const
const priorities = ["low", "normal", "high", "urgent"] as const
const HOUR = 3_600_000
const DAY = 24 * HOUR

const span = (calendar: number, share: number): TicketMetrics.Span => ({
  calendar: Math.round(calendar),
  business: Math.round(calendar * share)
})

/** Ticket `i`'s metrics, from a generator seeded by it. */
export const ticket = (
  i: number
): { readonly ticketId: Ids.TicketId; readonly metrics: TicketMetrics.TicketMetrics } => {
  const r = rng(i * 7919 + 17)
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(r() * xs.length)] as A
  const createdAt = yearStart + Math.floor(r() * 365 * DAY)
  const share = 0.2 + r() * 0.3
  const byRequester = r() < 0.9
  const replies = Math.floor(r() * 4)
  const solved = r() < 0.85 && (replies > 0 || r() < 0.3)
  const reopened = r() < 0.1
  const firstSolve = createdAt + Math.floor((1 + r() * 240) * HOUR)
  const reopenAt = firstSolve + Math.floor(r() * 3 * DAY)
  const lastSolve = reopenAt + Math.floor((1 + r() * 48) * HOUR)
  const done: Array<readonly [number, number | null]> = []
  if (reopened) done.push([firstSolve, reopenAt])
  if (solved) done.push([reopened ? lastSolve : firstSolve, null])
  const solvedAt = solved ? (reopened ? lastSolve : firstSolve) : null
  const tags = [`tag_${Math.floor(r() ** 2 * 30)}`]
  if (r() < 0.4) tags.push(`tag_${30 + Math.floor(r() * 10)}`)
  const sla: Array<TicketMetrics.SlaRecord> = []
  if (r() < 0.3) {
    sla.push({ policy: pick(["standard", "vip"]), metric: "first_reply", warnings: 1, breaches: r() < 0.3 ? 1 : 0 })
  }
  const wait = (solvedAt ?? createdAt + 10 * DAY) - createdAt
  const metrics: TicketMetrics.TicketMetrics = {
    v: 1,
    ticketId: `tkt_${i}` as Ids.TicketId,
    publicId: (i + 1) as Ids.PublicId,
    createdAt,
    createdHour: new Date(createdAt).getUTCHours(),
    at: solvedAt ?? createdAt + HOUR,
    channel: pick(channels),
    type: r() < 0.5 ? pick(["question", "incident", "problem", "task"] as const) : null,
    group: r() < 0.9 ? (`grp_${String(Math.floor(r() * 50)).padStart(2, "0")}` as Ids.GroupId) : null,
    assignee: r() < 0.85 ? (`agent_${Math.floor(r() * 200)}` as Ids.AgentId) : null,
    organization: r() < 0.6 ? (`org_${Math.floor(r() * 1000)}` as Ids.OrganizationId) : null,
    priority: pick(priorities),
    tags: tags as unknown as TicketMetrics.TicketMetrics["tags"],
    category: solved ? "solved" : "open",
    categorySince: solvedAt ?? createdAt,
    waitingSince: null,
    waitingForFirst: false,
    firstReply: byRequester && replies > 0 ? span(r() * 48 * HOUR, share) : null,
    nextReplies: Array.from({ length: Math.max(0, replies - 1) }, () => span(r() * 24 * HOUR, share)),
    replies,
    solvedAt,
    fullResolution: solvedAt === null ? null : span(solvedAt - createdAt, share),
    solves: done.length,
    reopens: reopened ? 1 : 0,
    requesterWait: span(wait * (0.3 + r() * 0.6), share),
    agentWork: span(wait * r() * 0.3, share),
    merged: false,
    done,
    sla
  }
  return { ticketId: `tkt_${i}` as Ids.TicketId, metrics }
}
