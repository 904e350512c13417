/**
 * The in-memory directory against the conformance suite every `DirectoryStore` adapter runs: it is
 * the reference the others are held to, so it must pass the same tests.
 */
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import { DirectoryStoreSuite } from "../../src/testing/index.js"

DirectoryStoreSuite.run("memory", MemoryDirectoryStore.layer)
