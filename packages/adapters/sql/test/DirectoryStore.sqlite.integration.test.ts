/**
 * The SQL directory on SQLite (a fresh WAL file per store) against the conformance suite of the
 * `DirectoryStore` port.
 */
import { DirectoryStore } from "@tessera/core"
import { DirectoryStoreSuite } from "@tessera/core/testing"
import { SqlDirectoryStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshSqlite } from "./support.js"

// #region conformance
DirectoryStoreSuite.run(
  "sql (sqlite)",
  Layer.effect(DirectoryStore.DirectoryStore, Effect.flatMap(freshSqlite, SqlDirectoryStore.make))
)
// #endregion
