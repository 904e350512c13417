import * as MemoryReviewQueue from "../src/MemoryReviewQueue.js"
import * as ReviewQueueSuite from "./support/ReviewQueueSuite.js"

ReviewQueueSuite.run("memory", MemoryReviewQueue.layer)
