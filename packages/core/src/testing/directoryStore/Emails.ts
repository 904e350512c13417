/**
 * The "contacts by email" part of the `DirectoryStore` suite: a contact is found by any of its
 * emails in any letter case, an email belongs to one contact per workspace (`EmailTaken`
 * otherwise, concurrent saves included), replacing a contact frees the emails it drops, and
 * random saves agree with the reference write for write.
 */
import { Effect, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as MemoryDirectoryStore from "../../memory/MemoryDirectoryStore.js"
import type { DirectoryStore } from "../../ports/DirectoryStore.js"
import { failureOf, freshWorkspace, show } from "../internal/fixtures.js"
import {
  anyEmail,
  apply,
  caseVariant,
  contactFields,
  emailsOf,
  hostile,
  idOf,
  idsOf,
  observe,
  operation,
  place
} from "./Generators.js"
import { checkProperty, cid, contact, contactOf, outcome, type Settings, withStore } from "./Support.js"

/**
 * Registers this part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Layer.Layer<DirectoryStore, E>, settings: Settings): void => {
  const { params, timeout } = settings
  describe("contacts by email", () => {
    it("a contact is found by any of its emails, whatever their letter case and surrounding blanks", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const jane = contactOf(ws, "jane", "Jane", ["Jane.Sharpe@Example.com", "js@example.org"])
          yield* store.saveContact(jane)
          for (const lookup of ["jane.sharpe@example.com", "JANE.SHARPE@EXAMPLE.COM", " js@EXAMPLE.org\n"]) {
            expect(yield* store.findContactByEmail(ws, lookup), lookup).toEqual(Option.some(jane))
          }
          expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.none())
        })
      ))

    it(
      "a contact is found by any of its emails in any letter case (property)",
      () =>
        checkProperty(
          layer,
          params,
          [
            contactFields(idOf(["jane"]), anyEmail)
              .filter((c) => c.emails.length > 0)
              .chain((c) =>
                fc.tuple(
                  fc.constant(c),
                  fc.constantFrom(...c.emails).chain((e) => caseVariant(e))
                )
              )
          ],
          (store, [c, lookup]) =>
            Effect.gen(function* () {
              const ws = yield* freshWorkspace
              const saved = place(contact, c, ws)
              yield* store.saveContact(saved)
              expect(yield* store.findContactByEmail(ws, lookup)).toEqual(Option.some(saved))
            })
        ),
      timeout
    )

    it("an email another contact of the workspace has fails with EmailTaken and changes nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const jane = contactOf(ws, "jane", "Jane", ["jane@example.com"])
          const omar = contactOf(ws, "omar", "Omar", ["omar@example.com"])
          yield* store.saveContact(jane)
          yield* store.saveContact(omar)
          const error = yield* failureOf(
            store.saveContact({ ...omar, name: "Omar B", emails: [...omar.emails, "JANE@example.com" as never] })
          )
          expect(error).toMatchObject({ _tag: "EmailTaken", email: "JANE@example.com", contactId: "jane" })
          const newcomer = yield* failureOf(store.saveContact({ ...jane, id: cid("jane2") }))
          expect(newcomer).toMatchObject({ _tag: "EmailTaken", email: "jane@example.com", contactId: "jane" })
          expect(yield* store.getContact(ws, omar.id)).toEqual(Option.some(omar))
          expect(yield* store.getContact(ws, cid("jane2"))).toEqual(Option.none())
          expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.some(jane))
          expect(yield* store.findContactByEmail(ws, "omar@example.com")).toEqual(Option.some(omar))
        })
      ))

    it("the same email may belong to one contact in each workspace", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
          const inA = contactOf(a, "jane", "Jane", ["jane@example.com"])
          const inB = contactOf(b, "jane-b", "Jane", ["jane@example.com"])
          yield* store.saveContact(inA)
          yield* store.saveContact(inB)
          expect(yield* store.findContactByEmail(a, "JANE@example.com")).toEqual(Option.some(inA))
          expect(yield* store.findContactByEmail(b, "jane@example.com")).toEqual(Option.some(inB))
        })
      ))

    it("replacing a contact frees the emails it no longer has, and a contact may keep its own", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const jane = contactOf(ws, "jane", "Jane", ["jane@example.com", "js@example.com"])
          yield* store.saveContact(jane)
          yield* store.saveContact(jane)
          const kept = contactOf(ws, "jane", "Jane", ["JS@example.com"])
          yield* store.saveContact(kept)
          expect(yield* store.findContactByEmail(ws, "jane@example.com")).toEqual(Option.none())
          expect(yield* store.findContactByEmail(ws, "js@example.com")).toEqual(Option.some(kept))
          const omar = contactOf(ws, "omar", "Omar", ["jane@example.com"])
          yield* store.saveContact(omar)
          expect(yield* store.findContactByEmail(ws, "Jane@Example.com")).toEqual(Option.some(omar))
        })
      ))

    it("concurrent saves claiming one email: one contact gets it, every other save fails with EmailTaken", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const claimants = Array.from({ length: 8 }, (_, i) =>
            contactOf(ws, `claimant-${i}`, `Claimant ${i}`, [
              `c${i}@example.com`,
              i % 2 === 0 ? "shared@example.com" : "SHARED@example.com"
            ])
          )
          const results = yield* Effect.forEach(claimants, (c) => outcome(store.saveContact(c)), {
            concurrency: "unbounded"
          })
          const winners = claimants.filter((_, i) => show(results[i]) === show({ ok: undefined }))
          expect(winners, show(results)).toHaveLength(1)
          const winner = winners[0]
          if (winner === undefined) return
          for (const [i, result] of results.entries()) {
            if (claimants[i] === winner) continue
            expect(result).toMatchObject({ error: { _tag: "EmailTaken", contactId: winner.id } })
            expect(yield* store.getContact(ws, cid(`claimant-${i}`))).toEqual(Option.none())
          }
          expect(yield* store.findContactByEmail(ws, "shared@example.com")).toEqual(Option.some(winner))
        })
      ))

    it(
      "random saves across two workspaces agree with the in-memory reference, write for write and read for read (property)",
      () =>
        checkProperty(
          layer,
          params,
          [fc.array(operation, { minLength: 1, maxLength: 16 }), fc.array(hostile, { maxLength: 3 })],
          (store, ops, extraLookups) =>
            Effect.gen(function* () {
              const reference = yield* MemoryDirectoryStore.make
              const spaces = [yield* freshWorkspace, yield* freshWorkspace] as const
              for (const [i, op] of ops.entries()) {
                const ws = spaces[op.space]
                const expected = yield* apply(reference, op, ws)
                expect(yield* apply(store, op, ws), `operation ${i}: ${show(op)}`).toEqual(expected)
              }
              const ids = idsOf(ops)
              const lookups = [...emailsOf(ops).flatMap((e) => [e, e.toUpperCase()]), ...extraLookups]
              for (const ws of spaces) {
                expect(yield* observe(store, ws, ids, lookups), `workspace ${ws}`).toEqual(
                  yield* observe(reference, ws, ids, lookups)
                )
              }
            })
        ),
      timeout
    )
  })
}
