import { LimitsSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshMysqlDatabase, mysqlUrl, withDatabase } from "./support.js"

// Read now: without a server this file fails at once instead of skipping.
const url = mysqlUrl()

/** A store on a database of its own per case (so cases never see each other), dropped at release. */
const mysqlDatabase = (options: LimitsSuite.StoreOptions) =>
  Layer.unwrap(
    Effect.map(freshMysqlDatabase, (database) =>
      SqlStore.layerUrl({ url: withDatabase(url, database), connections: 4, ...options })
    )
  )

LimitsSuite.run("sql (mysql)", mysqlDatabase)
