// #12: a requester created by another process between `open`'s lookup and its save made that
// `open` fail with EmailTaken; the contact that won is the requester.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import type { Contact } from "../../src/directory/Directory.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { DirectoryStore } from "../../src/ports/DirectoryStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import type { ContactId, WorkspaceId } from "../../src/values/Ids.js"

/** What another process saved, a moment after this one looked the email up and found nothing. */
const rival = (email: string): Contact => ({
  id: "con_rival" as ContactId,
  workspaceId: "acme" as WorkspaceId,
  name: "Saved elsewhere",
  emails: [email as Contact["emails"][number]],
  phones: [],
  externalIds: {}
})

/**
 * The memory directory, except that each lookup by email first lets `racer` write (another
 * process saving the same requester) and then answers as of before that write: nothing found.
 */
const racingDirectory = (racer: (email: string) => Contact | undefined) =>
  Layer.effect(
    DirectoryStore,
    Effect.gen(function* () {
      const inner = yield* MemoryDirectoryStore.make
      let lookups = 0
      return DirectoryStore.of({
        ...inner,
        findContactByEmail: (ws, email) => {
          lookups += 1
          const raced = lookups === 1 ? racer(email) : undefined
          return raced === undefined
            ? inner.findContactByEmail(ws, email)
            : Effect.as(Effect.orDie(inner.saveContact(raced)), Option.none())
        }
      })
    })
  )

const deskWith = (racer: (email: string) => Contact | undefined) =>
  Helpdesk.layer({ workspaceId: "acme" }).pipe(
    Layer.provideMerge(Layer.mergeAll(MemoryTicketStore.layer(), racingDirectory(racer), IdGenerator.layerSequential))
  )

const opens = (email: string) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    return yield* helpdesk.open({ requester: { email }, subject: "Printer", text: "It jams.", channel: "email" })
  })

describe("a new requester created by someone else at the same moment", () => {
  it.effect("open reuses the contact another writer saved between the lookup and the save", () =>
    Effect.gen(function* () {
      const ticket = yield* opens("Jane@Example.com")
      expect(ticket.requester).toBe("con_rival")
      const directory = yield* DirectoryStore
      const found = yield* directory.findContactByEmail("acme" as WorkspaceId, "jane@example.com")
      expect(Option.map(found, (contact) => contact.id)).toEqual(Option.some("con_rival"))
    }).pipe(Effect.provide(deskWith((email) => rival(email.toLowerCase()))))
  )

  it.effect("an email still owned by nobody after EmailTaken is refused, not invented", () =>
    Effect.gen(function* () {
      // The directory refuses the save although no contact holds the email: nothing to reuse.
      const refusing = Layer.effect(
        DirectoryStore,
        Effect.gen(function* () {
          const inner = yield* MemoryDirectoryStore.make
          yield* inner.saveContact(rival("other@example.com"))
          return DirectoryStore.of({
            ...inner,
            saveContact: (contact) =>
              inner.saveContact({ ...contact, emails: [...contact.emails, "other@example.com" as never] })
          })
        })
      )
      const error = yield* Effect.flip(
        opens("jane@example.com").pipe(
          Effect.provide(
            Helpdesk.layer({ workspaceId: "acme" }).pipe(
              Layer.provide(Layer.mergeAll(MemoryTicketStore.layer(), refusing, IdGenerator.layerSequential))
            )
          )
        )
      )
      expect(error).toMatchObject({ _tag: "EmailTaken", email: "other@example.com", contactId: "con_rival" })
    })
  )
})
