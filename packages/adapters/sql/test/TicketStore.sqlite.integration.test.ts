import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"

/** A store on a fresh SQLite file (WAL) per build, removed with its directory at release. */
const sqliteFile = Layer.unwrap(
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "tessera-store-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    ),
    (dir) => SqlStore.layerUrl({ url: `sqlite:${join(dir, "tessera.db")}` })
  )
)

TicketStoreSuite.run("sql (sqlite file, WAL)", sqliteFile)
