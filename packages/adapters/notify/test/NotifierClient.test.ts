/**
 * The notifier for Promise users: built beside the client `createHelpdesk` made (in memory, on
 * that very help desk), with its keys made from secrets, and refusing a configuration that could
 * not deliver anything when it is built rather than at every attempt.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHelpdesk, type PromiseHelpdesk } from "@tessera/core"
import { simpleParser } from "mailparser"
import { createNotifier, type NotifierOptions } from "../src/NotifierClient.js"
import * as NotifyTriggers from "../src/NotifyTriggers.js"
import { capture } from "./support/mail.js"

const secret = "notifier-client-test-signing-key-0123456789"

const withHelpdesk = async (body: (helpdesk: PromiseHelpdesk.HelpdeskClient) => Promise<void>) => {
  const helpdesk = await createHelpdesk({
    workspaceId: "acme",
    ids: "sequential",
    triggers: { rules: NotifyTriggers.rules() }
  })
  try {
    await body(helpdesk)
  } finally {
    await helpdesk.close()
  }
}

describe("createNotifier beside createHelpdesk", () => {
  it("delivers the acknowledgement of a ticket opened through the client, in memory, with keys made from secrets", () =>
    withHelpdesk(async (helpdesk) => {
      const ticket = await helpdesk.open({
        requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
        subject: "Over-charged for my subscription",
        text: "I was charged twice this month.",
        channel: "web"
      })
      const { transporter, sent } = capture()
      const notifier = await createNotifier({
        helpdesk,
        secrets: [secret],
        mail: { transporter },
        from: { address: "support@acme.test", name: "Acme Support" }
      })
      try {
        expect(await notifier.drainOnce()).toMatchObject({ claimed: 1, delivered: 1 })
        expect(await notifier.drainOnce()).toMatchObject({ claimed: 0 })
      } finally {
        await notifier.close()
      }
      const [mail] = await Promise.all(sent.map((raw) => simpleParser(raw)))
      expect(sent).toHaveLength(1)
      expect(mail?.to).toMatchObject({ value: [{ address: "jane.sharpe@example.com" }] })
      expect(mail?.subject).toContain("Over-charged for my subscription")
      // Recorded on the ticket of the client's own help desk, which the notifier's close left open.
      const history = await helpdesk.asSystem("check").history(ticket.id)
      expect(history.at(-1)).toMatchObject({ _tag: "NotificationDelivered" })
    }))

  it("refuses, when built, a configuration that could deliver nothing", () =>
    withHelpdesk(async (helpdesk) => {
      const { transporter, sent } = capture()
      const base = { helpdesk, secrets: [secret], mail: { transporter }, from: { address: "support@acme.test" } }
      const unusable: ReadonlyArray<readonly [string, unknown]> = [
        ["keys", { helpdesk, keys: undefined, mail: { transporter }, from: { address: "support@acme.test" } }],
        [
          "keys",
          {
            helpdesk,
            keys: { signing: new Uint8Array(4), accepted: [] },
            mail: { transporter },
            from: { address: "support@acme.test" }
          }
        ],
        ["from.address", { ...base, from: { address: undefined } }],
        ["from.address", { ...base, from: { address: "" } }],
        ["from.address", { ...base, from: { address: "Acme <support@acme.test>" } }],
        ["from.address", { ...base, from: { address: "support@acme.test\r\nBcc: x@evil.test" } }],
        ["from.address", { ...base, from: undefined }],
        ["email.mailbox", { ...base, email: { mailbox: "replies at acme" } }],
        ["mail", { ...base, mail: {} }],
        ["helpdesk", { ...base, helpdesk: { open: () => undefined } }]
      ]
      for (const [option, options] of unusable) {
        const refused = await createNotifier(options as NotifierOptions).then(
          async (notifier) => {
            await notifier.close()
            return undefined
          },
          (error: unknown) => error
        )
        expect(refused, option).toMatchObject({ _tag: "InvalidNotifierConfig" })
        expect((refused as Error).message, option).toContain(option)
      }
      await expect(createNotifier({ ...base, secrets: ["too short"] })).rejects.toMatchObject({ _tag: "InvalidKeys" })
      await expect(createNotifier({ ...base, secrets: [] })).rejects.toMatchObject({ _tag: "InvalidKeys" })
      expect(sent).toHaveLength(0)
      // None of them touched the help desk: it still opens and reads tickets.
      const ticket = await helpdesk.open({
        requester: { email: "jane.sharpe@example.com" },
        subject: "Still here",
        text: "Hello",
        channel: "web"
      })
      expect((await helpdesk.asSystem("check").get(ticket.id)).subject).toBe("Still here")
    }))
})
