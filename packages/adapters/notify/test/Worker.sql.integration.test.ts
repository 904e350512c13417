/**
 * Several workers drain one SQL outbox at once (each with its own connections, as separate
 * processes would): every delivery goes out, none twice, and each notification is recorded once
 * on its ticket, whether each outcome is recorded on its own or a batch's at once (`recordAll`,
 * what the Notifier does). SQLite (a file), PostgreSQL and MariaDB/MySQL.
 */
import { Helpdesk, Outbox, type TicketEvent } from "@tessera/core"
import { Context, DateTime, Effect, Layer, type Scope } from "effect"
import { describe, expect, it } from "vitest"
import * as Worker from "../src/Worker.js"
import { freshMysqlUrl, freshPostgresUrl, freshSqliteUrl, helpdeskOn } from "./sql.js"
import { prepareOver, scriptedSender } from "./support.js"

const databases: ReadonlyArray<readonly [string, Effect.Effect<string, never, Scope.Scope>]> = [
  ["sqlite", freshSqliteUrl],
  ["postgres", freshPostgresUrl],
  ["mysql", freshMysqlUrl]
]

const far = DateTime.makeUnsafe(Date.parse("2100-01-01T00:00:00Z"))
const tickets = 40
const workers = 4

const recording = ["one by one", "a batch at once"] as const

for (const [name, freshUrl] of databases) {
  describe.each(recording)(`workers at once on one ${name} outbox, recording %s`, (mode) => {
    it(
      "send every delivery once and record every notification once",
      () =>
        Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const url = yield* freshUrl
              const desk = yield* Layer.build(helpdeskOn(url))
              const service = Context.get(desk, Helpdesk.Helpdesk)
              const ids = yield* Effect.forEach(
                Array.from({ length: tickets }, (_, i) => i),
                (i) =>
                  Effect.map(
                    service.open({
                      requester: { email: `customer${i}@example.com` },
                      subject: `Question ${i}`,
                      text: "Hello",
                      channel: "email"
                    }),
                    (t) => t.id
                  )
              )
              const mail = scriptedSender("email")
              // Each worker on its own store (its own connections), sending through one receiver.
              // Every store is opened before any worker starts: opening one costs more than
              // draining the whole outbox, so a worker that started first would take it all.
              const stores = yield* Effect.forEach(
                Array.from({ length: workers }, (_, i) => i),
                () => Layer.build(helpdeskOn(url, { acknowledging: false })),
                { concurrency: "unbounded" }
              )
              let claimedByAll = 0
              const drainers = stores.map((own) =>
                Effect.gen(function* () {
                  const worker = yield* Effect.provide(
                    Worker.make({
                      senders: [
                        {
                          channel: "email",
                          // A little time per delivery, so that the workers' batches overlap.
                          send: (delivery) => Effect.andThen(Effect.sleep("2 millis"), mail.sender.send(delivery))
                        }
                      ],
                      prepare: prepareOver("email"),
                      ...(mode === "one by one"
                        ? { record: Worker.recordOn(Context.get(own, Helpdesk.Helpdesk)) }
                        : { recordAll: Worker.recordAllOn(Context.get(own, Helpdesk.Helpdesk)) }),
                      options: { batchSize: 5, concurrency: 2 }
                    }),
                    own
                  )
                  // Until every message has been claimed by someone: an empty claim is not the end,
                  // since MariaDB's claim may skip rows another claim's transaction holds locked.
                  let claimed = 0
                  for (let round = 0; round < 2_000 && claimedByAll < tickets; round++) {
                    const report = yield* worker.drainOnce
                    claimed += report.claimed
                    claimedByAll += report.claimed
                    if (report.claimed === 0) yield* Effect.sleep("5 millis")
                  }
                  return claimed
                })
              )
              const claims = yield* Effect.all(drainers, { concurrency: "unbounded" })
              const counts = new Map<string, number>()
              for (const key of mail.accepted) counts.set(key, (counts.get(key) ?? 0) + 1)
              const twice = [...counts.values()].filter((n) => n > 1).length
              console.log(
                `${name}, recording ${mode}: ${workers} workers claimed ${claims.join(" + ")} messages; ${mail.accepted.length} deliveries, ${counts.size} keys, ${twice} sent twice`
              )
              expect(claims.filter((n) => n > 0).length, "the work was shared").toBeGreaterThan(1)
              expect(counts.size).toBe(tickets * 2)
              expect(twice, "nothing sent twice").toBe(0)
              const outbox = Context.get(desk, Outbox.Outbox)
              expect(yield* outbox.claim("notification", far, 100, 1), "nothing left").toEqual([])
              const recorded = yield* Effect.forEach(ids, (id) =>
                Effect.map(
                  service.asSystem("test").history(id),
                  (history: ReadonlyArray<TicketEvent.TicketEvent>) =>
                    history.filter((e) => e._tag === "NotificationDelivered").length
                )
              )
              expect(new Set(recorded)).toEqual(new Set([1]))
            })
          )
        ),
      60_000
    )
  })
}
