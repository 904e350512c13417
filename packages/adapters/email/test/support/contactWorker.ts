/**
 * A worker process of the contact race test: a help desk over the SQL store at `--url`, taking in
 * `--count` messages from one new address at once (each a different Message-ID), and creating the
 * contact of one CC address the same way. Waits for `go` on stdin after printing `ready`, so that
 * every worker starts together; prints one JSON line with the contact ids it saw.
 *
 *   node --import <tsx> --conditions=@tessera/source contactWorker.ts --url sqlite:/tmp/x.db --count 6 --index 1
 */
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { Helpdesk, IdGenerator, MemoryIntakeGuard } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import * as Contacts from "../../src/Contacts.js"
import * as Intake from "../../src/Intake.js"
import { intake } from "../../src/Intake.js"
import * as MemoryReviewQueue from "../../src/MemoryReviewQueue.js"
import { keys, mail, own, workspaceId } from "./mail.js"

const { values } = parseArgs({
  options: { url: { type: "string" }, count: { type: "string" }, index: { type: "string" } },
  strict: true
})
const count = Number(values.count)
const index = values.index ?? "0"

const layer = Layer.mergeAll(Intake.layer({ keys, own }), MemoryIntakeGuard.layer, MemoryReviewQueue.layer).pipe(
  Layer.provideMerge(Helpdesk.layer({ workspaceId })),
  Layer.provideMerge(
    Layer.mergeAll(SqlStore.layerUrl({ url: values.url ?? "", migrate: false }), IdGenerator.layerTimeOrdered)
  )
)

const program = Effect.gen(function* () {
  const results = yield* Effect.forEach(
    Array.from({ length: count }, (_, i) =>
      mail("new.customer@example.test", {
        from: { name: "New Customer", address: "new.customer@example.test" },
        threading: { messageId: `race-${index}-${i}@example.test` }
      })
    ),
    intake,
    { concurrency: "unbounded" }
  )
  const requesters = results.map((r) => (r.outcome._tag === "Opened" ? r.outcome.ticket.requester : r.outcome._tag))
  const copied = yield* Effect.forEach(
    Array.from({ length: count }),
    () => Effect.map(Contacts.findOrCreate({ name: "Copied", address: "copied@example.test" }), (c) => c.id),
    { concurrency: "unbounded" }
  )
  return { requesters, copied }
})

process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
const lines = createInterface({ input: process.stdin })
lines.once("line", () => {
  Effect.runPromise(program.pipe(Effect.provide(layer))).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`)
      process.exit(0)
    },
    (error) => {
      process.stderr.write(`${String(error?.stack ?? error)}\n${JSON.stringify(error)}\n`)
      process.exit(1)
    }
  )
})
