/**
 * Every threading path, enumerated: each clue a message may carry, from each kind of sender,
 * to a ticket in each state, through `intake`, against what the verifier promises. A clue
 * joins a ticket only when its signed token verifies or the sender is already on the ticket;
 * whatever does not join opens a ticket of the sender's own, which shows nothing of the other.
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, Helpdesk, type Ticket } from "@tessera/core"
import { Effect } from "effect"
import type * as Inbound from "../src/Inbound.js"
import type * as Intake from "../src/Intake.js"
import { intake } from "../src/Intake.js"
import * as Signature from "../src/Signature.js"
import { keys, layer, mail, oldKeyOnly, workspaceId } from "./support/mail.js"

type ClueName =
  | "signed address"
  | "signed message-id"
  | "old-key signed address"
  | "recorded message-id"
  | "subject number"
  | "unsigned address"
  | "tampered address"
  | "tampered message-id"
  | "other workspace's token"
type Relation = "requester" | "follower" | "known stranger" | "unknown sender"
type State = "open" | "closed" | "merged"
type Expected = "Replied" | "FollowUp" | "Noted" | "Opened"

const clues: ReadonlyArray<ClueName> = [
  "signed address",
  "signed message-id",
  "old-key signed address",
  "recorded message-id",
  "subject number",
  "unsigned address",
  "tampered address",
  "tampered message-id",
  "other workspace's token"
]
const relations: ReadonlyArray<Relation> = ["requester", "follower", "known stranger", "unknown sender"]
const states: ReadonlyArray<State> = ["open", "closed", "merged"]

const signed = (c: ClueName) => c === "signed address" || c === "signed message-id" || c === "old-key signed address"
const forged = (c: ClueName) => c.startsWith("tampered") || c === "other workspace's token"

/** The policy, written out: what each path must give. */
const expected = (clue: ClueName, relation: Relation, state: State): Expected => {
  const participant = relation === "requester" || relation === "follower"
  if (forged(clue)) return "Opened"
  if (!signed(clue) && !participant) return "Opened"
  if (!participant) return state === "closed" ? "Opened" : "Noted"
  return state === "closed" ? "FollowUp" : "Replied"
}

const flip = (s: string) => s.slice(0, -1) + (s.endsWith("a") ? "b" : "a")

const senders: Record<Relation, string> = {
  requester: "jane@customer.test",
  follower: "carl@customer.test",
  "known stranger": "mallory@attacker.test",
  "unknown sender": "eve@elsewhere.test"
}

/** The threading clue of one row, pointing at ticket 69369 (Jane's). */
const threadingOf = (clue: ClueName, janeMessageId: string): Partial<Inbound.Threading> => {
  const token = Signature.token(keys, workspaceId, 69369)
  const helpdeskId = Signature.messageId(keys, { workspaceId, publicId: 69369, unique: "n1", domain: "mail.acme.test" })
  switch (clue) {
    case "signed address":
      return { plusTokens: [token] }
    case "signed message-id":
      return { inReplyTo: [helpdeskId], references: [janeMessageId, helpdeskId] }
    case "old-key signed address":
      return { plusTokens: [Signature.token(oldKeyOnly, workspaceId, 69369)] }
    case "recorded message-id":
      return { inReplyTo: [janeMessageId], references: [janeMessageId] }
    case "subject number":
      return { subjectNumber: 69369 }
    case "unsigned address":
      return { plusTokens: ["t69369"] }
    case "tampered address":
      return { plusTokens: [flip(token)] }
    case "tampered message-id":
      return { inReplyTo: [`${flip(token)}.n1@mail.acme.test`] }
    case "other workspace's token":
      return { plusTokens: [Signature.token(keys, "globex", 69369)] }
  }
}

/** Jane's ticket (69369, Carl following), Mallory's own (69370), and Jane's ticket put in `state`. */
const world = (state: State) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    const first = mail(senders.requester, { subject: "Refund for order 12" })
    const opened = yield* intake(first)
    if (opened.outcome._tag !== "Opened") return yield* Effect.die(new Error("setup: Jane's ticket did not open"))
    const jane = opened.outcome.ticket
    const carl = yield* helpdesk.saveContact({ name: "Carl", emails: [senders.follower] })
    yield* helpdesk.addFollower({ ticket: jane.id, by: Actor.agent("mary"), follower: Actor.contact(carl.id) })
    yield* helpdesk.reply({ ticket: jane.id, by: Actor.agent("mary"), text: "Your refund is on its way." })
    yield* intake(mail(senders["known stranger"], { subject: "Mallory's own question" }))
    let target: Ticket.Ticket | undefined
    if (state === "closed") {
      yield* helpdesk.changeStatus({ ticket: jane.id, by: Actor.agent("mary"), status: "solved" })
      yield* helpdesk.changeStatus({ ticket: jane.id, by: Actor.agent("mary"), status: "closed" })
    }
    if (state === "merged") {
      const other = yield* helpdesk.open({
        requester: { email: "jane@customer.test" },
        subject: "Refund, again",
        text: "Same problem.",
        channel: "web"
      })
      target = yield* helpdesk.merge({ target: other.id, sources: [jane.id], by: Actor.agent("mary") })
    }
    return { jane, janeMessageId: first.threading.messageId as string, target }
  })

describe("Threading: clue x sender x ticket state", () => {
  const rows = clues.flatMap((clue) =>
    relations.flatMap((relation) => states.map((state) => ({ clue, relation, state })))
  )

  it.effect.each(rows)("$clue from the $relation to an $state ticket", ({ clue, relation, state }) =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const { jane, janeMessageId, target } = yield* world(state)
      const before = yield* helpdesk.asSystem("test").get(jane.id)
      const message = mail(senders[relation], { subject: "Re: Refund", threading: threadingOf(clue, janeMessageId) })
      const result = yield* intake(message)
      const want = expected(clue, relation, state)
      expect(result.outcome._tag).toBe(want)
      const after = yield* helpdesk.asSystem("test").get(jane.id)
      const landedOn = (ticket: Ticket.Ticket) =>
        expect(ticket.messages.some((m) => m.email?.messageId === message.threading.messageId)).toBe(true)
      switch (result.outcome._tag) {
        case "Replied":
          expect(result.outcome.ticket.id).toBe(state === "merged" ? target?.id : jane.id)
          landedOn(yield* helpdesk.asSystem("test").get(result.outcome.ticket.id))
          break
        case "Noted": {
          const noted = yield* helpdesk.asSystem("test").get(result.outcome.ticket.id)
          expect(noted.id).toBe(state === "merged" ? target?.id : jane.id)
          expect(noted.messages.at(-1)?.visibility).toBe("internal")
          break
        }
        case "FollowUp":
          expect(result.outcome.of).toBe(jane.id)
          expect(result.outcome.ticket.links).toContainEqual({ kind: "follow_up_of", ticketId: jane.id })
          break
        case "Opened": {
          // Not joined, and nothing of Jane's ticket shows on the sender's new one.
          expect(after.messages.length).toBe(before.messages.length)
          const own = result.outcome.ticket
          expect(own.id).not.toBe(jane.id)
          expect(own.messages.map((m) => m.text)).toEqual([message.visibleText])
          expect(own.followers).toEqual([])
          const sender = yield* helpdesk.findContactByEmail(senders[relation])
          expect(sender._tag === "Some" && own.requester === sender.value.id).toBe(true)
          if (forged(clue)) expect(result.refused.map((r) => r.reason)).toContain("tampered")
          break
        }
        default:
          expect.unreachable(result.outcome._tag)
      }
    }).pipe(Effect.provide(layer()))
  )

  it("the table covers every outcome the policy has", () => {
    const outcomes = new Set(clues.flatMap((c) => relations.flatMap((r) => states.map((s) => expected(c, r, s)))))
    expect([...outcomes].sort()).toEqual(["FollowUp", "Noted", "Opened", "Replied"])
  })
})

describe("spoofing (issue 16): none of these joins a ticket or reveals its history", () => {
  /** Jane's ticket with an agent's answer in it, and Bob's, whose Message-ID Mallory copies. */
  const setup = Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    const janeFirst = mail("jane@customer.test", {
      subject: "Refund",
      text: "Card ending 4242",
      visibleText: "Card ending 4242"
    })
    const jane = yield* intake(janeFirst)
    const bobFirst = mail("bob@customer.test", { subject: "Password reset" })
    const bob = yield* intake(bobFirst)
    if (jane.outcome._tag !== "Opened" || bob.outcome._tag !== "Opened") return yield* Effect.die("setup failed")
    yield* helpdesk.reply({ ticket: bob.outcome.ticket.id, by: Actor.agent("mary"), text: "Your reset code is 991" })
    return { jane: jane.outcome.ticket, bob: bob.outcome.ticket, bobFirst }
  })

  const expectNothingRevealed = (result: Intake.Result, victim: Ticket.Ticket) =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      expect(result.outcome._tag).toBe("Opened")
      if (result.outcome._tag !== "Opened") return
      const own = result.outcome.ticket
      expect(own.id).not.toBe(victim.id)
      expect(own.messages).toHaveLength(1)
      expect(JSON.stringify(own)).not.toContain("991")
      expect(JSON.stringify(own)).not.toContain("4242")
      expect(own.links).toEqual([])
      const after = yield* helpdesk.asSystem("test").get(victim.id)
      expect(after.messages.map((m) => m.id)).toEqual(victim.messages.map((m) => m.id))
      expect(after.followers).toEqual(victim.followers)
      // The requester's portal of whoever the message came from does not show the victim's ticket.
      const seen = yield* Effect.flip(helpdesk.forRequester(own.requester).get(victim.id))
      expect(seen._tag).toBe("TicketNotFound")
    })

  it.effect("a forged From: of Jane with an In-Reply-To copied from Bob's ticket", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const { bob, bobFirst } = yield* setup
      const before = yield* helpdesk.asSystem("test").get(bob.id)
      const result = yield* intake(
        mail("jane@customer.test", {
          subject: "Re: Password reset",
          threading: {
            inReplyTo: [bobFirst.threading.messageId as string],
            references: [bobFirst.threading.messageId as string]
          }
        })
      )
      expect(result.refused).toEqual([
        { clue: { kind: "message-id", value: bobFirst.threading.messageId }, reason: "not-a-participant" }
      ])
      yield* expectNothingRevealed(result, before)
      expect((yield* helpdesk.asSystem("test").get(bob.id)).messages).toHaveLength(before.messages.length)
    }).pipe(Effect.provide(layer()))
  )

  it.effect("a guessed subject token, for every ticket number there is", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const { jane, bob } = yield* setup
      for (const victim of [jane, bob]) {
        const before = yield* helpdesk.asSystem("test").get(victim.id)
        const result = yield* intake(
          mail("mallory@attacker.test", {
            subject: `Re: [#${victim.publicId}]`,
            threading: { subjectNumber: victim.publicId, plusTokens: [`t${victim.publicId}`] }
          })
        )
        expect(result.refused.map((r) => [r.clue.kind, r.reason])).toEqual([
          ["subject", "not-a-participant"],
          ["address", "not-a-participant"]
        ])
        yield* expectNothingRevealed(result, before)
      }
    }).pipe(Effect.provide(layer()))
  )

  it.effect("a tampered signed token: Bob's altered, Jane's with Bob's number, Bob's cut short; sent as Jane", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const { jane, bob } = yield* setup
      const before = yield* helpdesk.asSystem("test").get(bob.id)
      const bobToken = Signature.token(keys, workspaceId, bob.publicId)
      // Jane's valid token with Bob's number: the MAC is for another ticket.
      const swapped = Signature.token(keys, workspaceId, jane.publicId).replace(`t${jane.publicId}`, `t${bob.publicId}`)
      for (const plus of [flip(bobToken), swapped, `${bobToken.slice(0, -1)}`]) {
        const result = yield* intake(
          mail("jane@customer.test", { threading: { plusTokens: [plus], subjectNumber: bob.publicId } })
        )
        expect(result.refused.map((r) => r.reason)).toContain("tampered")
        yield* expectNothingRevealed(result, before)
      }
    }).pipe(Effect.provide(layer()))
  )
})
