/**
 * The example adapter against every part of the conformance suite, as any adapter runs it: the
 * suite holds it to the in-memory reference and to what its capabilities declare (no search,
 * batches of 25 streams).
 */
import { TicketStoreSuite } from "@tessera/core/testing"
import * as KeyValueTicketStore from "../src/KeyValueTicketStore.js"

// #region suite
TicketStoreSuite.run("key-value example", KeyValueTicketStore.layer(), { numRuns: 50, propertyRuns: 30 })
// #endregion
