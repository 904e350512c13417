// #15: errors name what the caller passed. They named the internal `tkt_...` id, the id of a
// ticket `open` never created, the other branch of a union ("requester.id: Missing key") and the
// regular expression behind an id.
import { afterEach, describe, expect, it } from "vitest"
import { createHelpdesk, type HelpdeskClient } from "../../src/client/Promise.js"
import * as Actor from "../../src/values/Actor.js"

const mary = Actor.agent("mary")
const desks: Array<HelpdeskClient> = []
afterEach(async () => {
  await Promise.all(desks.splice(0).map((desk) => desk.close()))
})

const setup = async () => {
  const helpdesk = await createHelpdesk({ firstPublicId: 69369 })
  desks.push(helpdesk)
  await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
  const opening = {
    requester: { email: "jane@example.com" },
    subject: "VPN",
    text: "It drops.",
    channel: "email" as const
  }
  const first = await helpdesk.open(opening)
  const second = await helpdesk.open(opening)
  return { helpdesk, opening, first, second }
}

/** The error a promise rejects with, as `{ _tag, message }`. */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (error: { readonly _tag: string; readonly message: string }) => ({ _tag: error._tag, message: error.message })
  )

describe("errors name what the caller passed", () => {
  it("refusals on a ticket name its public number, never its internal id", async () => {
    const { helpdesk, first } = await setup()
    expect(first.id.startsWith("tkt_")).toBe(true)
    const jane = Actor.contact(first.requester)
    const [only] = (await helpdesk.asSystem("test").messages(69369)).items
    const refusals = [
      await refusal(helpdesk.note({ ticket: 69369, by: jane, text: "Psst" })),
      await refusal(helpdesk.note({ ticket: "69369", by: mary, text: " " })),
      await refusal(helpdesk.changeStatus({ ticket: "#69369", by: mary, status: "closed" })),
      await refusal(helpdesk.escalate({ ticket: 69369, by: mary, to: 1, reason: "Stuck" })),
      await refusal(helpdesk.link({ ticket: 69369, to: 69369, by: mary, kind: "related" })),
      await refusal(helpdesk.merge({ target: 69369, sources: [69369], by: mary })),
      await refusal(helpdesk.setPriority({ ticket: 69369, by: mary, priority: "high", expectedVersion: 0 })),
      await refusal(helpdesk.split({ ticket: 69369, by: mary, messages: [only?.id ?? ""] }))
    ]
    expect(refusals).toEqual([
      { _tag: "NotPermitted", message: `contact:${first.requester} may not add an internal note on ticket 69369` },
      { _tag: "EmptyMessage", message: "A message on ticket 69369 needs text, HTML or an attachment" },
      { _tag: "TransitionNotAllowed", message: "Ticket 69369 cannot move from new to closed" },
      { _tag: "InvalidEscalation", message: "Ticket 69369 cannot be escalated from level 1 to level 1" },
      { _tag: "InvalidLink", message: "Ticket 69369 cannot be linked to 69369 as related: self" },
      { _tag: "MergeRefused", message: "Cannot merge 69369 into 69369: into itself" },
      { _tag: "VersionConflict", message: "Ticket 69369 is at version 1, not 0: reload and retry" },
      { _tag: "SplitRefused", message: "Cannot split ticket 69369: every message" }
    ])
    for (const { message } of refusals) expect(message).not.toContain("tkt_")
  })

  it("a closed ticket is named by its number, and so is a merge's source", async () => {
    const { helpdesk, first } = await setup()
    await helpdesk.changeStatus({ ticket: 69369, by: mary, status: "solved" })
    await helpdesk.changeStatus({ ticket: 69369, by: mary, status: "closed" })
    expect(await refusal(helpdesk.setPriority({ ticket: 69369, by: mary, priority: "high" }))).toEqual({
      _tag: "TicketClosed",
      message: "Ticket 69369 is closed; open a follow-up instead"
    })
    expect(await refusal(helpdesk.merge({ target: 69370, sources: [first.id], by: mary }))).toEqual({
      _tag: "MergeRefused",
      message: "Cannot merge 69369 into 69370: source closed"
    })
  })

  it("a refused open names no ticket, since none was created", async () => {
    const { helpdesk, opening } = await setup()
    expect(await refusal(helpdesk.open({ ...opening, text: "" }))).toEqual({
      _tag: "EmptyMessage",
      message: "A new ticket's first message needs text, HTML or an attachment"
    })
    const omar = await helpdesk.saveContact({ name: "Omar", emails: ["omar@example.com"] })
    expect(await refusal(helpdesk.open({ ...opening, by: Actor.contact(omar.id) }))).toEqual({
      _tag: "NotPermitted",
      message: `contact:${omar.id} may not open a ticket for someone else`
    })
    expect(await refusal(helpdesk.open({ ...opening, status: "closed", by: mary }))).toEqual({
      _tag: "TransitionNotAllowed",
      message: "A ticket cannot be opened in status closed"
    })
  })

  it("a bad input names its field and what it expected, not another branch of a union", async () => {
    const { helpdesk, opening } = await setup()
    const cases = [
      await refusal(helpdesk.open({ ...opening, requester: { email: "jane" } })),
      await refusal(helpdesk.open({ ...opening, requester: { id: "bad id!" } })),
      await refusal(helpdesk.open({ ...opening, subject: " \t " })),
      await refusal(helpdesk.asSystem("test").get("ticket-7"))
    ]
    expect(cases).toEqual([
      { _tag: "InvalidInput", message: "Invalid open: requester.email: Expected an email address" },
      {
        _tag: "InvalidInput",
        message:
          "Invalid open: requester.id: Expected an id of 1 to 128 letters, digits, '_', '.', ':' or '-', starting with a letter or a digit"
      },
      { _tag: "InvalidInput", message: "Invalid open: subject: Expected a subject with a character other than spaces" },
      {
        _tag: "InvalidInput",
        message:
          'Invalid ticket: Expected a ticket number (69369, "69369" or "#69369") or an internal ticket id starting with "tkt_", got "ticket-7"'
      }
    ])
    for (const { message } of cases) {
      expect(message).not.toContain("Missing key")
      expect(message).not.toContain("RegExp")
    }
  })
})
