/**
 * A help desk in memory for the notify tests: a Paris business calendar (Monday to Friday,
 * 09:00-12:00 and 14:00-18:00) behind the default SLA policies, and triggers that ask for the
 * notifications the tests send: an acknowledgement when a ticket opens, the agent's public reply
 * to the requester, a mention to the agent an internal note names, a survey when it is solved, a "still on it" update and an agent's warning when the first reply is at risk. The clock is a TestClock.
 */
import {
  BusinessCalendar,
  Helpdesk,
  MemoryHelpdesk,
  Outbox,
  SlaPolicy,
  TicketCommand,
  type Triggers
} from "@tessera/core"
import { Signature } from "@tessera/email"
import { DateTime, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import type * as EmailPrepare from "../../src/EmailPrepare.js"
import * as Templates from "../../src/Templates.js"

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
export const sla: Helpdesk.SlaOptions = {
  policies: SlaPolicy.defaultPolicySet,
  calendars: { business_hours: paris.success }
}

export const workspaceId = "acme"
export const mailbox = "support@acme.test"
export const keys = Effect.runSync(Signature.keys(["notify-test-signing-key-0123456789abcdef"]))

const notify = (ticketId: string, template: string, to: ReadonlyArray<string>) =>
  new TicketCommand.Notify({ ticketId: ticketId as never, template, to: [...to] })

/** The triggers the tests rely on. */
export const triggers: Triggers.Triggers<Helpdesk.HelpdeskError> = {
  rules: [
    {
      rule: { id: "notify", version: 1 },
      fire: (ctx) =>
        Effect.succeed(
          ctx.pass > 1
            ? []
            : ctx.events.flatMap((e) => {
                if (e._tag === "TicketOpened") return [notify(ctx.current.id, "acknowledgement", ["requester"])]
                if (e._tag === "ReplyAdded" && e.by._tag === "agent")
                  return [notify(ctx.current.id, "reply", ["requester", "followers"])]
                if (e._tag === "ReplyAdded" && e.by._tag === "contact")
                  return [notify(ctx.current.id, "customer_replied", ["assignee"])]
                if (e._tag === "SlaWarningReached" && e.metric === "first_reply")
                  return [
                    notify(ctx.current.id, "still_on_it", ["requester"]),
                    notify(ctx.current.id, "sla_warning", ["assignee"])
                  ]
                if (e._tag === "StatusChanged" && e.toCategory === "solved")
                  return [notify(ctx.current.id, "survey", ["requester"])]
                if (e._tag === "NoteAdded" && e.message.text.includes("@tom"))
                  return [notify(ctx.current.id, "mentioned", ["agent:agt_tom"])]
                return []
              })
        )
    }
  ]
}

/** The help desk, its stores and a TestClock set to `iso`. */
export const layer = (iso: string) =>
  Layer.effectDiscard(TestClock.setTime(Date.parse(iso))).pipe(
    Layer.provideMerge(
      Layer.merge(MemoryHelpdesk.layer({ workspaceId }, { ids: "sequential", sla, triggers }), TestClock.layer())
    )
  )

/** Jane, Bob, Mary and Tom (agents of Level 1), saved in the directory. */
export const people = Effect.gen(function* () {
  const desk = yield* Helpdesk.Helpdesk
  yield* desk.saveGroup({ id: "grp_l1", name: "Level 1" })
  yield* desk.saveAgent({ id: "agt_mary", name: "Mary Major", email: "mary@acme.test", groups: ["grp_l1"] })
  yield* desk.saveAgent({ id: "agt_tom", name: "Tom Thumb", email: "tom@acme.test", groups: ["grp_l1"] })
  yield* desk.saveContact({ id: "con_jane", name: "Jane Sharpe", emails: ["jane@example.com"] })
  yield* desk.saveContact({ id: "con_bob", name: "Bob", emails: ["bob@example.com"] })
})

/** Every notification waiting in the outbox, claimed. */
export const claimAll = Effect.gen(function* () {
  const outbox = yield* Outbox.Outbox
  return yield* outbox.claim("notification", yield* DateTime.now, 100, 60_000)
})

/** The email side's options over the default templates. */
export const options = (overrides: Partial<EmailPrepare.Options> = {}): EmailPrepare.Options => ({
  templates: Effect.runSync(Templates.make()),
  keys,
  from: { address: mailbox, name: "Acme Support" },
  messageIdDomain: "mail.acme.test",
  recipients: { defaultTimeZone: "Europe/Paris" },
  sla,
  ...overrides
})
