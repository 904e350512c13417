/**
 * Tickets the query properties write straight to the store (an opening, perhaps a reply,
 * perhaps an SLA due time), and their arbitraries: the reference knows each as the fold of what
 * was appended.
 */
import { Effect } from "effect"
import * as fc from "fast-check"
import type { StatusCategory, StatusId } from "../../ticket/Status.js"
import * as Ticket from "../../ticket/Ticket.js"
import * as E from "../../ticket/TicketEvent.js"
import * as Actor from "../../values/Actor.js"
import type { Channel } from "../../values/Channel.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../../values/Ids.js"
import type * as Priority from "../../values/Priority.js"
import * as Tag from "../../values/Tag.js"
import * as Arbitraries from "../Arbitraries.js"
import * as Fixtures from "../internal/fixtures.js"
import type { Store } from "./Support.js"

const { minutesLater, replied } = Fixtures

/** A ticket written straight to the store: an opening, perhaps a reply, perhaps an SLA due time. */
export interface SeedTicket {
  readonly publicId: number
  readonly subject: string
  readonly text: string
  readonly requester: string
  readonly organization?: string
  readonly assignee?: string
  readonly group?: string
  /** Raw tags, normalised on the way in. */
  readonly tags: ReadonlyArray<string>
  readonly priority: Priority.Priority
  readonly channel: Channel
  readonly category: StatusCategory
  readonly createdMinutes: number
  readonly reply?: { readonly minutes: number; readonly text: string }
  readonly slaMinutes?: number
  /** Contacts who follow the ticket (CCs), added after the opening; `unfollow`: the first leaves again. */
  readonly followers?: ReadonlyArray<string>
  readonly unfollow?: boolean
}

/** Writes a seeded ticket; gives it back as the reference knows it. */
export const seedTicket = (store: Store, ws: WorkspaceId, ticketId: TicketId, seed: SeedTicket) =>
  Effect.gen(function* () {
    const at = minutesLater(seed.createdMinutes)
    const requester = Actor.contact(seed.requester)
    const opening = new E.TicketOpened({
      ticketId,
      at,
      by: requester,
      workspaceId: ws,
      publicId: seed.publicId as PublicId,
      subject: seed.subject,
      requester: seed.requester as ContactId,
      channel: seed.channel,
      priority: seed.priority,
      status: seed.category as StatusId,
      category: seed.category,
      tags: Tag.normalizeAll(seed.tags),
      customFields: {},
      message: {
        id: `${ticketId}.m0` as MessageId,
        visibility: "public",
        author: requester,
        channel: seed.channel,
        at,
        text: seed.text,
        attachments: []
      },
      ...(seed.organization === undefined ? {} : { organization: seed.organization as OrganizationId }),
      ...(seed.assignee === undefined ? {} : { assignee: seed.assignee as AgentId }),
      ...(seed.group === undefined ? {} : { group: seed.group as GroupId })
    })
    const slaDueAt = seed.slaMinutes === undefined ? undefined : minutesLater(seed.slaMinutes)
    yield* store.append(ticketId, 0, [opening], slaDueAt === undefined ? {} : { slaDueAt })
    if (seed.reply !== undefined) {
      yield* store.append(ticketId, 1, [replied(ticketId, seed.createdMinutes + seed.reply.minutes, seed.reply.text)])
    }
    const followers = seed.followers ?? []
    if (followers.length > 0) {
      const version = seed.reply === undefined ? 1 : 2
      const following = (contact: string, minutes: number) => ({
        ticketId,
        at: minutesLater(seed.createdMinutes + minutes),
        by: requester,
        follower: Actor.contact(contact)
      })
      const added = followers.map((c, i) => new E.FollowerAdded(following(c, 121 + i)))
      const first = followers[0] as string
      const removed = seed.unfollow === true ? [new E.FollowerRemoved(following(first, 130))] : []
      yield* store.append(ticketId, version, [...added, ...removed])
    }
    const { events } = yield* store.read(ticketId)
    return { ticket: Ticket.fold(events) as Ticket.Ticket, slaDueAt }
  })

export const seed: fc.Arbitrary<SeedTicket> = fc.record(
  {
    publicId: fc.integer({ min: 1, max: 6 }),
    subject: fc.constantFrom(
      "VPN drops every hour",
      "Invoice 4471 is wrong",
      "Printer on fire",
      "Ça ne marche pas",
      "' OR 1=1 --"
    ),
    text: fc.constantFrom(
      "It stopped working this morning.",
      "Merci d'avance ! 🙏",
      "Rechnung für März",
      "'); DROP TABLE tickets; --"
    ),
    requester: fc.constantFrom("jane", "omar", "lee", "a--b"),
    organization: fc.constantFrom("acme", "initech"),
    assignee: fc.constantFrom("mary", "sam", "ivan"),
    group: fc.constantFrom("billing", "tier2"),
    tags: fc.subarray(["vpn", "billing", "vpn_issue", "été", "' OR 1=1 --"]),
    priority: Arbitraries.priority,
    channel: Arbitraries.channel,
    category: fc.constantFrom<StatusCategory>("new", "open", "pending", "on_hold", "solved", "closed"),
    createdMinutes: fc.integer({ min: 0, max: 120 }),
    reply: fc.record({
      minutes: fc.integer({ min: 0, max: 120 }),
      text: fc.constantFrom("On it.", "Fixed, merci !", "VPN-Client neu installiert")
    }),
    slaMinutes: fc.integer({ min: 0, max: 240 }),
    followers: fc.subarray(["jane", "omar", "lee", "a--b"]),
    unfollow: fc.boolean()
  },
  {
    requiredKeys: [
      "publicId",
      "subject",
      "text",
      "requester",
      "tags",
      "priority",
      "channel",
      "category",
      "createdMinutes"
    ]
  }
)

/** Tickets with more varied words, times and due times, for the query property. */
export const richSeed: fc.Arbitrary<SeedTicket> = fc
  .tuple(
    seed,
    fc.constantFrom(
      "VPN drops every hour",
      "Invoice 4471 is wrong",
      "Printer on fire",
      "Ça ne marche pas",
      "Überweisung fehlgeschlagen",
      "Naïve café order",
      "İstanbul office Wi-Fi",
      "' OR 1=1 --",
      "日本語 サポート",
      "VPN-Client crashes"
    ),
    fc.constantFrom(
      "It stopped working this morning.",
      "Merci d'avance ! 🙏",
      "Rechnung für März",
      "'); DROP TABLE tickets; --",
      "The printer prints blank pages",
      "Café crème machine broken",
      "vpnclient.exe crashed at startup",
      "Straße address wrong",
      ""
    )
  )
  .map(([base, subject, text]) => ({ ...base, subject, text }))

/** A later change of a ticket's SLA due time: minutes after the start, or cleared. */
export const slaChange = fc.record({ pick: fc.nat(), due: fc.option(fc.integer({ min: 0, max: 240 }), { nil: null }) })
