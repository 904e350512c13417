/**
 * #12: a `LimitExceeded` or `StoreUnavailable` that reaches a `Helpdesk` caller names the operation
 * the caller called (`open`), the internal step kept; the Promise facade rejects with the same
 * instances and counts `LimitExceeded` among its errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createHelpdesk, isHelpdeskError } from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { DirectoryStore } from "../../src/ports/DirectoryStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { StoreUnavailable } from "../../src/ports/StoreError.js"
import * as Limits from "../../src/values/Limits.js"

const opening = {
  requester: { email: "jane@example.com" },
  subject: "VPN drops",
  text: "Every hour.",
  channel: "email"
} as const

/** The memory directory, with `saveContact` failing as a locked SQLite file did. */
const lockedDirectory = Layer.effect(
  DirectoryStore,
  Effect.map(MemoryDirectoryStore.make, (directory) =>
    DirectoryStore.of({
      ...directory,
      saveContact: () => Effect.fail(new StoreUnavailable({ operation: "saveContact", reason: "database is locked" }))
    })
  )
)

const helpdeskOn = (directory: Layer.Layer<DirectoryStore>, firstPublicId = 1) =>
  Helpdesk.layer({ workspaceId: "acme" }).pipe(
    Layer.provide(Layer.mergeAll(MemoryTicketStore.layer({ firstPublicId }), directory, IdGenerator.layerSequential))
  )

describe("errors name the operation the caller called", () => {
  it.effect("a store failing in an inner step of open is StoreUnavailable for open, the step in `step`", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const error = yield* Effect.flip(helpdesk.open(opening))
      expect(error).toBeInstanceOf(StoreUnavailable)
      expect(error).toMatchObject({ operation: "open", step: "saveContact", reason: "database is locked" })
      expect(error.message).toBe("Store failed during open (in saveContact): database is locked")
      expect((error as StoreUnavailable).retryable).toBe(true)
    }).pipe(Effect.provide(helpdeskOn(lockedDirectory)))
  )

  it.effect(
    "the last public number handed out, open is LimitExceeded for open (in nextPublicId), never retryable",
    () =>
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        expect((yield* helpdesk.open(opening)).publicId).toBe(Limits.publicIdMax)
        const error = yield* Effect.flip(helpdesk.open(opening))
        expect(error).toBeInstanceOf(Limits.LimitExceeded)
        expect(error).toMatchObject({
          limit: "publicIdMax",
          max: Limits.publicIdMax,
          actual: Limits.publicIdMax + 1,
          operation: "open",
          step: "nextPublicId"
        })
        expect((error as Limits.LimitExceeded).retryable).toBe(false)
      }).pipe(Effect.provide(helpdeskOn(MemoryDirectoryStore.layer, Limits.publicIdMax)))
  )

  it.effect("a refusal by decide names the operation, the command as its step", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const tags = Array.from({ length: Limits.tagsPerTicket }, (_, i) => `t${i}`)
      const ticket = yield* helpdesk.open({ ...opening, tags })
      const error = yield* Effect.flip(
        helpdesk.tag({ ticket: ticket.id, add: ["one-more"], by: helpdesk.system.actor("rules") })
      )
      expect(error).toMatchObject({ _tag: "LimitExceeded", operation: "tag", step: "ChangeTags", actual: 1_001 })
    }).pipe(Effect.provide(helpdeskOn(MemoryDirectoryStore.layer)))
  )
})

describe("the Promise facade", () => {
  it("rejects with LimitExceeded as one of its errors, and refuses a first number beyond the limit", async () => {
    const helpdesk = await createHelpdesk({ firstPublicId: Limits.publicIdMax })
    expect((await helpdesk.open(opening)).publicId).toBe(Limits.publicIdMax)
    const error = await helpdesk.open(opening).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(Limits.LimitExceeded)
    expect(isHelpdeskError(error)).toBe(true)
    await helpdesk.close()
    await expect(createHelpdesk({ firstPublicId: Limits.publicIdMax + 1 })).rejects.toMatchObject({
      _tag: "InvalidConfig",
      problems: [{ path: ["firstPublicId"] }]
    })
  })
})
