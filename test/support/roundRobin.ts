/**
 * One round-robin team for the assignment tests of @tessera/rules and @tessera/redis: the rule
 * that assigns the "network" group's new tickets in turn, the roster of its agents, the directory
 * records to save and the ticket each test opens. The tests differ in where the roster's state
 * lives (one process, a shared port, Redis), never in the team.
 */
import type { Helpdesk } from "@tessera/core"
import { type Assignment, Rule } from "@tessera/rules"
import { Effect, Result } from "effect"

const decoded = Rule.decodeRuleSet([
  {
    id: "network-round-robin",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "group", op: "is", value: "network" },
    // biome-ignore lint/suspicious/noThenProperty: a rule document names its actions `then`
    then: [{ assign: { strategy: "round_robin" } }]
  }
])

/** The rule set: tickets opened in the "network" group go to its agents in turn. */
export const rules = Result.isSuccess(decoded) ? decoded.success : []

/** A roster of online agents of the "network" group, in this order, with no load yet. */
export const roster = (ids: ReadonlyArray<string>, capacity?: { readonly email: number }): Assignment.Roster => ({
  agents: ids.map((id) => ({
    id: id as never,
    groups: ["network" as never],
    skills: [],
    active: true,
    availability: "online" as const,
    ...(capacity === undefined ? {} : { capacity })
  })),
  load: {},
  cursors: {}
})

/** Saves the "network" group and its agents in the help desk's directory. */
export const saveTeam = (helpdesk: Helpdesk.Service, ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    yield* helpdesk.saveGroup({ id: "network", name: "Network" })
    for (const id of ids) yield* helpdesk.saveAgent({ id, name: id, email: `${id}@acme.test`, groups: ["network"] })
  })

/** Opens the `i`th ticket for the network group, as agent `by`; answers its assignee. */
export const openTicket = (helpdesk: Helpdesk.Service, i: number, by: string) =>
  Effect.map(
    helpdesk.open({
      requester: { email: "jane@example.com" },
      subject: `VPN ${i}`,
      text: "Down",
      channel: "email",
      group: "network",
      by: { _tag: "agent", id: by }
    }),
    (ticket) => ticket.assignee
  )
