/**
 * The verifier's promise as a property: whatever mix of clues a message carries (signed,
 * tampered, unsigned, copied Message-IDs, numbers of tickets that do not exist) and whoever sends
 * it, it lands on a ticket only through a valid signed token for that ticket or an unsigned clue
 * for a ticket its sender is already on; a public reply only from someone on the ticket; and
 * anything else opens a ticket holding the sender's message alone.
 */
import { fc, test } from "@fast-check/vitest"
import { Actor, Helpdesk } from "@tessera/core"
import { Effect } from "effect"
import { expect, it } from "vitest"
import type * as Inbound from "../src/Inbound.js"
import { intake } from "../src/Intake.js"
import * as Signature from "../src/Signature.js"
import { keys, layer, mail, workspaceId } from "./support/mail.js"

const senders = [
  "jane@customer.test",
  "bob@customer.test",
  "carl@customer.test",
  "mallory@attacker.test",
  "eve@new.test"
]
/** 69369 is Jane's ticket, 69370 Bob's (Carl follows it), 69371 does not exist. */
const numbers = [69369, 69370, 69371]
const participants: Record<number, ReadonlyArray<string>> = {
  69369: ["jane@customer.test"],
  69370: ["bob@customer.test", "carl@customer.test"],
  69371: []
}

type Clue =
  | { readonly kind: "signed" | "tampered" | "subject" | "plus" | "recorded"; readonly n: number }
  | { readonly kind: "stray" }

const clue: fc.Arbitrary<Clue> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      "signed" as const,
      "tampered" as const,
      "subject" as const,
      "plus" as const,
      "recorded" as const
    ),
    n: fc.constantFrom(...numbers)
  }),
  fc.constant({ kind: "stray" as const })
)

/** The outcomes the property produced: it must have exercised every kind. */
const seen = new Set<string>()

const flip = (s: string) => s.slice(0, -1) + (s.endsWith("a") ? "b" : "a")

test.prop([fc.constantFrom(...senders), fc.array(clue, { maxLength: 4 })], { numRuns: 60 })(
  "a message joins a ticket only through a valid signature or a sender already on it",
  async (sender, clues) => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
        const janeFirst = mail("jane@customer.test")
        const bobFirst = mail("bob@customer.test")
        const jane = yield* intake(janeFirst)
        const bob = yield* intake(bobFirst)
        if (jane.outcome._tag !== "Opened" || bob.outcome._tag !== "Opened") return yield* Effect.die("setup")
        const carl = yield* helpdesk.saveContact({ name: "Carl", emails: ["carl@customer.test"] })
        yield* helpdesk.addFollower({
          ticket: bob.outcome.ticket.id,
          by: Actor.agent("mary"),
          follower: Actor.contact(carl.id)
        })
        const recorded: Record<number, string> = {
          69369: janeFirst.threading.messageId as string,
          69370: bobFirst.threading.messageId as string,
          69371: "never-recorded@customer.test"
        }
        const threading: { -readonly [K in keyof Inbound.Threading]: Inbound.Threading[K] } = {
          messageId: undefined,
          inReplyTo: [],
          references: [],
          subjectNumber: undefined,
          plusTokens: []
        }
        const plus: Array<string> = []
        const references: Array<string> = []
        for (const c of clues) {
          if (c.kind === "stray") references.push("stray-123@elsewhere.test")
          else if (c.kind === "signed") plus.push(Signature.token(keys, workspaceId, c.n))
          else if (c.kind === "tampered") plus.push(flip(Signature.token(keys, workspaceId, c.n)))
          else if (c.kind === "plus") plus.push(`t${c.n}`)
          else if (c.kind === "recorded") references.push(recorded[c.n] as string)
          else threading.subjectNumber = c.n
        }
        const message = mail(sender, { threading: { ...threading, plusTokens: plus, references } })
        const before = yield* helpdesk.asSystem("test").list()
        const result = yield* intake(message)
        const outcome = result.outcome
        seen.add(outcome._tag)

        const tampered = new Set(clues.flatMap((c) => (c.kind === "tampered" ? [c.n] : [])))
        const validSigned = (n: number) => clues.some((c) => c.kind === "signed" && c.n === n) && n !== 69371
        const unsignedFor = (n: number) =>
          !tampered.has(n) &&
          clues.some(
            (c) =>
              (c.kind === "plus" && c.n === n) ||
              (c.kind === "recorded" && c.n === n) ||
              (c.kind === "subject" && threading.subjectNumber === n)
          )
        const mayJoin = (n: number) => validSigned(n) || (participants[n]?.includes(sender) === true && unsignedFor(n))

        if (outcome._tag === "Replied" || outcome._tag === "Noted") {
          const n = outcome.ticket.publicId
          expect(mayJoin(n), `${outcome._tag} on ${n}`).toBe(true)
          if (outcome._tag === "Replied") expect(participants[n]).toContain(sender)
          else expect(participants[n]).not.toContain(sender)
        } else {
          expect(outcome._tag).toBe("Opened")
          expect(numbers.some(mayJoin), "a joinable clue was passed over").toBe(false)
          if (outcome._tag === "Opened") {
            expect(outcome.ticket.messages).toHaveLength(1)
            expect((yield* helpdesk.asSystem("test").list()).items).toHaveLength(before.items.length + 1)
          }
        }
      }).pipe(Effect.provide(layer()))
    )
  }
)

it("the property saw replies, notes and new tickets", () => {
  expect([...seen].sort()).toEqual(["Noted", "Opened", "Replied"])
})
