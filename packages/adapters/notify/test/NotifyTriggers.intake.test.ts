/**
 * The acknowledgement against mail intake (`@tessera/email`, issue 16): raw mail parsed and taken
 * in, with the default notifications in the help desk. A person's mail is acknowledged; an
 * auto-reply, a bounce or a list message (intake's classification, recorded as `email.automated`)
 * opens a ticket that nobody answers; a person's reply on a closed ticket opens an acknowledged
 * follow-up.
 */
import { describe, expect, it } from "@effect/vitest"
import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { intake, parseInbound, Receive, Signature } from "@tessera/email"
import { Effect, Layer } from "effect"
import * as NotifyTriggers from "../src/NotifyTriggers.js"

const keys = Effect.runSync(Signature.keys(["current-2026-key-0123456789abcdef"]))
const own = { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] }

const layer = Receive.layer({ keys, own }).pipe(
  Layer.provideMerge(
    MemoryHelpdesk.layer(
      { workspaceId: "acme" },
      { ids: "sequential", firstPublicId: 69369, triggers: { rules: NotifyTriggers.rules() } }
    )
  )
)

const raw = (from: string, id: string, headers: ReadonlyArray<string>, subject = "Charged twice") =>
  new TextEncoder().encode(
    [
      `From: ${from}`,
      "To: support@acme.test",
      `Subject: ${subject}`,
      `Message-ID: <${id}@customer.test>`,
      "Date: Thu, 01 May 2025 11:15:00 +0200",
      ...headers,
      "Content-Type: text/plain; charset=utf-8",
      "",
      "I was charged twice for my subscription.",
      ""
    ].join("\r\n")
  )

const takeIn = (bytes: Uint8Array) => Effect.flatMap(parseInbound(bytes), (message) => intake(message))

const notificationsOf = (ticket: string) =>
  Effect.flatMap(Helpdesk.Helpdesk, (helpdesk) =>
    Effect.map(helpdesk.asSystem("test").history(ticket), (events) =>
      events.flatMap((e) => (e._tag === "NotificationRequested" ? [e.template] : []))
    )
  )

describe("acknowledgements of mail taken in", () => {
  it.effect("a person's mail is acknowledged; an auto-reply, a bounce or a list message is not", () =>
    Effect.gen(function* () {
      const cases = [
        ["jane@customer.test", [], ["acknowledgement"]],
        ["ooo@customer.test", ["Auto-Submitted: auto-replied"], []],
        ["bot@customer.test", ["Auto-Submitted: auto-generated"], []],
        ["MAILER-DAEMON@customer.test", ["Content-Type: multipart/report; report-type=delivery-status"], []],
        ["news@customer.test", ["List-Id: <news.customer.test>", "Precedence: list"], []]
      ] as const
      for (const [i, [from, headers, expected]] of cases.entries()) {
        const result = yield* takeIn(raw(from, `m${i}`, headers))
        expect(result.outcome._tag, from).toBe("Opened")
        if (result.outcome._tag !== "Opened") continue
        // The rules agree with intake's own verdict on answering.
        expect(result.acknowledge, from).toBe(expected.length > 0)
        expect(yield* notificationsOf(result.outcome.ticket.id), from).toEqual(expected)
      }
    }).pipe(Effect.provide(layer))
  )

  it.effect("a reply on a closed ticket opens a follow-up, acknowledged like a new ticket", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const first = yield* takeIn(raw("jane@customer.test", "first", []))
      if (first.outcome._tag !== "Opened") throw new Error(first.outcome._tag)
      const ticket = first.outcome.ticket
      const mary = { _tag: "agent", id: "mary" } as const
      yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
      yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "closed" })
      const again = yield* takeIn(
        raw("jane@customer.test", "again", ["In-Reply-To: <first@customer.test>"], "Re: [#69369] Charged twice")
      )
      expect(again.outcome._tag).toBe("FollowUp")
      if (again.outcome._tag !== "FollowUp") return
      expect(again.outcome.ticket.id).not.toBe(ticket.id)
      expect(yield* notificationsOf(again.outcome.ticket.id)).toEqual(["acknowledgement"])
      expect(yield* notificationsOf(ticket.id)).toEqual(["acknowledgement", "survey"])
    }).pipe(Effect.provide(layer))
  )
})
