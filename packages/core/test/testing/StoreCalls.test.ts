/**
 * The store calls the conformance suite lists when a test that drives a store through the
 * `Helpdesk` fails: each of the adapter's own operations with its input and answer, so that an
 * adapter author sees which call went wrong rather than only the help-desk steps.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as Fixtures from "../../src/testing/internal/fixtures.js"
import * as StoreCalls from "../../src/testing/internal/storeCalls.js"

describe("StoreCalls", () => {
  it("a failing step's error lists the store calls it made, with inputs and answers, the assertion kept as cause", async () => {
    const recorder = StoreCalls.record(await Effect.runPromise(MemoryTicketStore.make()))
    const store = recorder.store
    const ws = await Effect.runPromise(Fixtures.freshWorkspace)
    const id = Fixtures.ticketIn(ws, "t1")
    await Effect.runPromise(store.append(id, 0, [Fixtures.opened(ws, id, 3)]))
    const failure = await StoreCalls.explained(recorder, "step tag(#0)", async () => {
      await Effect.runPromise(Effect.result(store.append(id, 0, [Fixtures.retagged(id, 1, ["x"], [])])))
      await Effect.runPromise(store.appendAll([{ ticketId: id, expectedVersion: 1, events: [] }]))
      await Effect.runPromise(store.query(ws, { search: "vpn", limit: 5 }))
      expect(1, "the step's own check").toBe(2)
    }).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(Error)
    const message = (failure as Error).message
    expect(message).toContain("the step's own check")
    expect(message).toContain("The store calls of step tag(#0):")
    expect(message).toContain(
      `append(${id}, expectedVersion 0, [TagsChanged]) → VersionConflict (Ticket ${id} is at version 1, not 0`
    )
    expect(message).toContain(`appendAll([${id} @ 1 []]) → versions [1]`)
    expect(message).toContain(`query(${ws}, {"search":"vpn","limit":5}) → [${id}]`)
    // Calls before the step are not its own.
    expect(message).not.toContain("[TicketOpened]")
    expect((failure as Error).cause).toBeInstanceOf(Error)
  })

  it("a step that passes returns its value and adds nothing", async () => {
    const recorder = StoreCalls.record(await Effect.runPromise(MemoryTicketStore.make()))
    expect(await StoreCalls.explained(recorder, "a step", async () => 42)).toBe(42)
  })
})
