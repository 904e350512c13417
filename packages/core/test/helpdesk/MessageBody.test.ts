/**
 * A message is text, HTML or an attachment, whichever the caller has: `open` takes the same body
 * as `reply` and `note` (text optional when there is HTML or an attachment), and a body with none
 * of them is `EmptyMessage` for each, never a schema's "text: Missing key". Checked on the Effect
 * service and on the Promise facade.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { afterEach, expect, it as itAsync } from "vitest"
import { createHelpdesk, type HelpdeskClient } from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"

const mary = { _tag: "agent", id: "mary" } as const
const opening = {
  requester: { email: "jane.sharpe@example.com" },
  subject: "Over-charged for my subscription",
  channel: "email"
} as const
const invoice = { fileName: "invoice.pdf", contentType: "application/pdf", size: 2048 }

describe("the Effect service", () => {
  const withHelpdesk = <A, E>(body: (h: Helpdesk.Service) => Effect.Effect<A, E>) =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
      return yield* body(helpdesk)
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))

  it.effect("open takes HTML alone, or an attachment alone, as reply and note do", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const html = yield* helpdesk.open({ ...opening, html: "<p>Charged <b>twice</b></p>" })
        assert.strictEqual(html.messages[0]?.text, "")
        assert.strictEqual(html.messages[0]?.html, "<p>Charged <b>twice</b></p>")
        const attached = yield* helpdesk.open({ ...opening, attachments: [invoice] })
        assert.deepStrictEqual(attached.messages[0]?.attachments, [invoice])
        const replied = yield* helpdesk.reply({ ticket: html.id, by: mary, html: "<p>Refunded</p>" })
        assert.strictEqual(replied.messages.at(-1)?.html, "<p>Refunded</p>")
        const noted = yield* helpdesk.note({ ticket: html.id, by: mary, attachments: [invoice] })
        assert.deepStrictEqual(noted.messages.at(-1)?.attachments, [invoice])
      })
    )
  )

  it.effect("a body with nothing in it is EmptyMessage for open, reply and note alike", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const open = yield* Effect.flip(helpdesk.open({ ...opening }))
        assert.strictEqual(open._tag, "EmptyMessage")
        assert.strictEqual(open.message, "A new ticket's first message needs text, HTML or an attachment")
        const ticket = yield* helpdesk.open({ ...opening, text: "Charged twice" })
        const reply = yield* Effect.flip(helpdesk.reply({ ticket: ticket.id, by: mary }))
        assert.strictEqual(reply._tag, "EmptyMessage")
        const note = yield* Effect.flip(
          helpdesk.note({ ticket: ticket.id, by: mary, text: " ", html: "<script>x</script>" })
        )
        assert.strictEqual(note._tag, "EmptyMessage")
      })
    )
  )
})

describe("the Promise facade", () => {
  const open: Array<HelpdeskClient> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()))
  })
  const setup = async () => {
    const helpdesk = await createHelpdesk({ workspaceId: "acme", firstPublicId: 69369 })
    open.push(helpdesk)
    await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    return helpdesk
  }

  itAsync("open takes HTML alone, or an attachment alone, and the requester's open too", async () => {
    const helpdesk = await setup()
    const html = await helpdesk.open({ ...opening, html: "<p>Charged <b>twice</b></p>" })
    expect(html.recentMessages).toMatchObject([{ text: "", html: "<p>Charged <b>twice</b></p>" }])
    const attached = await helpdesk.open({ ...opening, attachments: [invoice] })
    expect(attached.recentMessages).toMatchObject([{ text: "", attachments: [invoice] }])
    const portal = helpdesk.forRequester(html.requester)
    const own = await portal.open({ subject: "Again", html: "<p>And again</p>", channel: "web" })
    expect(own.recentMessages).toMatchObject([{ html: "<p>And again</p>" }])
  })

  itAsync("a body with nothing in it rejects with EmptyMessage, on open as on reply", async () => {
    const helpdesk = await setup()
    const refused = await helpdesk.open({ ...opening }).catch((error: unknown) => error)
    expect(refused).toMatchObject({
      _tag: "EmptyMessage",
      message: "A new ticket's first message needs text, HTML or an attachment"
    })
    const ticket = await helpdesk.open({ ...opening, text: "Charged twice" })
    const reply = await helpdesk.reply({ ticket: ticket.id, by: mary }).catch((error: unknown) => error)
    expect(reply).toMatchObject({
      _tag: "EmptyMessage",
      message: "A message on ticket 69370 needs text, HTML or an attachment"
    })
  })
})
