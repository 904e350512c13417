/**
 * A writer process of the feed-order test: `fibers` concurrent loops appending notes to the
 * tickets listed in `--tickets` straight through the SQL store, alone or in pairs (`appendAll`),
 * a pair now and then refused by the tag limit after its first entry is written, so that its
 * transaction rolls back. Rounds are driven by the parent: `go <round> <ms>` on stdin starts one,
 * and the writer prints what committed in it (`protocol.ts`); `exit` ends the process.
 *
 *   node --import <abs path to tsx> --conditions=@tessera/source writer.ts \
 *     --url postgres://... --tickets a,b,c --connections 4 --fibers 4 --index 1
 */
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { type Ids, TicketStore } from "@tessera/core"
import { Clock, Effect, Exit } from "effect"
import { layerUrl } from "../../src/SqlStore.js"
import { encodeWriterMessage, note, tagBomb, type WriterMessage, type WriterRound } from "./protocol.js"

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    tickets: { type: "string" },
    connections: { type: "string" },
    fibers: { type: "string" },
    index: { type: "string" }
  },
  strict: true
})

const url = args.url ?? ""
const tickets = (args.tickets ?? "").split(",").filter((t) => t !== "") as Array<Ids.TicketId>
const connections = Number(args.connections ?? 1)
const fibers = Number(args.fibers ?? 1)
const index = Number(args.index ?? 0)
if (url === "" || tickets.length < 2) throw new Error("writer: --url and at least two --tickets are required")

const print = (message: WriterMessage): Promise<void> =>
  new Promise((resolve) => process.stdout.write(`${encodeWriterMessage(message)}\n`, () => resolve()))

/** The parent's commands, one line each. */
const commands = createInterface({ input: process.stdin })[Symbol.asyncIterator]()

const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(Math.random() * xs.length)] as A

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Defect"

const program = Effect.gen(function* () {
  const store = yield* TicketStore.TicketStore
  yield* Effect.promise(() => print({ type: "ready", index }))
  let attempts = 0
  for (;;) {
    const line = yield* Effect.promise(() => commands.next())
    if (line.done === true || line.value.trim() === "exit") return
    const [, roundText, durationText] = line.value.trim().split(" ")
    const round = Number(roundText)
    const deadline = (yield* Clock.currentTimeMillis) + Number(durationText)
    const result: { -readonly [K in keyof WriterRound]: WriterRound[K] } & {
      committed: Array<readonly [string, number]>
      errors: Array<string>
    } = { type: "round", index, round, committed: [], appends: 0, conflicts: 0, rolledBack: 0, errors: [] }

    const attempt = Effect.gen(function* () {
      const first = pick(tickets)
      const pair = Math.random() < 0.4 ? [first, pick(tickets.filter((t) => t !== first))] : [first]
      // The store writes a batch in ticket id order: the limit breaks on the last entry written,
      // after the others' rows went in, so the whole transaction rolls back.
      const bomb = pair.length === 2 && Math.random() < 0.3
      const last = [...pair].sort().at(-1)
      const requests: Array<TicketStore.AppendRequest> = []
      for (const ticketId of pair) {
        const { version } = yield* store.load(ticketId)
        const text = `w${index}a${++attempts}`
        const events = bomb && ticketId === last ? [note(ticketId, text), tagBomb(ticketId)] : [note(ticketId, text)]
        requests.push({ ticketId, expectedVersion: version, events })
      }
      result.appends++
      const exit = yield* Effect.exit(
        requests.length === 1
          ? Effect.map(store.append(first, requests[0]?.expectedVersion ?? 0, requests[0]?.events ?? []), (v) => [v])
          : store.appendAll(requests)
      )
      if (Exit.isSuccess(exit)) {
        if (bomb) result.errors.push("a batch beyond the tag limit went through")
        for (const r of requests) {
          r.events.forEach((_, k) => {
            result.committed.push([r.ticketId, r.expectedVersion + k + 1])
          })
        }
        return
      }
      const error = Exit.findErrorOption(exit)
      const tag = error._tag === "Some" ? tagOf(error.value) : "Defect"
      if (tag === "VersionConflict") result.conflicts++
      else if (tag === "LimitExceeded" && bomb) result.rolledBack++
      else result.errors.push(`${tag}: ${String(exit.cause).slice(0, 300)}`)
    })

    yield* Effect.forEach(
      Array.from({ length: fibers }, (_, i) => i),
      () =>
        Effect.gen(function* () {
          while ((yield* Clock.currentTimeMillis) < deadline) yield* attempt
        }),
      { concurrency: "unbounded", discard: true }
    )
    yield* Effect.promise(() => print(result))
  }
})

Effect.runPromise(program.pipe(Effect.provide(layerUrl({ url, connections, migrate: false })))).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `writer ${index} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    process.exit(1)
  }
)
