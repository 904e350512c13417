import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshSchema, pgUrl, withSearchPath } from "./support.js"

// Read now: without a server this file fails at once instead of skipping.
const url = pgUrl()

/** A store on a schema of its own per build (so runs never see each other), dropped at release. */
const postgresSchema = Layer.unwrap(
  Effect.map(freshSchema, (schema) => SqlStore.layerUrl({ url: withSearchPath(url, schema), connections: 4 }))
)

TicketStoreSuite.run("sql (postgres)", postgresSchema)
