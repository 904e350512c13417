/**
 * The arbitraries of the `TicketStore` suite's model-based run: actors, tags, custom fields and
 * inputs drawn from the seeded directory (with a few unknown ids), the operations on a ticket,
 * and the weighted list of steps `fc.commands` draws from.
 */
import * as fc from "fast-check"
import * as Actor from "../../../values/Actor.js"
import type { AgentId, ContactId } from "../../../values/Ids.js"
import * as Arbitraries from "../../Arbitraries.js"
import { querySpec, statuses } from "../QuerySpecs.js"
import {
  Advance,
  type Follower,
  type ModelEmail,
  OnTicket,
  Open,
  type OpenArgs,
  Query,
  ReadBack,
  RunTimers,
  SetSla,
  type TicketOp
} from "./Commands.js"
import { emailIdPool, type Model, type Real } from "./Model.js"

// Arbitraries of the run: ids are the seeded directory's (and a few unknown ones).

const space = fc.constantFrom<0 | 1>(0, 1)

const actor: fc.Arbitrary<Actor.Actor> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(Actor.agent("mary"), Actor.agent("sam")) },
  { weight: 3, arbitrary: fc.constantFrom(Actor.contact("jane"), Actor.contact("omar")) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Actor.agent("ivan"),
      Actor.agent("ghost"),
      Actor.contact("lee"),
      Actor.contact("nobody"),
      Actor.system("rule:vip")
    )
  }
)

const follower: fc.Arbitrary<Follower> = fc.constantFrom(
  { _tag: "agent", id: "mary" as AgentId },
  { _tag: "agent", id: "sam" as AgentId },
  { _tag: "agent", id: "ghost" as AgentId },
  { _tag: "contact", id: "jane" as ContactId },
  { _tag: "contact", id: "lee" as ContactId },
  { _tag: "contact", id: "nobody" as ContactId }
)

const status = fc.constantFrom<string>(...statuses, "bogus", "Not A Status")
const email: fc.Arbitrary<ModelEmail> = fc
  .constantFrom(...emailIdPool)
  .map((messageId) => ({ messageId, references: [] }))
const agentRef = fc.constantFrom<string>("mary", "sam", "ivan", "ghost")
const groupRef = fc.constantFrom<string>("billing", "tier2", "nowhere")
const rawTags = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("Billing", " billing ", "vpn issue", "VPN  Issue", "Été", "🎉 launch") },
    { weight: 1, arbitrary: Arbitraries.rawTag }
  ),
  { maxLength: 3 }
)
const fieldInput = fc.constantFrom<readonly [string, string | number | boolean | null]>(
  ["plan", "pro"],
  ["plan", "enterprise"],
  ["plan", "gold"],
  ["plan", null],
  ["order_number", 4471],
  ["order_number", 12.5],
  ["order_number", "4471"],
  ["vip", true],
  ["vip", false],
  ["color", "red"]
)

const richOpen: fc.Arbitrary<OpenArgs> = fc.record(
  {
    requester: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom({ id: "jane" }, { id: "omar" }, { id: "lee" }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { id: "nobody" },
          { email: "new.customer@example.com" },
          { email: "JANE@Example.com", name: "Jane" },
          { email: "not-an-email" }
        )
      }
    ),
    by: actor,
    subject: fc.oneof(fc.constantFrom("VPN drops every hour", "Invoice 4471 is wrong"), fc.string({ maxLength: 20 })),
    text: Arbitraries.messageText,
    channel: Arbitraries.channel,
    priority: Arbitraries.priority,
    type: Arbitraries.ticketType,
    status,
    group: groupRef,
    assignee: agentRef,
    tags: rawTags,
    customFields: fieldInput.map(([key, value]) => ({ [key]: value ?? "free" })),
    publicId: fc.integer({ min: 1, max: 6 })
  },
  { requiredKeys: ["requester", "subject", "text", "channel"] }
)

const simpleOpen: fc.Arbitrary<OpenArgs> = fc.record(
  {
    requester: fc.constantFrom({ id: "jane" }, { id: "omar" }, { id: "lee" }),
    subject: fc.constantFrom("VPN drops every hour", "Invoice 4471 is wrong", "Printer on fire"),
    text: fc.constantFrom("It stopped working this morning.", "Merci d'avance ! 🙏"),
    channel: Arbitraries.channel,
    priority: Arbitraries.priority,
    tags: rawTags
  },
  { requiredKeys: ["requester", "subject", "text", "channel"] }
)

/** An agent takes a call and solves it on the spot: solved from the start, its close timer set. */
const solvedOnTheSpot: fc.Arbitrary<OpenArgs> = fc.record({
  requester: fc.constantFrom({ id: "jane" }, { id: "omar" }),
  by: fc.constant(Actor.agent("sam")),
  subject: fc.constant("Password reset"),
  text: fc.constant("Reset it on the phone."),
  channel: fc.constant("phone" as const),
  status: fc.constant("solved"),
  group: fc.constantFrom("billing", "tier2")
})

const ticketOp: fc.Arbitrary<TicketOp> = fc.oneof(
  fc.record(
    { kind: fc.constant("reply" as const), text: Arbitraries.messageText, channel: Arbitraries.channel, email },
    { requiredKeys: ["kind", "text"] }
  ),
  fc.record(
    { kind: fc.constant("note" as const), text: Arbitraries.messageText, email },
    { requiredKeys: ["kind", "text"] }
  ),
  // The same mail taken in again, on this ticket or another (issue 16).
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("reply" as const, "note" as const),
      text: fc.constant("Mail again"),
      email
    })
  },
  fc.record({ kind: fc.constant("status" as const), status }),
  fc.constantFrom<TicketOp>({ kind: "status", status: "solved" }, { kind: "status", status: "closed" }),
  fc.record(
    {
      kind: fc.constant("assign" as const),
      assignee: fc.option(agentRef, { nil: null }),
      group: fc.option(groupRef, { nil: null })
    },
    { requiredKeys: ["kind"] }
  ),
  fc.record({ kind: fc.constant("priority" as const), priority: Arbitraries.priority }),
  fc.record({ kind: fc.constant("type" as const), type: Arbitraries.ticketType }),
  fc.record(
    {
      kind: fc.constant("escalate" as const),
      to: Arbitraries.supportLevel,
      reason: fc.constantFrom("needs tier 2", "")
    },
    { requiredKeys: ["kind", "reason"] }
  ),
  fieldInput.map(([key, value]): TicketOp => ({ kind: "field", key, value })),
  fc.record({ kind: fc.constant("tags" as const), add: rawTags, remove: rawTags }, { requiredKeys: ["kind"] }),
  fc.record({ kind: fc.constantFrom("follow" as const, "unfollow" as const), follower })
)

const slaDue = fc.oneof(
  fc.constantFrom(-3_600_000, -1, 0, 1, 1_800_000, 3_600_000, 86_400_000).map((millis) => ({ in: millis })),
  fc.integer({ min: 0, max: 3 }).map((hours) => ({ at: hours * 3_600_000 })),
  fc.constant(null)
)

export const modelCommands: ReadonlyArray<fc.Arbitrary<fc.AsyncCommand<Model, Real>>> = [
  ...Array.from({ length: 2 }, () => fc.tuple(space, simpleOpen).map(([s, input]) => new Open(s, input))),
  fc.tuple(space, solvedOnTheSpot).map(([s, input]) => new Open(s, input)),
  fc.tuple(space, richOpen).map(([s, input]) => new Open(s, input)),
  ...Array.from({ length: 8 }, () =>
    fc
      .tuple(
        fc.nat(),
        fc.oneof({ weight: 4, arbitrary: actor }, { weight: 1, arbitrary: fc.constant("requester" as const) }),
        fc.constantFrom<"id" | "publicId">("id", "id", "id", "publicId"),
        fc.constantFrom<"none" | "current" | "stale">("none", "none", "none", "none", "current", "stale"),
        ticketOp
      )
      .map(([pick, by, ref, version, op]) => new OnTicket(pick, by, ref, version, op))
  ),
  // The requester writes back: reopens solved tickets, and opens follow-ups of closed ones.
  fc
    .nat()
    .map((pick) => new OnTicket(pick, "requester", "id", "none", { kind: "reply", text: "Still broken, sorry!" })),
  fc.nat().map((pick) => new ReadBack(pick)),
  ...Array.from({ length: 3 }, () =>
    fc.tuple(space, querySpec, fc.integer({ min: 1, max: 4 })).map(([s, q, limit]) => new Query(s, q, limit))
  ),
  ...Array.from({ length: 3 }, () =>
    fc
      .tuple(
        fc.nat(),
        slaDue,
        fc.constantFrom(false, false, false, true),
        fc.constantFrom("SLA: first reply due", "Échéance repoussée", "due soon 👀", "' OR 1=1 --")
      )
      .map(([pick, due, stale, text]) => new SetSla(pick, due, stale, text))
  ),
  ...Array.from({ length: 4 }, () =>
    fc.constantFrom(0, 1, 1000, 60_000, 3_600_000, 86_400_001, 5 * 86_400_000).map((millis) => new Advance(millis))
  ),
  ...Array.from({ length: 2 }, () => space.map((s) => new RunTimers(s)))
]
