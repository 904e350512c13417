/**
 * The SQL ticket store, opened by `SqlStore.layerUrl`, against the conformance suite of the
 * `TicketStore` port (with its `Timers` and `Outbox`) on each database of `databases`: SQLite (a
 * WAL file), PostgreSQL and MariaDB/MySQL, searches included (they must answer the same pages as
 * the memory store). Each database serves the whole file: every test of the suite writes only to
 * workspaces no other test uses, and each store it builds migrates the database first (finding it
 * up to date after the first). Without a server its part fails, it never skips.
 */
import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { databases, oncePerFile } from "./support.js"

for (const database of databases) {
  const url = oncePerFile(database.freshUrl)
  TicketStoreSuite.run(
    `sql (${database.name})`,
    Layer.unwrap(Effect.map(url, (url) => SqlStore.layerUrl({ url, connections: 4 })))
  )
}
