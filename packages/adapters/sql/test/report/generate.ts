/**
 * Generated tickets for the reporting tests: each ticket a deterministic script (opened by the
 * requester or an agent, assigned, rated for complexity, answered, pending, on hold, solved and
 * its survey answered, reopened, merged-like
 * closes left out) whose commands go through core's `decide`, so every event is one the help desk
 * could write; the units of work are then appended to a store in time order, many tickets per
 * `appendAll`, so the feed interleaves tickets as a live desk's does.
 */
import {
  Decide,
  type Ids,
  type Satisfaction,
  Status,
  Ticket,
  TicketCommand,
  type TicketEvent,
  type TicketStore
} from "@tessera/core"
import { DateTime, Effect } from "effect"

/** mulberry32: a small seeded generator in [0, 1). */
export const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const channels = ["email", "web", "chat", "phone"] as const
const groups = ["billing", "tech", "sales", null] as const
const agents = ["mary", "raj", "lin", "omar"] as const
const topics = ["billing", "login", "refund", "outage", "=cmd|' /C calc'!A0"] as const
const policies = ["standard", "vip"] as const

type Command =
  | { readonly kind: "open"; readonly byAgent: boolean }
  | { readonly kind: "assign"; readonly agent: number; readonly group: number }
  | { readonly kind: "agentReply" | "requesterReply" | "note" }
  | { readonly kind: "status"; readonly status: "pending" | "on_hold" | "open" | "solved" | "closed" }
  | { readonly kind: "tags"; readonly add: string; readonly remove: string }
  | { readonly kind: "priority"; readonly priority: "low" | "high" | "urgent" }
  | { readonly kind: "complexity"; readonly complexity: "simple" | "standard" | "complex" }
  | { readonly kind: "rate"; readonly survey: number; readonly rating: Satisfaction.Rating }
  | {
      readonly kind: "sla"
      readonly breach: boolean
      readonly metric: "first_reply" | "resolution"
      readonly policy: string
    }

interface Step {
  readonly at: number
  readonly ticket: number
  readonly command: Command
}

/** Each ticket's script over `days` days from `start`; some stay unsolved, some reopen. */
export const scripts = (tickets: number, start: number, days: number, seed: number): ReadonlyArray<Step> => {
  const next = random(seed)
  const between = (min: number, max: number) => Math.floor(min + next() * (max - min))
  const steps: Array<Step> = []
  for (let ticket = 0; ticket < tickets; ticket++) {
    let t = start + between(0, days * 24 * 60) * 60_000 + between(0, 60_000)
    const add = (command: Command, gapMinutes: number) => {
      t += gapMinutes * 60_000 + between(0, 1000)
      steps.push({ at: t, ticket, command })
    }
    add({ kind: "open", byAgent: next() < 0.1 }, 0)
    if (next() < 0.8)
      add({ kind: "assign", agent: between(0, agents.length), group: between(0, groups.length) }, between(1, 180))
    if (next() < 0.2)
      add({ kind: "tags", add: topics[between(0, topics.length)] as string, remove: "billing" }, between(1, 60))
    if (next() < 0.1)
      add({ kind: "priority", priority: (["low", "high", "urgent"] as const)[between(0, 3)] ?? "low" }, 1)
    if (next() < 0.15)
      add(
        { kind: "complexity", complexity: (["simple", "standard", "complex"] as const)[between(0, 3)] ?? "simple" },
        2
      )
    if (next() < 0.25) {
      const policy = policies[between(0, 2)] as string
      add({ kind: "sla", breach: false, metric: "first_reply", policy }, between(30, 240))
      if (next() < 0.5) add({ kind: "sla", breach: true, metric: "first_reply", policy }, between(30, 240))
    }
    if (next() < 0.12) continue // never answered: the backlog
    add({ kind: "agentReply" }, between(5, 3000))
    if (next() < 0.3) add({ kind: "note" }, between(1, 30))
    if (next() < 0.35) {
      add({ kind: "status", status: "pending" }, between(1, 10))
      add({ kind: "requesterReply" }, between(30, 4000))
      if (next() < 0.3) add({ kind: "requesterReply" }, between(1, 300))
      add({ kind: "agentReply" }, between(10, 2500))
    }
    if (next() < 0.15) {
      add({ kind: "status", status: "on_hold" }, between(1, 10))
      add({ kind: "status", status: "open" }, between(60, 3000))
    }
    if (next() < 0.1) continue // still being worked on
    add({ kind: "status", status: "solved" }, between(1, 600))
    if (next() < 0.05) add({ kind: "sla", breach: true, metric: "resolution", policy: "standard" }, between(1, 60))
    if (next() < 0.3) {
      // The survey on solve is answered (CSAT good/bad or 1-5, or NPS), sometimes answered again.
      const rating = (): Satisfaction.Rating => {
        const r = next()
        if (r < 0.4) return { kind: "csat", score: next() < 0.7 ? "good" : "bad" }
        if (r < 0.7) return { kind: "csat", score: between(1, 6) }
        return { kind: "nps", score: between(0, 11) }
      }
      add({ kind: "rate", survey: 1, rating: rating() }, between(10, 3000))
      if (next() < 0.2) add({ kind: "rate", survey: 1, rating: rating() }, between(10, 3000))
      if (next() < 0.1)
        add({ kind: "rate", survey: 2, rating: { kind: "nps", score: between(0, 11) } }, between(10, 600))
    }
    if (next() < 0.2) {
      // The requester answers: the ticket reopens, is answered and solved again (or not).
      add({ kind: "requesterReply" }, between(60, 1400))
      add({ kind: "status", status: "open" }, between(1, 30))
      add({ kind: "agentReply" }, between(10, 1500))
      if (next() < 0.8) add({ kind: "status", status: "solved" }, between(1, 30))
    } else if (next() < 0.3) add({ kind: "status", status: "closed" }, between(60 * 24, 60 * 24 * 4))
  }
  return steps.sort((a, b) => a.at - b.at || a.ticket - b.ticket)
}

const idOf = (ticket: number) => `tkt_${String(ticket).padStart(6, "0")}` as Ids.TicketId
const requesterOf = (ticket: number) => `customer_${ticket % 997}` as Ids.ContactId
const body = (text: string) => ({ text, attachments: [] })

const commandOf = (step: Step, workspace: Ids.WorkspaceId, message: number): TicketCommand.TicketCommand => {
  const ticketId = idOf(step.ticket)
  const c = step.command
  const messageId = `msg_${step.ticket}_${message}` as Ids.MessageId
  switch (c.kind) {
    case "open":
      return new TicketCommand.OpenTicket({
        ticketId,
        workspaceId: workspace,
        publicId: (step.ticket + 1) as Ids.PublicId,
        messageId,
        subject: `Problem ${step.ticket}`,
        requester: requesterOf(step.ticket),
        ...(step.ticket % 3 === 0 ? { organization: `org_${step.ticket % 7}` as Ids.OrganizationId } : {}),
        channel: channels[step.ticket % channels.length] ?? "email",
        ...(step.ticket % 5 === 0 ? { type: "incident" as const } : {}),
        tags: step.ticket % 4 === 0 ? [] : [topics[step.ticket % topics.length] as string, "billing"],
        customFields: {},
        body: body("Something is wrong.")
      })
    case "assign": {
      const group = groups[c.group] ?? null
      return new TicketCommand.Assign({
        ticketId,
        assignee: agents[c.agent] as Ids.AgentId,
        group: group as Ids.GroupId | null
      })
    }
    case "agentReply":
    case "requesterReply":
      return new TicketCommand.AddReply({ ticketId, messageId, channel: "email", body: body("Here is what we found.") })
    case "note":
      return new TicketCommand.AddNote({ ticketId, messageId, channel: "web", body: body("Asked the team.") })
    case "status":
      return new TicketCommand.ChangeStatus({ ticketId, to: c.status as never })
    case "tags":
      return new TicketCommand.ChangeTags({ ticketId, add: [c.add], remove: [c.remove] })
    case "priority":
      return new TicketCommand.SetPriority({ ticketId, priority: c.priority })
    case "complexity":
      return new TicketCommand.SetComplexity({ ticketId, complexity: c.complexity })
    case "rate":
      return new TicketCommand.RateSatisfaction({
        ticketId,
        survey: `survey_${step.ticket}_${c.survey}` as never,
        rating: c.rating
      })
    case "sla":
      return new TicketCommand.RecordSla({
        ticketId,
        milestones: [
          {
            kind: c.breach ? "breach" : "warning",
            metric: c.metric,
            instance: 1,
            policy: c.policy,
            reachedAt: DateTime.makeUnsafe(step.at)
          }
        ]
      })
  }
}

const actorOf = (step: Step) => {
  const c = step.command
  if (c.kind === "requesterReply" || c.kind === "rate" || (c.kind === "open" && !c.byAgent))
    return { _tag: "contact", id: requesterOf(step.ticket) } as const
  if (c.kind === "sla") return { _tag: "system", reason: "sla" } as const
  return { _tag: "agent", id: agents[step.ticket % agents.length] as Ids.AgentId } as const
}

/**
 * Decides every step (a refused command, such as solving a solved ticket, writes nothing) and
 * appends the units of work in time order, `perBatch` tickets at a time (a ticket's later units
 * in the same batch join its append); returns the number of events.
 */
export const appendAll = (
  store: TicketStore.TicketStore["Service"],
  workspace: Ids.WorkspaceId,
  steps: ReadonlyArray<Step>,
  perBatch = 500
) =>
  Effect.gen(function* () {
    const states = new Map<number, { state: Ticket.State; version: number; messages: number }>()
    let batch: Array<{ ticketId: Ids.TicketId; expectedVersion: number; events: Array<TicketEvent.TicketEvent> }> = []
    const inBatch = new Map<number, number>()
    let events = 0
    const flush = Effect.gen(function* () {
      if (batch.length > 0) yield* store.appendAll(batch)
      batch = []
      inBatch.clear()
    })
    for (const step of steps) {
      const current = states.get(step.ticket) ?? { state: Ticket.initial, version: 0, messages: 0 }
      const command = commandOf(step, workspace, current.messages + 1)
      const decided = yield* Effect.result(
        Decide.decide(current.state, command, {
          now: DateTime.makeUnsafe(step.at),
          actor: actorOf(step),
          workflow: Status.defaultWorkflow,
          customFields: []
        })
      )
      if (decided._tag === "Failure" || decided.success.length === 0) continue
      const decidedEvents = decided.success
      let state = current.state
      for (const event of decidedEvents) state = Ticket.evolve(state, event)
      // A ticket already in the batch gets its next unit in the same append, after the first.
      const at = inBatch.get(step.ticket)
      if (at !== undefined) batch[at]?.events.push(...decidedEvents)
      else {
        if (batch.length >= perBatch) yield* flush
        inBatch.set(step.ticket, batch.length)
        batch.push({ ticketId: idOf(step.ticket), expectedVersion: current.version, events: [...decidedEvents] })
      }
      events += decidedEvents.length
      states.set(step.ticket, {
        state,
        version: current.version + decidedEvents.length,
        messages: current.messages + 1
      })
    }
    yield* flush
    return events
  })
