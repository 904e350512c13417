/**
 * The in-memory store against the limits' conformance suite: the reference every other store's
 * limits are held to (#12).
 */
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { LimitsSuite } from "../../src/testing/index.js"

LimitsSuite.run("memory", (options) => MemoryTicketStore.layer(options))
