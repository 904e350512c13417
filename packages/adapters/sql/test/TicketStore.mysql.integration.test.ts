/**
 * The SQL ticket store on MariaDB/MySQL (a fresh database per build on the server of
 * `TESSERA_MYSQL_URL`) against the conformance suite of the `TicketStore` port, searches
 * included: they must answer the same pages as the memory store. Without a server it fails.
 */
import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshMysqlDatabase, mysqlUrl, withDatabase } from "./support.js"

// Read now: without a server this file fails at once instead of skipping.
const url = mysqlUrl()

/** A store on a database of its own per build (so runs never see each other), dropped at release. */
const mysqlDatabase = Layer.unwrap(
  Effect.map(freshMysqlDatabase, (database) => SqlStore.layerUrl({ url: withDatabase(url, database), connections: 4 }))
)

TicketStoreSuite.run("sql (mysql)", mysqlDatabase)
