/**
 * The in-memory store against the conformance suite every `TicketStore` adapter runs: it is the
 * reference the others are held to, so it must pass every part. Narrowed to what a lesser
 * adapter declares (no search, small batches), it must refuse as such an adapter would, and the
 * parts that depend on those capabilities check exactly that.
 */
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { TicketStoreSuite } from "../../src/testing/index.js"

TicketStoreSuite.run("memory", MemoryTicketStore.layer())

TicketStoreSuite.run("memory without search", MemoryTicketStore.layer({ capabilities: { search: "none" } }), {
  parts: ["queries", "search", "snapshots", "model", "capabilities"],
  numRuns: 50,
  propertyRuns: 30
})

TicketStoreSuite.run("memory with batches of 3 streams", MemoryTicketStore.layer({ capabilities: { maxBatch: 3 } }), {
  parts: ["batches", "capabilities"]
})
