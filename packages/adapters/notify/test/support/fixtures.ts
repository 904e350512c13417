/**
 * Plain tickets, directory snapshots and recipients for the notify tests: built as data, without
 * a help desk, so a test states exactly what a ticket holds.
 */
import type { Directory, Ticket } from "@tessera/core"
import { DateTime } from "effect"
import type { Recipient } from "../../src/Notification.js"
import type * as Recipients from "../../src/Recipients.js"

export const at = (iso: string) => DateTime.makeUnsafe(iso)

type Message = Ticket.Ticket["messages"][number]

export const message = (
  id: string,
  visibility: "public" | "internal",
  author: { readonly _tag: "agent" | "contact"; readonly id: string },
  text: string,
  iso = "2026-12-04T17:30:00Z",
  emailId?: string
): Message =>
  ({
    id,
    visibility,
    author,
    channel: "email",
    at: at(iso),
    text,
    attachments: [],
    ...(emailId === undefined ? {} : { email: { messageId: emailId, references: [] } })
  }) as unknown as Message

export const ticket = (overrides: Partial<Ticket.Ticket> = {}): Ticket.Ticket =>
  ({
    id: "tkt_1",
    workspaceId: "acme",
    publicId: 1042,
    version: 1,
    subject: "Printer on fire",
    description: "The printer is on fire.",
    requester: "con_jane",
    channel: "email",
    priority: "normal",
    status: "open",
    category: "open",
    supportLevel: 1,
    tags: ["printer"],
    customFields: {},
    followers: [],
    messages: [message("msg_1", "public", { _tag: "contact", id: "con_jane" }, "The printer is on fire.")],
    links: [],
    createdAt: at("2026-12-04T17:30:00Z"),
    updatedAt: at("2026-12-04T17:30:00Z"),
    statusChangedAt: at("2026-12-04T17:30:00Z"),
    assignee: "agt_mary",
    group: "grp_l1",
    ...overrides
  }) as unknown as Ticket.Ticket

export const snapshot: Recipients.Snapshot = {
  contacts: [
    {
      id: "con_jane",
      workspaceId: "acme",
      name: "Jane Sharpe",
      emails: ["jane@example.com"],
      phones: [],
      externalIds: {}
    },
    { id: "con_bob", workspaceId: "acme", name: "Bob", emails: ["bob@example.com"], phones: [], externalIds: {} }
  ] as unknown as ReadonlyArray<Directory.Contact>,
  agents: [
    {
      id: "agt_mary",
      workspaceId: "acme",
      name: "Mary Major",
      email: "mary@acme.test",
      groups: ["grp_l1"],
      skills: [],
      active: true
    },
    {
      id: "agt_tom",
      workspaceId: "acme",
      name: "Tom",
      email: "tom@acme.test",
      groups: ["grp_l1"],
      skills: [],
      active: true
    },
    {
      id: "agt_old",
      workspaceId: "acme",
      name: "Old",
      email: "old@acme.test",
      groups: ["grp_l1"],
      skills: [],
      active: false
    }
  ] as unknown as ReadonlyArray<Directory.Agent>,
  groups: [{ id: "grp_l1", workspaceId: "acme", name: "Level 1" }] as unknown as ReadonlyArray<Directory.Group>
}

export const customer = (overrides: Partial<Recipient> = {}): Recipient => ({
  audience: "customer",
  address: "jane@example.com",
  name: "Jane Sharpe",
  language: "en",
  timeZone: "Europe/Paris",
  verified: true,
  ...overrides
})

export const agent = (overrides: Partial<Recipient> = {}): Recipient => ({
  audience: "agent",
  address: "mary@acme.test",
  name: "Mary Major",
  language: "en",
  timeZone: "Europe/Paris",
  verified: true,
  ...overrides
})
