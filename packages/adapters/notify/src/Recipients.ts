/**
 * Who a notification goes to: a pure function from the ticket, the request's `to` list (roles,
 * `agent:<id>`, addresses) and a snapshot of the directory to recipients, each with its audience,
 * language, time zone and whether the help desk trusts its address. It reads nothing and sends
 * nothing; `EmailPrepare` loads the snapshot and renders for each recipient.
 */
import { type Actor, type Directory, Mention, type Ticket } from "@tessera/core"
import type { Recipient } from "./Notification.js"

/**
 * The part of the directory a notification needs: the contacts and agents it may name, and the
 * groups by id.
 *
 * @category models
 * @since 0.1.0
 */
export interface Snapshot {
  readonly contacts: ReadonlyArray<Directory.Contact>
  readonly agents: ReadonlyArray<Directory.Agent>
  readonly groups: ReadonlyArray<Directory.Group>
}

/**
 * A person's language and time zone, when the application knows them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Locale {
  readonly language?: string
  readonly timeZone?: string
}

/**
 * How recipients are resolved besides the snapshot.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The language of whoever has none: `en` by default. */
  readonly defaultLanguage?: string
  /** The time zone of whoever has none: `UTC` by default. */
  readonly defaultTimeZone?: string
  /** A person's language and time zone (from the application's profile store, say); a contact's own `language` counts when it gives none. */
  readonly localeOf?: (
    person:
      | { readonly _tag: "contact"; readonly contact: Directory.Contact }
      | { readonly _tag: "agent"; readonly agent: Directory.Agent }
  ) => Locale
  /** Contacts the application has verified otherwise (a signed-in portal user, an earlier ticket). */
  readonly verifiedContacts?: ReadonlySet<string>
  /** Who caused the notification: an agent is not told of what they did themselves. */
  readonly actor?: Actor.Actor
}

/**
 * Whether the help desk trusts a contact's address on this ticket. A requester who opened the
 * ticket by email is not trusted until they write again after the help desk answered (they then
 * proved the address reaches them); anyone an agent added, or who came another way, is.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isVerified = (ticket: Ticket.Ticket, contact: string, verifiedContacts?: ReadonlySet<string>): boolean => {
  if (verifiedContacts?.has(contact) === true) return true
  if (contact !== ticket.requester || ticket.channel !== "email") return true
  let answered = false
  for (const m of ticket.messages) {
    if (m.visibility !== "public") continue
    if (m.author._tag === "agent") answered = true
    else if (answered && m.author._tag === "contact" && m.author.id === contact) return true
  }
  return false
}

const normal = (address: string) => address.trim().toLowerCase()

/**
 * The recipients of a `to` list: `requester`, `assignee`, `group` (its active agents),
 * `followers` (agents and contacts), `agent:<id>`, `mention:<handle>` (the active agents
 * `Mention.resolve` finds for it among the snapshot's agents, which must hold them all), or an address (an agent's gets the agent's
 * audience, any other the customer's). Unknown names, inactive agents, contacts without an
 * address and the agent who caused it are left out; each address appears once, first role wins.
 *
 * @category combinators
 * @since 0.1.0
 */
export const resolve = (
  ticket: Ticket.Ticket,
  to: ReadonlyArray<string>,
  snapshot: Snapshot,
  options: Options = {}
): ReadonlyArray<Recipient> => {
  const language = options.defaultLanguage ?? "en"
  const timeZone = options.defaultTimeZone ?? "UTC"
  const contacts = new Map(snapshot.contacts.map((c) => [c.id as string, c]))
  const agents = new Map(snapshot.agents.map((a) => [a.id as string, a]))
  const out = new Map<string, Recipient>()
  const self = options.actor?._tag === "agent" ? options.actor.id : undefined

  const add = (r: Recipient) => {
    const key = normal(r.address)
    if (!out.has(key)) out.set(key, r)
  }
  const contact = (id: string, address?: string) => {
    const c = contacts.get(id)
    const email = address ?? c?.emails[0]
    if (c === undefined || email === undefined) return
    const locale = options.localeOf?.({ _tag: "contact", contact: c }) ?? {}
    add({
      audience: "customer",
      address: email,
      ...(c.name === "" ? {} : { name: c.name }),
      language: locale.language ?? c.language ?? language,
      timeZone: locale.timeZone ?? timeZone,
      contact: c.id,
      verified: isVerified(ticket, c.id, options.verifiedContacts)
    })
  }
  const agent = (id: string) => {
    const a = agents.get(id)
    if (a === undefined || !a.active || a.id === self) return
    const locale = options.localeOf?.({ _tag: "agent", agent: a }) ?? {}
    add({
      audience: "agent",
      address: a.email,
      name: a.name,
      language: locale.language ?? language,
      timeZone: locale.timeZone ?? timeZone,
      agent: a.id,
      verified: true
    })
  }

  for (const entry of to) {
    if (entry === "requester") contact(ticket.requester)
    else if (entry === "assignee") {
      if (ticket.assignee !== undefined) agent(ticket.assignee)
    } else if (entry === "group") {
      const group = ticket.group
      if (group !== undefined) for (const a of snapshot.agents) if (a.groups.includes(group)) agent(a.id)
    } else if (entry === "followers") {
      for (const f of ticket.followers) f._tag === "agent" ? agent(f.id) : contact(f.id)
    } else if (entry.startsWith("agent:")) agent(entry.slice("agent:".length))
    else if (entry.startsWith("mention:")) {
      for (const a of Mention.resolve(entry.slice("mention:".length), snapshot.agents)) agent(a.id)
    } else if (entry.includes("@")) {
      const address = normal(entry)
      const a = snapshot.agents.find((x) => normal(x.email) === address)
      const c = snapshot.contacts.find((x) => x.emails.some((e) => normal(e) === address))
      if (a !== undefined) agent(a.id)
      else if (c !== undefined) contact(c.id, entry.trim())
      // Written into the rule by staff: trusted, but a stranger to the help desk reads as a customer.
      else add({ audience: "customer", address: entry.trim(), language, timeZone, verified: true })
    }
  }
  return [...out.values()]
}
