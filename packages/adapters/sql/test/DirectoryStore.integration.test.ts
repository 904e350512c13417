/**
 * The SQL directory against the conformance suite of the `DirectoryStore` port on each database
 * of `databases`. One migrated database per kind serves the whole file, every test writing to
 * workspaces of its own. Without a server its part fails, it never skips.
 */
import { DirectoryStore } from "@tessera/core"
import { DirectoryStoreSuite } from "@tessera/core/testing"
import { SqlDirectoryStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import { databases, oncePerFile } from "./support.js"

for (const database of databases) {
  const url = oncePerFile(database.freshUrl)
  DirectoryStoreSuite.run(
    `sql (${database.name})`,
    Layer.effect(
      DirectoryStore.DirectoryStore,
      Effect.gen(function* () {
        const connection = yield* Connection.scoped(yield* url)
        yield* Migrations.migrate(connection.db, connection.dialect)
        return yield* SqlDirectoryStore.make(connection)
      }).pipe(Effect.orDie)
    )
  )
}
