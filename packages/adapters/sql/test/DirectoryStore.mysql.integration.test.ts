/**
 * The SQL directory on MariaDB/MySQL (a fresh database per store on the server of
 * `TESSERA_MYSQL_URL`) against the conformance suite of the `DirectoryStore` port. Without a
 * server it fails.
 */
import { DirectoryStore } from "@tessera/core"
import { DirectoryStoreSuite } from "@tessera/core/testing"
import { SqlDirectoryStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshMysql, mysqlUrl } from "./support.js"

mysqlUrl()

DirectoryStoreSuite.run(
  "sql (mysql)",
  Layer.effect(DirectoryStore.DirectoryStore, Effect.flatMap(freshMysql, SqlDirectoryStore.make))
)
