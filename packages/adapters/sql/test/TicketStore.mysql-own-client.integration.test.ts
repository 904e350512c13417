/**
 * The conformance suite of the `TicketStore` port on MariaDB/MySQL through a kysely client the
 * user built (`SqlStore.layer({ db, dialect: "mysql" })`): a plain mysql2 pool, so none of the
 * session settings `Connection.open` makes apply (the server's REPEATABLE READ, its SQL mode,
 * a 1 MB `group_concat`). The store must answer the same. Without a server it fails.
 */
import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { Kysely, MysqlDialect } from "kysely"
import mysql from "mysql2"
import type { Database } from "../src/Database.js"
import { freshMysqlDatabase, mysqlUrl, withDatabase } from "./support.js"

// Read now: without a server this file fails at once instead of skipping.
const url = mysqlUrl()

/** The user's client on a database of its own per build, closed (by its owner) and dropped at release. */
const ownClient = Layer.unwrap(
  Effect.map(
    Effect.flatMap(freshMysqlDatabase, (database) =>
      Effect.acquireRelease(
        Effect.sync(
          () =>
            new Kysely<Database>({
              dialect: new MysqlDialect({
                pool: mysql.createPool({ uri: withDatabase(url, database), connectionLimit: 4 })
              })
            })
        ),
        (db) => Effect.promise(() => db.destroy())
      )
    ),
    (db) => SqlStore.layer({ db, dialect: "mysql" })
  )
)

TicketStoreSuite.run("sql (mysql, own client)", ownClient)
