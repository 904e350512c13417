import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LimitsSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"

/** A store on a fresh SQLite file (WAL) per case, removed with its directory at release (#12). */
const sqliteFile = (options: LimitsSuite.StoreOptions) =>
  Layer.unwrap(
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "tessera-limits-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      ),
      (dir) => SqlStore.layerUrl({ url: `sqlite:${join(dir, "tessera.db")}`, ...options })
    )
  )

LimitsSuite.run("sql (sqlite file, WAL)", sqliteFile)
