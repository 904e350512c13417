// A help desk on a SQLite file through the Promise API alone, as an application installed from
// npm writes it. The first run opens a ticket and works it to solved; a later run (`again`)
// finds it in the same file by a word of its text. Both print the ticket's timeline.
import { createHelpdesk } from "@tessera/core"

const helpdesk = await createHelpdesk({ database: "sqlite:./helpdesk.db" })
const mary = { _tag: "agent", id: "mary" }
// Reads act for a principal: Mary, the agent working the ticket.
const asMary = helpdesk.as(mary)

const timeline = async (ticket) => {
  console.log(`#${ticket.publicId} "${ticket.subject}": ${ticket.status}, assigned to ${ticket.assignee}`)
  for (const event of await asMary.history(ticket.publicId)) {
    const who = event.by._tag === "agent" ? event.by.id : event.by._tag
    const change = event._tag === "StatusChanged" ? `: ${event.from} → ${event.to}` : ""
    console.log(`${event._tag} by ${who}${change}`)
  }
}

try {
  if (process.argv[2] === "again") {
    const found = await asMary.list({ search: "invoice" })
    console.log(`found ${found.items.length}`)
    for (const summary of found.items) await timeline(await asMary.get(summary.publicId))
  } else {
    await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    const ticket = await helpdesk.open({
      requester: { email: "jane@example.com" },
      subject: "Charged twice",
      text: "My November invoice shows two payments.",
      channel: "email"
    })
    await helpdesk.assign({ ticket: ticket.publicId, by: mary, assignee: "mary" })
    await helpdesk.reply({ ticket: ticket.publicId, by: mary, text: "Refunded the second payment." })
    await helpdesk.note({ ticket: ticket.publicId, by: mary, text: "Billing bug, see the incident." })
    await helpdesk.changeStatus({ ticket: ticket.publicId, by: mary, status: "solved" })
    const found = await asMary.list({ search: "invoice" })
    console.log(`found ${found.items.length}`)
    await timeline(await asMary.get(ticket.publicId))
  }
} finally {
  await helpdesk.close()
}
