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

/**
 * Half the suite's default runs (which the in-memory reference keeps): every run sends the
 * store the same few statement shapes with other values, so 100 model runs of up to 50
 * operations (and 50 runs of each other property) per database, plus the runs of
 * `TicketStore.ownClient`, still meet every shape many times. The concurrency part keeps 8
 * writers on one ticket with 150 commands each (1,200 commands, conflicts required): the
 * multi-process test (`Concurrency.integration.test.ts`) is where writers race on the database
 * itself, thousands of commands at a time.
 */
const volume = { numRuns: 100, propertyRuns: 50, commandsPerWriter: 150 }

for (const database of databases) {
  const url = oncePerFile(database.freshUrl)
  TicketStoreSuite.run(
    `sql (${database.name})`,
    Layer.unwrap(Effect.map(url, (url) => SqlStore.layerUrl({ url, connections: 4 }))),
    volume
  )
}
