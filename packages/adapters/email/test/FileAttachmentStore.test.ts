/**
 * The file-system attachment store against the conformance suite every `AttachmentStore` runs,
 * its footprint being every file under its directory (partial writes included); then what only a
 * directory can get wrong: names taken from the attachment, keys that climb out of the
 * directory, an interrupted write, and a restart.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AttachmentStore, Ids } from "@tessera/core"
import { AttachmentStoreSuite } from "@tessera/core/testing"
import { Effect, Fiber, Option, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as FileAttachmentStore from "../src/FileAttachmentStore.js"

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))

const suiteDirectory = mkdtempSync(join(tmpdir(), "tessera-attachments-"))

AttachmentStoreSuite.run("file system", FileAttachmentStore.layer({ directory: suiteDirectory }), {
  footprint: () => Effect.sync(() => filesUnder(suiteDirectory).length)
})

const ws = "ws-files" as Ids.WorkspaceId
const text = (value: string) => Stream.make(new TextEncoder().encode(value))
const options = { fileName: "note.txt", contentType: "text/plain", maxBytes: 1000 }

const withStore = <A, E>(
  directory: string,
  f: (store: AttachmentStore.AttachmentStore["Service"]) => Effect.Effect<A, E>
) => Effect.runPromise(Effect.flatMap(FileAttachmentStore.make({ directory }), f))

const readText = (store: AttachmentStore.AttachmentStore["Service"], key: string) =>
  Effect.gen(function* () {
    const found = yield* store.get(ws, key)
    if (Option.isNone(found)) return undefined
    const chunks = yield* Stream.runCollect(found.value)
    return Buffer.concat(chunks).toString("utf8")
  })

describe("FileAttachmentStore", () => {
  it("names files by random key, never by the attachment's name, so ../x and a\\0b stay inside", async () => {
    const parent = mkdtempSync(join(tmpdir(), "tessera-attachments-"))
    const directory = join(parent, "store")
    await withStore(directory, (store) =>
      Effect.gen(function* () {
        for (const fileName of ["../x", "a\u0000b", "../../etc/passwd", "/tmp/abs", "CON"]) {
          const stored = yield* store.put(ws, text(`from ${fileName}`), { ...options, fileName })
          expect(stored.key).toMatch(/^att_[0-9a-f]{32}$/)
          expect(yield* readText(store, stored.key)).toBe(`from ${fileName}`)
        }
      })
    )
    expect(readdirSync(parent)).toEqual(["store"])
    const names = filesUnder(directory).map((path) => path.slice(directory.length + 1))
    expect(names).toHaveLength(5)
    for (const name of names) expect(name).toMatch(/^workspaces\/[0-9a-f]{64}\/att_[0-9a-f]{32}$/)
  })

  it("a crafted key cannot read or remove a file outside the workspace's folder", async () => {
    const parent = mkdtempSync(join(tmpdir(), "tessera-attachments-"))
    const directory = join(parent, "store")
    writeFileSync(join(parent, "secret"), "do not read")
    await withStore(directory, (store) =>
      Effect.gen(function* () {
        const stored = yield* store.put(ws, text("mine"), options)
        const other = yield* store.put("ws-other" as Ids.WorkspaceId, text("theirs"), options)
        const climbs = [
          "../../../secret",
          join("..", "..", "..", "secret"),
          join(parent, "secret"),
          `../${other.key}`,
          `${stored.key}/`,
          `${stored.key}\u0000`,
          stored.key.toUpperCase()
        ]
        for (const key of climbs) {
          expect(Option.isNone(yield* store.get(ws, key)), key).toBe(true)
          yield* store.remove(ws, key)
        }
        expect(yield* readText(store, stored.key)).toBe("mine")
      })
    )
    expect(existsSync(join(parent, "secret"))).toBe(true)
    expect(filesUnder(directory)).toHaveLength(2)
  })

  it("an interrupted put leaves no partial file", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tessera-attachments-"))
    await withStore(directory, (store) =>
      Effect.gen(function* () {
        const slow = Stream.forever(Stream.fromEffect(Effect.as(Effect.sleep("5 millis"), new Uint8Array(10))))
        const fiber = yield* Effect.forkChild(store.put(ws, slow, { ...options, maxBytes: 1_000_000 }))
        yield* Effect.sleep("60 millis")
        expect(filesUnder(directory).filter((path) => path.endsWith(".part"))).toHaveLength(1)
        yield* Fiber.interrupt(fiber)
      })
    )
    expect(filesUnder(directory)).toEqual([])
  })

  it("what one store wrote, a store opened later on the same directory reads", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tessera-attachments-"))
    const stored = await withStore(directory, (store) => store.put(ws, text("survives a restart"), options))
    expect(await withStore(directory, (store) => readText(store, stored.key))).toBe("survives a restart")
  })

  it("a directory that cannot be created fails make with StoreUnavailable", async () => {
    const parent = mkdtempSync(join(tmpdir(), "tessera-attachments-"))
    writeFileSync(join(parent, "file"), "not a directory")
    const error = await Effect.runPromise(
      Effect.flip(FileAttachmentStore.make({ directory: join(parent, "file", "x") }))
    )
    expect(error).toMatchObject({ _tag: "StoreUnavailable", operation: "make" })
  })
})
