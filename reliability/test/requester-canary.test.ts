/**
 * Issue 12, "requester views never show an internal note": the canary property on the in-memory
 * store. Every requester-facing result holds no internal text (0 leaks), after merges, splits
 * and follow-ups that the counts prove happened.
 */
import { IdGenerator, MemoryDirectoryStore, MemoryTicketStore } from "@tessera/core"
import { Effect, Layer } from "effect"
import { it } from "vitest"
import { report } from "../support/report.js"
import * as Canary from "../support/requesterCanary.js"

it("requester-facing operations never return a note's text, on the memory store (canary property)", async () => {
  const ports = await Effect.runPromise(
    Effect.scoped(
      Layer.build(Layer.mergeAll(MemoryTicketStore.layer(), MemoryDirectoryStore.layer, IdGenerator.layerTimeOrdered))
    )
  )
  const outcome = await Canary.run(ports, { numRuns: 60 })
  report("requester-canary-memory", outcome.counts)
  Canary.expectNoLeak(outcome)
}, 120_000)
