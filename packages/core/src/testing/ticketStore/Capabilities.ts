/**
 * The "capabilities" part of the `TicketStore` suite: a store declares what the port defines
 * (`durable` and `multiProcess` flags, a known `search`, a `maxBatch` between 3 and
 * `Limits.streamsPerBatch`), so callers can branch on it. What each declaration promises is
 * checked where it matters: the search in the "search" part, the batch in the "batches" part.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Limits from "../../values/Limits.js"
import type * as Fixtures from "../internal/fixtures.js"
import { type Settings, withStore } from "./Support.js"

/**
 * Registers the "capabilities" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, _settings: Settings): void => {
  describe("capabilities", () => {
    it("declares its capabilities as the port defines them", () =>
      withStore(layer, (store) =>
        Effect.sync(() => {
          const { durable, multiProcess, search, maxBatch } = store.capabilities
          expect(typeof durable, "capabilities.durable").toBe("boolean")
          expect(typeof multiProcess, "capabilities.multiProcess").toBe("boolean")
          expect(["none", "prefix"], "capabilities.search").toContain(search)
          expect(Number.isInteger(maxBatch), `capabilities.maxBatch ${maxBatch} is an integer`).toBe(true)
          expect(maxBatch, "capabilities.maxBatch").toBeGreaterThanOrEqual(3)
          expect(maxBatch, "capabilities.maxBatch").toBeLessThanOrEqual(Limits.streamsPerBatch)
        })
      ))
  })
}
