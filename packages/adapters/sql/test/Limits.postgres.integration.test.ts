import { LimitsSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { freshSchema, pgUrl, withSearchPath } from "./support.js"

// Read now: without a server this file fails at once instead of skipping.
const url = pgUrl()

/** A store on a schema of its own per case (so cases never see each other), dropped at release (#12). */
const postgresSchema = (options: LimitsSuite.StoreOptions) =>
  Layer.unwrap(
    Effect.map(freshSchema, (schema) =>
      SqlStore.layerUrl({ url: withSearchPath(url, schema), connections: 4, ...options })
    )
  )

LimitsSuite.run("sql (postgres)", postgresSchema)
