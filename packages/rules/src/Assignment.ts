/**
 * Choosing who gets a ticket: round-robin within a group, least-loaded, or skills-based, as a
 * pure function over a snapshot of the roster (who is active, online, in which groups, with which
 * skills, how loaded). Every call returns the full ranking of candidates and, for every other
 * agent, the one reason it was left out, so a routing decision can be explained. Reading the
 * roster from the directory and presence systems, and writing the assignment as a command, are
 * the caller's job.
 *
 * @since 0.1.0
 */
import { type Channel, type Directory, type Ids, Priority, type TicketType } from "@tessera/core"

/**
 * How an agent's presence allows new work: only `online` agents receive tickets.
 *
 * @category models
 * @since 0.1.0
 */
export type Availability = "online" | "away" | "offline"

/**
 * Open tickets an agent can hold at once, per channel. A channel left out falls back to the
 * roster's default, then to `defaultCapacity`.
 *
 * @category models
 * @since 0.1.0
 */
export type Capacity = Readonly<Partial<Record<Channel.Channel, number>>>

/**
 * A number per channel: open ticket counts, or their priority-weighted sum.
 *
 * @category models
 * @since 0.1.0
 */
export type ChannelLoad = Readonly<Partial<Record<Channel.Channel, number>>>

/**
 * The capacity used when neither the agent nor the roster names one for a channel: real-time
 * channels hold few conversations at once, written ones many.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultCapacity: Readonly<Record<Channel.Channel, number>> = {
  email: 20,
  web: 20,
  api: 20,
  social: 10,
  sms: 5,
  chat: 3,
  phone: 1
}

/**
 * An agent as routing sees it: the directory's record (a `Directory.Agent` fits) plus presence,
 * spoken languages and capacity.
 *
 * @category models
 * @since 0.1.0
 */
export interface RosterAgent extends Pick<Directory.Agent, "id" | "groups" | "skills" | "active"> {
  readonly availability: Availability
  /** Languages the agent answers in (`en`, `fr`); each counts as the skill `language:<code>`. */
  readonly languages?: ReadonlyArray<string>
  readonly capacity?: Capacity
}

/**
 * A snapshot of the team for routing. Agent ids must be unique. `load` holds open ticket counts
 * (what capacity is checked against); `weightedLoad`, when present, is what least-loaded
 * ranking compares instead (for example urgent tickets counting 3), and `weights`
 * says how much `assign` adds to it per priority (1 when absent). `cursors` holds, per group, the
 * last agent assigned there (key `anyGroup` for requests without a group).
 *
 * @category models
 * @since 0.1.0
 */
export interface Roster {
  readonly agents: ReadonlyArray<RosterAgent>
  readonly defaultCapacity?: Capacity
  readonly load: Readonly<Record<string, ChannelLoad>>
  readonly weightedLoad?: Readonly<Record<string, ChannelLoad>>
  readonly weights?: Readonly<Partial<Record<Priority.Priority, number>>>
  readonly cursors: Readonly<Record<string, Ids.AgentId>>
}

/**
 * The cursor key of requests that name no group (group ids cannot start with `*`).
 *
 * @category models
 * @since 0.1.0
 */
export const anyGroup = "*"

/**
 * What is being assigned. `skills` are required (an agent lacking one is excluded whatever the
 * strategy); `preferredSkills` only order the candidates of the `skills` strategy. Without a
 * `group`, every agent of the roster may take the ticket.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  readonly group?: Ids.GroupId
  readonly channel: Channel.Channel
  readonly skills: ReadonlyArray<string>
  readonly preferredSkills?: ReadonlyArray<string>
  readonly priority: Priority.Priority
}

/**
 * The assignment strategies.
 *
 * @category models
 * @since 0.1.0
 */
export type Strategy = "round_robin" | "least_loaded" | "skills"

/**
 * Why an agent cannot take a request. An agent gets exactly one reason: the first that applies
 * in this order, the most lasting first (so `at_capacity` means the agent could take it later).
 *
 * @category models
 * @since 0.1.0
 */
export type ExclusionReason = "inactive" | "unavailable" | "not_in_group" | "missing_skills" | "at_capacity"

/**
 * An agent who may take the request, with the strategy's score (higher is better) and why.
 *
 * @category models
 * @since 0.1.0
 */
export interface Candidate {
  readonly agent: Ids.AgentId
  readonly score: number
  readonly reasons: ReadonlyArray<string>
}

/**
 * An agent left out, with the reason and a sentence about it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Excluded {
  readonly agent: Ids.AgentId
  readonly reason: ExclusionReason
  readonly detail: string
}

/**
 * The outcome of ranking: candidates best first, excluded agents by id, and the first candidate
 * as `chosen` (absent when nobody can take the request).
 *
 * @category models
 * @since 0.1.0
 */
export interface Ranking {
  readonly candidates: ReadonlyArray<Candidate>
  readonly excluded: ReadonlyArray<Excluded>
  readonly chosen?: Ids.AgentId
}

// --- skills -------------------------------------------------------------------------------------

/**
 * One rule of a skill map: when every condition given matches the ticket (a tag it carries, its
 * language, its type), the ticket needs `skills`, or merely prefers them when `preferred` is set.
 * A rule without conditions always applies.
 *
 * @category models
 * @since 0.1.0
 */
export interface SkillRule {
  readonly tag?: string
  readonly language?: string
  readonly type?: TicketType.TicketType
  readonly skills: ReadonlyArray<string>
  readonly preferred?: boolean
}

/**
 * The rules that turn a ticket into the skills it needs.
 *
 * @category models
 * @since 0.1.0
 */
export type SkillMap = ReadonlyArray<SkillRule>

/**
 * What `skillsFor` reads from a ticket: a `Ticket.Ticket` fits, with a language added when one
 * is known (from a classifier, for example).
 *
 * @category models
 * @since 0.1.0
 */
export interface SkillSubject {
  readonly tags: ReadonlyArray<string>
  readonly type?: TicketType.TicketType
  readonly language?: string
}

/**
 * The skill that stands for speaking a language: `language:fr`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const languageSkill = (language: string): string => `language:${language}`

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const sortedUnique = (values: Iterable<string>): ReadonlyArray<string> =>
  Array.from(new Set(values)).sort(compareStrings)

/**
 * The skills a ticket needs and prefers under a skill map, each list sorted and without
 * duplicates; a skill both required and preferred counts as required. The result spreads into a
 * `Request`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const skillsFor = (
  ticket: SkillSubject,
  skillMap: SkillMap
): { readonly skills: ReadonlyArray<string>; readonly preferredSkills: ReadonlyArray<string> } => {
  const required = new Set<string>()
  const preferred = new Set<string>()
  for (const rule of skillMap) {
    const applies =
      (rule.tag === undefined || ticket.tags.includes(rule.tag)) &&
      (rule.language === undefined || ticket.language === rule.language) &&
      (rule.type === undefined || ticket.type === rule.type)
    if (!applies) continue
    for (const skill of rule.skills) (rule.preferred === true ? preferred : required).add(skill)
  }
  for (const skill of required) preferred.delete(skill)
  return { skills: sortedUnique(required), preferredSkills: sortedUnique(preferred) }
}

// --- reading the roster ---------------------------------------------------------------------------

// Records are keyed by agent and group ids; read own properties only, so an id such as
// `constructor` never picks up Object.prototype.
const own = <A>(record: Readonly<Record<string, A>> | undefined, key: string): A | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined

const count = (value: number | undefined): number => (value === undefined || Number.isNaN(value) ? 0 : value)

/**
 * The open tickets an agent holds on a channel.
 *
 * @category combinators
 * @since 0.1.0
 */
export const openCount = (roster: Roster, agent: Ids.AgentId, channel: Channel.Channel): number =>
  count(own(roster.load, agent)?.[channel])

/**
 * The load least-loaded ranking compares: the weighted load when the roster keeps one (an agent
 * missing from it has none), else the open count.
 *
 * @category combinators
 * @since 0.1.0
 */
export const effectiveLoad = (roster: Roster, agent: Ids.AgentId, channel: Channel.Channel): number =>
  roster.weightedLoad === undefined
    ? openCount(roster, agent, channel)
    : count(own(roster.weightedLoad, agent)?.[channel])

/**
 * An agent's capacity on a channel: its own, else the roster's default, else `defaultCapacity`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const capacityOf = (roster: Roster, agent: RosterAgent, channel: Channel.Channel): number =>
  agent.capacity?.[channel] ?? roster.defaultCapacity?.[channel] ?? defaultCapacity[channel]

/**
 * Whether an agent can take one more ticket on a channel (a `NaN` or non-positive capacity never can).
 *
 * @category predicates
 * @since 0.1.0
 */
export const hasRoom = (roster: Roster, agent: RosterAgent, channel: Channel.Channel): boolean =>
  openCount(roster, agent.id, channel) < capacityOf(roster, agent, channel)

const skillSet = (agent: RosterAgent): ReadonlySet<string> =>
  new Set([...agent.skills, ...(agent.languages ?? []).map(languageSkill)])

/**
 * The cursor key of a request: its group, or `anyGroup`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const cursorKey = (request: Request): string => request.group ?? anyGroup

const exclusion = (roster: Roster, agent: RosterAgent, request: Request): Excluded | undefined => {
  const out = (reason: ExclusionReason, detail: string): Excluded => ({ agent: agent.id, reason, detail })
  if (!agent.active) return out("inactive", "the agent is deactivated")
  if (agent.availability !== "online") return out("unavailable", `the agent is ${agent.availability}`)
  if (request.group !== undefined && !agent.groups.includes(request.group)) {
    return out("not_in_group", `the agent is not in group ${request.group}`)
  }
  const skills = skillSet(agent)
  const missing = sortedUnique(request.skills.filter((s) => !skills.has(s)))
  if (missing.length > 0) return out("missing_skills", `the agent lacks ${missing.join(", ")}`)
  if (!hasRoom(roster, agent, request.channel)) {
    const open = openCount(roster, agent.id, request.channel)
    const capacity = capacityOf(roster, agent, request.channel)
    return out("at_capacity", `${open} open ${request.channel} tickets of ${capacity} allowed`)
  }
  return undefined
}

// --- ranking --------------------------------------------------------------------------------------

interface Eligible {
  readonly agent: RosterAgent
  readonly ratio: number
  readonly open: number
  readonly capacity: number
}

const loadReason = (e: Eligible, channel: Channel.Channel): string =>
  `${e.open} open ${channel} tickets of ${e.capacity} (load ratio ${Number(e.ratio.toFixed(3))})`

// Finite capacity gives a ratio in [0, 1); an unlimited one counts as empty.
const ratioOf = (load: number, capacity: number): number => (Number.isFinite(capacity) ? load / capacity : 0)

const byLoadThenId = (a: Eligible, b: Eligible): number =>
  a.ratio - b.ratio || a.open - b.open || compareStrings(a.agent.id, b.agent.id)

const roundRobin = (eligible: ReadonlyArray<Eligible>, request: Request, roster: Roster): Array<Candidate> => {
  const cursor = own(roster.cursors, cursorKey(request))
  // Next after the cursor in id order, wrapping: those after it first, then the rest.
  const after = cursor === undefined ? eligible : eligible.filter((e) => e.agent.id > cursor)
  const before = cursor === undefined ? [] : eligible.filter((e) => e.agent.id <= cursor)
  const order = [...after, ...before]
  return order.map((e, position) => ({
    agent: e.agent.id,
    score: order.length - position,
    reasons: [
      position === 0
        ? cursor === undefined
          ? "first in id order (no previous assignment in this group)"
          : `next after ${cursor} in id order`
        : `turn ${position + 1} after ${cursor ?? "the start"}`,
      loadReason(e, request.channel)
    ]
  }))
}

const leastLoaded = (eligible: ReadonlyArray<Eligible>, request: Request): Array<Candidate> =>
  [...eligible].sort(byLoadThenId).map((e) => ({
    agent: e.agent.id,
    score: 1 - e.ratio,
    reasons: [loadReason(e, request.channel)]
  }))

const bySkills = (eligible: ReadonlyArray<Eligible>, request: Request): Array<Candidate> => {
  const preferred = sortedUnique(request.preferredSkills ?? [])
  const scored = eligible.map((e) => {
    const skills = skillSet(e.agent)
    return { e, matched: preferred.filter((s) => skills.has(s)) }
  })
  scored.sort((a, b) => b.matched.length - a.matched.length || byLoadThenId(a.e, b.e))
  return scored.map(({ e, matched }) => ({
    agent: e.agent.id,
    score: matched.length,
    reasons: [
      request.skills.length === 0
        ? "no skill required"
        : `has every required skill (${sortedUnique(request.skills).join(", ")})`,
      preferred.length === 0
        ? "no preferred skill asked"
        : `has ${matched.length} of ${preferred.length} preferred skills${matched.length > 0 ? ` (${matched.join(", ")})` : ""}`,
      loadReason(e, request.channel)
    ]
  }))
}

/**
 * Ranks the roster's agents for a request. Ineligible agents are excluded with one reason
 * (inactive, unavailable, not in the group, missing a required skill, at capacity on the
 * channel); the others are ordered by the strategy, ties broken by agent id, so the result does
 * not depend on the order of `roster.agents`:
 *
 * - `round_robin`: the next eligible agent after the group's cursor in id order, wrapping;
 *   score = turns left in the cycle (the chosen agent scores the number of candidates).
 * - `least_loaded`: the lowest (weighted) load divided by capacity on the channel; score =
 *   the free share of capacity.
 * - `skills`: the most preferred skills matched, then least loaded; score = preferred skills matched.
 *
 * @category combinators
 * @since 0.1.0
 */
export const rank = (strategy: Strategy, request: Request, roster: Roster): Ranking => {
  const agents = [...roster.agents].sort((a, b) => compareStrings(a.id, b.id))
  const excluded: Array<Excluded> = []
  const eligible: Array<Eligible> = []
  for (const agent of agents) {
    const why = exclusion(roster, agent, request)
    if (why !== undefined) {
      excluded.push(why)
      continue
    }
    const capacity = capacityOf(roster, agent, request.channel)
    eligible.push({
      agent,
      capacity,
      open: openCount(roster, agent.id, request.channel),
      ratio: ratioOf(effectiveLoad(roster, agent.id, request.channel), capacity)
    })
  }
  const candidates =
    strategy === "round_robin"
      ? roundRobin(eligible, request, roster)
      : strategy === "least_loaded"
        ? leastLoaded(eligible, request)
        : bySkills(eligible, request)
  const first = candidates[0]
  return first === undefined ? { candidates, excluded } : { candidates, excluded, chosen: first.agent }
}

// --- updating the roster ----------------------------------------------------------------------------

/**
 * The roster with a group's round-robin cursor moved to an agent.
 *
 * @category combinators
 * @since 0.1.0
 */
export const nextCursor = (roster: Roster, group: string, agent: Ids.AgentId): Roster => ({
  ...roster,
  cursors: { ...roster.cursors, [group]: agent }
})

const bump = (
  load: Readonly<Record<string, ChannelLoad>>,
  agent: Ids.AgentId,
  channel: Channel.Channel,
  by: number
) => {
  const current = own(load, agent) ?? {}
  return { ...load, [agent]: { ...current, [channel]: count(current[channel]) + by } }
}

/**
 * The weight one ticket of a priority adds to an agent's weighted load (1 unless the roster says).
 *
 * @category combinators
 * @since 0.1.0
 */
export const weightOf = (roster: Roster, priority: Priority.Priority): number => roster.weights?.[priority] ?? 1

/**
 * The roster after giving a request to an agent: one more open ticket on the channel, the
 * weighted load (when the roster keeps one) raised by the priority's weight, and the request's
 * group cursor on the agent. It checks nothing: rank first.
 *
 * @category combinators
 * @since 0.1.0
 */
export const assign = (roster: Roster, request: Request, agent: Ids.AgentId): Roster => {
  const moved = nextCursor(roster, cursorKey(request), agent)
  const load = bump(roster.load, agent, request.channel, 1)
  return roster.weightedLoad === undefined
    ? { ...moved, load }
    : {
        ...moved,
        load,
        weightedLoad: bump(roster.weightedLoad, agent, request.channel, weightOf(roster, request.priority))
      }
}

// --- draining the backlog -----------------------------------------------------------------------------

/**
 * An unassigned ticket waiting for capacity; times are epoch milliseconds.
 *
 * @category models
 * @since 0.1.0
 */
export interface BacklogItem {
  readonly ticketId: Ids.TicketId
  readonly slaDueAt?: number
  readonly priority: Priority.Priority
  readonly createdAt: number
}

const hasSla = (item: BacklogItem): item is BacklogItem & { readonly slaDueAt: number } =>
  item.slaDueAt !== undefined && !Number.isNaN(item.slaDueAt)

const byRisk = (a: BacklogItem, b: BacklogItem): number => {
  const aSla = hasSla(a)
  const bSla = hasSla(b)
  if (aSla !== bSla) return aSla ? -1 : 1
  if (aSla && bSla && a.slaDueAt !== b.slaDueAt) return a.slaDueAt < b.slaDueAt ? -1 : 1
  const byPriority = Priority.rank(b.priority) - Priority.rank(a.priority)
  if (byPriority !== 0) return byPriority
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1
  return compareStrings(a.ticketId, b.ticketId)
}

/**
 * The backlog most at risk first: earliest SLA due first, tickets without an SLA after all
 * those with one; then higher priority, then oldest, then ticket id.
 *
 * @category combinators
 * @since 0.1.0
 */
export const drainOrder = <A extends BacklogItem>(backlog: ReadonlyArray<A>): ReadonlyArray<A> =>
  [...backlog].sort(byRisk)

/**
 * A ticket the drain gave to an agent, with the ranking that chose it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Assigned<A extends BacklogItem = BacklogItem> {
  readonly item: A
  readonly agent: Ids.AgentId
  readonly ranking: Ranking
}

/**
 * A ticket the drain could not place, with every agent's exclusion and a summary.
 *
 * @category models
 * @since 0.1.0
 */
export interface Leftover<A extends BacklogItem = BacklogItem> {
  readonly item: A
  readonly excluded: ReadonlyArray<Excluded>
  readonly detail: string
}

/**
 * What a drain did: assignments in the order made, the roster after them, and the tickets left
 * in the backlog (in drain order).
 *
 * @category models
 * @since 0.1.0
 */
export interface Drained<A extends BacklogItem = BacklogItem> {
  readonly assignments: ReadonlyArray<Assigned<A>>
  readonly roster: Roster
  readonly leftovers: ReadonlyArray<Leftover<A>>
}

const summarize = (excluded: ReadonlyArray<Excluded>): string => {
  if (excluded.length === 0) return "no agent in the roster"
  const counts = new Map<ExclusionReason, number>()
  for (const e of excluded) counts.set(e.reason, (counts.get(e.reason) ?? 0) + 1)
  return `no candidate: ${[...counts.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(", ")}`
}

/**
 * Drains a backlog as capacity allows: tickets in `drainOrder`, each ranked against the roster
 * as updated by the assignments before it, and given to the chosen agent. A ticket nobody can
 * take is left over and the drain goes on with the next, which may need other agents.
 *
 * @category combinators
 * @since 0.1.0
 */
export const drain = <A extends BacklogItem>(
  backlog: ReadonlyArray<A>,
  roster: Roster,
  strategy: Strategy,
  requestOf: (item: A) => Request
): Drained<A> => {
  const assignments: Array<Assigned<A>> = []
  const leftovers: Array<Leftover<A>> = []
  let current = roster
  for (const item of drainOrder(backlog)) {
    const request = requestOf(item)
    const ranking = rank(strategy, request, current)
    if (ranking.chosen === undefined) {
      leftovers.push({ item, excluded: ranking.excluded, detail: summarize(ranking.excluded) })
    } else {
      current = assign(current, request, ranking.chosen)
      assignments.push({ item, agent: ranking.chosen, ranking })
    }
  }
  return { assignments, roster: current, leftovers }
}
