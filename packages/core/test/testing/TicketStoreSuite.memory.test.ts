/**
 * The in-memory store against the conformance suite every `TicketStore` adapter runs: it is the
 * reference the others are held to, so it must pass the same tests.
 */
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { TicketStoreSuite } from "../../src/testing/index.js"

TicketStoreSuite.run("memory", MemoryTicketStore.layer())
