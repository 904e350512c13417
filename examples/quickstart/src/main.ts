/**
 * Quick start: the brief's running example, Jane Sharpe's ticket 69369, from her email to the
 * automatic close, through the Promise facade only (`createHelpdesk`), then its timeline read
 * back from the event log. The story spans four days, so the help desk runs on a demo clock that
 * the script moves forward; a real application leaves `now` out and gets the system clock.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { PromiseHelpdesk } from "@tessera/core"
// #region import
import { Actor, createHelpdesk } from "@tessera/core"

// #endregion

/** A clock the story sets by hand: every event gets the time the brief gives it. */
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
 * Runs the story and prints the ticket's timeline, one line per event.
 */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const clock = demoClock("2025-05-01T11:15:00Z")

  // #region create-helpdesk
  const helpdesk = await createHelpdesk({
    workspaceId: "acme",
    firstPublicId: 69369, // carry on the numbering of the previous help desk
    now: clock.now // the story's time; leave it out to use the system clock
  })
  // #endregion

  try {
    // #region directory
    await helpdesk.saveGroup({ id: "billing", name: "Billing" })
    await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com", groups: ["billing"] })
    const customer = await helpdesk.saveContact({
      name: "Jane Sharpe",
      emails: ["jane.sharpe@example.com"],
      externalIds: { customerNumber: "CUS-4471" }
    })
    // #endregion

    // #region open-ticket
    // 11:15 — Jane's email arrives and becomes ticket 69369.
    const ticket = await helpdesk.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "Over-charged for my subscription",
      text: "Hello, I was charged twice for my subscription this month. Could you refund me?",
      channel: "email",
      priority: "normal",
      tags: ["billing"]
    })
    // #endregion

    // #region work-the-ticket
    const mary = Actor.agent("mary")
    const jane = Actor.contact(customer.id)

    clock.set("2025-05-01T11:20:00Z") // Mary takes the ticket from the billing queue
    await helpdesk.assign({ ticket: ticket.publicId, by: mary, group: "billing", assignee: "mary" })

    clock.set("2025-05-01T11:42:00Z")
    await helpdesk.reply({
      ticket: ticket.publicId,
      by: mary,
      text: "Hi Jane, you were charged twice on 28 April. I have refunded the second charge."
    })
    await helpdesk.note({
      ticket: ticket.publicId,
      by: mary,
      text: "Billing bug: plan renewals were charged twice on 28 April. 49 other customers hit; contacting them."
    })

    clock.set("2025-05-01T13:05:00Z")
    await helpdesk.reply({ ticket: ticket.publicId, by: jane, text: "I can see the refund. Thank you!" })

    clock.set("2025-05-01T13:10:00Z")
    await helpdesk.changeStatus({ ticket: ticket.publicId, by: mary, status: "solved" })
    // #endregion

    // #region close-and-timeline
    // Solved tickets close after the workflow's delay (96 hours by default). A scheduler would
    // call runDueTimers every minute; here the clock jumps four days ahead and we call it once.
    clock.set("2025-05-05T13:10:00Z")
    await helpdesk.runDueTimers()

    const closed = await helpdesk.as(mary).get(ticket.publicId)
    print(`Ticket ${closed.publicId}: "${closed.subject}" (${closed.status}; times in UTC)`)
    const names: Record<string, string> = { mary: "Mary", [customer.id]: customer.name }
    const name = (id: string) => names[id] ?? id
    for (const event of await helpdesk.as(mary).history(ticket.publicId)) {
      const who = event.by._tag === "system" ? "system" : name(event.by.id)
      print(`${event.at.slice(0, 16).replace("T", " ")}  ${who.padEnd(11)}  ${describe(event, name)}`)
    }
    // #endregion
  } finally {
    await helpdesk.close()
  }
}

/** What an event did, in a few words. */
const describe = (event: PromiseHelpdesk.TicketEventJson, name: (id: string) => string): string => {
  switch (event._tag) {
    case "TicketOpened":
      return `opened ticket ${event.publicId} by ${event.channel} (priority ${event.priority}, tags ${event.tags.join(", ")}): "${event.message.text}"`
    case "ReplyAdded":
      return `replied: "${event.message.text}"`
    case "NoteAdded":
      return `[internal] noted: "${event.message.text}"`
    case "StatusChanged":
      return `status ${event.from} → ${event.to}`
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
