// #15: `get("1")` answered "Ticket 1 not found" although ticket 1 existed: a number written as
// text was taken for an internal id. Every place that takes a ticket reference reads it one way.
import { Effect, Exit, ManagedRuntime } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createHelpdesk, type HelpdeskClient } from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as Requester from "../../src/helpdesk/Requester.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as Actor from "../../src/values/Actor.js"
import type { ContactId } from "../../src/values/Ids.js"

const first = 69369
const count = 4
const mary = Actor.agent("mary")
/** Every way a caller may write a public number. */
const spellings = (n: number) => [n, `${n}`, `#${n}`] as const
const spelled = fc.tuple(fc.integer({ min: 0, max: count - 1 }), fc.integer({ min: 0, max: 2 }))
/** A string that is neither a number's spelling nor an internal ticket id. */
const neither = fc.string({ maxLength: 30 }).filter((s) => !/^#?[0-9]+$/.test(s.trim()) && !s.trim().startsWith("tkt_"))

const opening = (i: number) => ({
  requester: { email: "jane@example.com" },
  subject: `Ticket ${i}`,
  text: "It broke.",
  channel: "email" as const
})

describe("a ticket reference means one ticket, in the Effect service and the Promise facade", () => {
  const runtime = ManagedRuntime.make(
    MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", firstPublicId: first })
  )
  const service = () => runtime.runPromise(Effect.service(Helpdesk.Helpdesk))
  let client: HelpdeskClient
  const ids: Array<string> = []

  beforeAll(async () => {
    const helpdesk = await service()
    client = await createHelpdesk({ ids: "sequential", firstPublicId: first })
    for (const desk of [
      (i: number) => runtime.runPromise(helpdesk.open(opening(i))),
      (i: number) => client.open(opening(i))
    ]) {
      for (let i = 0; i < count; i++) {
        const opened = await desk(i)
        expect(opened.publicId).toBe(first + i)
        if (ids.length < count) ids.push(opened.id)
      }
    }
    await runtime.runPromise(helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" }))
    await client.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
  })
  afterAll(async () => {
    await client.close()
    await runtime.dispose()
  })

  it("any public number in any accepted spelling reads the same ticket", async () => {
    const helpdesk = await service()
    await fc.assert(
      fc.asyncProperty(spelled, async ([i, how]) => {
        const raw = spellings(first + i)[how] as number | string
        const viaEffect = await runtime.runPromise(helpdesk.asSystem("test").get(raw))
        const viaPromise = await client.asSystem("test").get(raw)
        const history = await client.asSystem("test").history(raw)
        return (
          viaEffect.publicId === first + i &&
          viaPromise.publicId === first + i &&
          viaEffect.id === ids[i] &&
          history[0]?.ticketId === viaPromise.id
        )
      }),
      { numRuns: 60 }
    )
  })

  it("an internal id reads its ticket, and so does the same id with a `#` refused", async () => {
    const id = ids[0] as string
    expect((await client.asSystem("test").get(id)).publicId).toBe(first)
    await expect(client.asSystem("test").get(`#${id}`)).rejects.toMatchObject({ _tag: "InvalidInput", input: "ticket" })
  })

  it("a string that is neither a number nor an internal id is InvalidInput, never TicketNotFound", async () => {
    const helpdesk = await service()
    await fc.assert(
      fc.asyncProperty(neither, async (raw) => {
        const exit = await runtime.runPromiseExit(helpdesk.asSystem("test").get(raw))
        const rejected = await client
          .asSystem("test")
          .get(raw)
          .then(
            () => undefined,
            (e: unknown) => e
          )
        return (
          Exit.isFailure(exit) &&
          Exit.isFailure(exit) &&
          (rejected as { _tag?: string } | undefined)?._tag === "InvalidInput" &&
          (rejected as Error).message.includes("Expected a ticket number")
        )
      }),
      { numRuns: 60 }
    )
  })

  it("commands, links, merges and the requester's reads take every spelling", async () => {
    const [a, b, c] = [first, first + 1, first + 2]
    expect((await client.note({ ticket: `#${a}`, by: mary, text: "Looking." })).publicId).toBe(a)
    expect((await client.changeStatus({ ticket: `${a}`, by: mary, status: "open" })).status).toBe("open")
    expect((await client.tag({ ticket: ` #${a} `, by: mary, add: ["vpn"] })).tags).toContain("vpn")
    const linked = await client.link({ ticket: `${a}`, to: `#${b}`, by: mary, kind: "related" })
    expect(linked.links).toEqual([{ kind: "related", ticketId: ids[1] }])
    const merged = await client.merge({ target: `#${a}`, sources: [`${c}`], by: mary })
    expect(merged.publicId).toBe(a)
    // The merged ticket's number, written as text, leads to the target as the number does.
    expect((await client.asSystem("test").get(`#${c}`)).publicId).toBe(a)
    const jane = (await client.asSystem("test").get(a)).requester
    expect((await client.forRequester(jane).get(`#${b}`)).publicId).toBe(b)
    const requester = Requester.make(await service(), jane as ContactId)
    expect((await runtime.runPromise(requester.get(`${b}`))).publicId).toBe(b)
  })
})
