/**
 * The file-system review queue against the conformance suite every `ReviewQueue` runs, then what
 * only a directory can get wrong: a restart (a second queue on the same directory lists the
 * holds of the first) and a hold that fails leaves no partial file.
 */
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as EmailError from "../src/EmailError.js"
import * as FileReviewQueue from "../src/FileReviewQueue.js"
import * as ReviewQueueSuite from "./support/ReviewQueueSuite.js"

ReviewQueueSuite.run(
  "file system",
  FileReviewQueue.layer({ directory: mkdtempSync(join(tmpdir(), "tessera-review-")) })
)

describe("FileReviewQueue", () => {
  it("a queue opened anew on the same directory lists what the first one held, and releases it", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tessera-review-"))
    const first = await Effect.runPromise(FileReviewQueue.make({ directory }))
    const held = await Effect.runPromise(
      first.hold({
        workspaceId: "acme",
        reason: "unparseable",
        detail: "HeaderTooLarge",
        from: undefined,
        subject: undefined,
        messageId: undefined,
        rawLocation: "att_0123",
        message: undefined,
        error: new EmailError.HeaderTooLarge({
          maxBytes: 1024,
          raw: { key: "att_0123", size: 5, sha256: "0".repeat(64) }
        })
      })
    )
    const second = await Effect.runPromise(FileReviewQueue.make({ directory }))
    const listed = await Effect.runPromise(second.list("acme"))
    expect(listed.map((h) => [h.id, h.rawLocation, h.error?._tag])).toEqual([[held.id, "att_0123", "HeaderTooLarge"]])
    await Effect.runPromise(second.release("acme", held.id))
    expect(await Effect.runPromise(first.list("acme"))).toEqual([])
    expect(readdirSync(join(directory, "partial"))).toEqual([])
  })
})
