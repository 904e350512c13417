/**
 * The in-memory store against the stored-SLA-fold part of the conformance suite.
 */
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { StoredSlaSuite } from "../../src/testing/index.js"

StoredSlaSuite.run("memory", MemoryTicketStore.layer())
