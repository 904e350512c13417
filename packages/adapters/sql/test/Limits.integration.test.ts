/**
 * The SQL store, opened by `SqlStore.layerUrl`, against the conformance suite of `Limits` on each
 * database of `databases`: each limit accepted exactly and refused one beyond it with the
 * reference's error. One database per kind serves the whole file, every case writing to
 * workspaces of its own.
 */
import { LimitsSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { databases, oncePerFile } from "./support.js"

for (const database of databases) {
  const url = oncePerFile(database.freshUrl)
  LimitsSuite.run(`sql (${database.name})`, (options) =>
    Layer.unwrap(Effect.map(url, (url) => SqlStore.layerUrl({ url, connections: 4, ...options })))
  )
}
