/**
 * The SQL directory on PostgreSQL (a fresh schema per store on the server of `TESSERA_PG_URL`)
 * against the conformance suite of the `DirectoryStore` port. Without a server it fails.
 */
import { DirectoryStore } from "@tessera/core"
import { DirectoryStoreSuite } from "@tessera/core/testing"
import { SqlDirectoryStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshPostgres, pgUrl } from "./support.js"

pgUrl()

DirectoryStoreSuite.run(
  "sql (postgres)",
  Layer.effect(DirectoryStore.DirectoryStore, Effect.flatMap(freshPostgres, SqlDirectoryStore.make))
)
