/**
 * The in-memory attachment store against the conformance suite every `AttachmentStore` adapter
 * runs: it is the reference the others are held to. Its footprint is the number of attachments
 * it holds, so the suite can see that a refused or failed put kept nothing.
 */
import * as MemoryAttachmentStore from "../../src/memory/MemoryAttachmentStore.js"
import { AttachmentStoreSuite } from "../../src/testing/index.js"

AttachmentStoreSuite.run("memory", MemoryAttachmentStore.layer, { footprint: MemoryAttachmentStore.stored })
