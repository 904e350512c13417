import { createHelpdesk, MemoryHelpdesk } from "@tessera/core"
import { describe, expect, it } from "vitest"
import { createIntake } from "../src/PromiseIntake.js"
import * as Signature from "../src/Signature.js"
import { keys, mail, own, workspaceId } from "./support/mail.js"

const secrets = ["current-2026-key-0123456789abcdef", "old-2025-key-".repeat(3)]

describe("createIntake", () => {
  it("takes mail in with Promises: a ticket as JSON, a signed reply on it, a duplicate, held mail listed", async () => {
    const client = await createIntake({
      secrets,
      own,
      helpdesk: MemoryHelpdesk.layer({ workspaceId }, { ids: "sequential", firstPublicId: 69369 })
    })
    try {
      const first = mail("jane@customer.test", { subject: "Charged twice" })
      const opened = await client.intake(first)
      expect(opened.outcome._tag).toBe("Opened")
      if (opened.outcome._tag !== "Opened") return
      expect(opened.outcome.ticket).toMatchObject({ publicId: 69369, subject: "Charged twice", channel: "email" })
      expect(typeof opened.outcome.ticket.createdAt).toBe("string")
      // The same secrets sign in the facade and in the Effect API.
      const token = Signature.token(keys, workspaceId, 69369)
      const reply = await client.intake(mail("jane@customer.test", { threading: { plusTokens: [token] } }))
      expect(reply.outcome).toMatchObject({ _tag: "Replied", trust: "signed", on: opened.outcome.ticket.id })
      expect((await client.intake(first)).outcome).toEqual({ _tag: "Duplicate", ticketId: opened.outcome.ticket.id })
      const held = await client.holdUnparsed({ rawLocation: "acme/raw_1", detail: "not MIME" })
      expect((await client.review.list()).map((h) => h.id)).toEqual([held.id])
      await client.review.release(held.id)
      expect(await client.review.list()).toEqual([])
    } finally {
      await client.close()
    }
    await expect(client.intake(mail("jane@customer.test"))).rejects.toThrow("closed")
  })

  it("takes mail into the help desk of a createHelpdesk client, in memory, which the client then reads", async () => {
    const helpdesk = await createHelpdesk({ workspaceId, ids: "sequential", firstPublicId: 69369 })
    try {
      const client = await createIntake({ secrets, own, helpdesk })
      const opened = await client.intake(mail("jane@customer.test", { subject: "Charged twice" }))
      await client.close()
      expect(opened.outcome._tag).toBe("Opened")
      // The very ticket, through the application's own client, which intake's close left open.
      expect(await helpdesk.asSystem("check").get(69369)).toMatchObject({ subject: "Charged twice", channel: "email" })
      const listed = await helpdesk.asSystem("check").list()
      expect(listed.items.map((t) => t.publicId)).toEqual([69369])
    } finally {
      await helpdesk.close()
    }
    await expect(createIntake({ secrets, own, helpdesk: {} as never })).rejects.toMatchObject({
      _tag: "InvalidConfig",
      problems: [{ path: ["helpdesk"] }]
    })
  })

  it("rejects unusable secrets with the tagged error", async () => {
    await expect(
      createIntake({ secrets: ["short"], own, helpdesk: MemoryHelpdesk.layer({ workspaceId }) })
    ).rejects.toMatchObject({ _tag: "InvalidKeys" })
  })
})
