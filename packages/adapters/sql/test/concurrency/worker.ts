/**
 * A worker process of the concurrency test: a `Helpdesk` over the SQL store, and `fibers`
 * concurrent loops that, until `duration` runs out, send commands carrying unique values to
 * random tickets among those listed in `tickets` (a JSON array of ticket ids).
 *
 * It records every command the help desk accepted (with its value) and every refusal (with its
 * error), and prints one JSON line (`protocol.ts`) on stdout at the end. With `--handshake` it
 * first prints a `ready` line and waits for `go` on stdin, so that all workers start together.
 *
 *   node --import <abs path to tsx> --conditions=@tessera/source worker.ts \
 *     --url sqlite:/tmp/x.db --workspace ws_load --tickets ids.json --duration 20000 \
 *     --connections 8 --fibers 8 --index 1 [--handshake]
 */
import { readFileSync } from "node:fs"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import {
  Actor,
  Directory,
  DirectoryStore,
  Helpdesk,
  IdGenerator,
  MemoryDirectoryStore,
  TicketStore
} from "@tessera/core"
import { Cause, Clock, Context, Effect, Exit, Layer, Schema } from "effect"
import { layerUrl } from "../../src/SqlStore.js"
import {
  type Accepted,
  encodeWorkerMessage,
  helpdeskConfig,
  loadAgent,
  type Op,
  type Refused,
  type WorkerMessage
} from "./protocol.js"

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    workspace: { type: "string" },
    tickets: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string" },
    fibers: { type: "string" },
    index: { type: "string" },
    handshake: { type: "boolean", default: false }
  },
  strict: true
})

const required = (name: string, value: string | undefined): string => {
  if (value === undefined || value === "") throw new Error(`worker: --${name} is required`)
  return value
}
const int = (name: string, value: string | undefined, fallback?: number): number => {
  const n = value === undefined && fallback !== undefined ? fallback : Number(required(name, value))
  if (!Number.isInteger(n) || n < 0) throw new Error(`worker: --${name} must be a non-negative integer`)
  return n
}

const url = required("url", args.url)
const workspace = required("workspace", args.workspace)
const ticketIds = Schema.decodeUnknownSync(Schema.fromJsonString(Schema.Array(Schema.String)))(
  readFileSync(required("tickets", args.tickets), "utf8")
)
const durationMs = int("duration", args.duration)
const connections = Math.max(1, int("connections", args.connections))
const fibers = Math.max(1, int("fibers", args.fibers, connections))
const index = int("index", args.index)

const print = (message: WorkerMessage): Promise<void> =>
  new Promise((resolve) => process.stdout.write(`${encodeWorkerMessage(message)}\n`, () => resolve()))

const waitForGo = (): Promise<void> =>
  new Promise((resolve, reject) => {
    let started = false
    const lines = createInterface({ input: process.stdin })
    lines.on("line", (line) => {
      if (line.trim() !== "go") return
      started = true
      resolve()
      lines.close()
      process.stdin.destroy()
    })
    lines.on("close", () => {
      if (!started) reject(new Error("worker: stdin closed before go"))
    })
  })

/** Ids unique to this process: `<kind>_w<index>_<n>`. */
const idsLayer = Layer.sync(IdGenerator.IdGenerator, () => {
  let n = 0
  return IdGenerator.IdGenerator.of({ next: (kind) => Effect.sync(() => `${kind}_w${index}_${++n}`) })
})

/** Conflicts seen by the command running in the current fiber (provided per command). */
const CommandConflicts = Context.Reference<{ count: number }>("@tessera/sql/test/CommandConflicts", {
  defaultValue: () => ({ count: 0 })
})

interface Counters {
  maxAppendMs: number
  appends: number
  conflicts: number
  appendErrors: number
}

/** The SQL store's `TicketStore`, counting how its appends end. */
const counting = (inner: TicketStore.TicketStore["Service"], counters: Counters): TicketStore.TicketStore["Service"] =>
  TicketStore.TicketStore.of({
    ...inner,
    append: (ticketId, expectedVersion, events, effects) =>
      Effect.gen(function* () {
        counters.appends++
        const before = yield* Clock.currentTimeMillis
        const exit = yield* Effect.exit(inner.append(ticketId, expectedVersion, events, effects))
        counters.maxAppendMs = Math.max(counters.maxAppendMs, (yield* Clock.currentTimeMillis) - before)
        if (Exit.isFailure(exit)) {
          const error = Cause.squash(exit.cause)
          if (tagOf(error) === "VersionConflict") {
            counters.conflicts++
            ;(yield* CommandConflicts).count++
          } else {
            counters.appendErrors++
          }
        }
        return yield* exit
      })
  })

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : "Defect"

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0)

const ops: ReadonlyArray<Op> = ["field", "note", "tag", "reply"]

/** Sends one command; the help desk's answer is all that counts. */
const send = (helpdesk: Helpdesk.Service, op: Op, ticket: string, value: string) => {
  const by = Actor.agent(loadAgent(workspace).id)
  switch (op) {
    case "field":
      return helpdesk.setCustomField({ ticket, by, key: "marker", value })
    case "note":
      return helpdesk.note({ ticket, by, text: value })
    case "tag":
      return helpdesk.tag({ ticket, by, add: [value] })
    case "reply":
      return helpdesk.reply({ ticket, by, text: value })
  }
}

const program = Effect.gen(function* () {
  const counters: Counters = { maxAppendMs: 0, appends: 0, conflicts: 0, appendErrors: 0 }
  const store = counting(yield* TicketStore.TicketStore, counters)
  const directory = yield* MemoryDirectoryStore.make
  yield* directory.saveAgent(Schema.decodeUnknownSync(Directory.Agent)(loadAgent(workspace)))
  const helpdesk = yield* Helpdesk.make(helpdeskConfig(workspace)).pipe(
    Effect.provideService(TicketStore.TicketStore, store),
    Effect.provideService(DirectoryStore.DirectoryStore, directory)
  )

  if (args.handshake) {
    yield* Effect.promise(() => print({ type: "ready", index, pid: process.pid }))
    yield* Effect.promise(waitForGo)
  }

  const accepted: Array<Accepted> = []
  const refused: Array<Refused> = []
  const latencies: Array<number> = []
  let sent = 0
  let maxConflictsPerCommand = 0
  const cpuAtStart = process.cpuUsage()
  const started = yield* Clock.currentTimeMillis
  const deadline = started + durationMs

  const loop = (fiber: number) =>
    Effect.gen(function* () {
      for (let n = 1; (yield* Clock.currentTimeMillis) < deadline; n++) {
        const op = ops[Math.floor(Math.random() * ops.length)] ?? "note"
        const ticket = ticketIds[Math.floor(Math.random() * ticketIds.length)] ?? ""
        const value = `p${index}-f${fiber}-${n}`
        const conflicts = { count: 0 }
        const before = yield* Clock.currentTimeMillis
        sent++
        const exit = yield* Effect.exit(
          send(helpdesk, op, ticket, value).pipe(Effect.provideService(CommandConflicts, conflicts))
        )
        if (Exit.isSuccess(exit)) {
          accepted.push([op, ticket, value])
          latencies.push((yield* Clock.currentTimeMillis) - before)
          maxConflictsPerCommand = Math.max(maxConflictsPerCommand, conflicts.count)
        } else {
          const error = Cause.squash(exit.cause)
          refused.push({ op, ticket, value, error: tagOf(error), message: messageOf(error) })
        }
      }
    })

  yield* Effect.forEach(
    Array.from({ length: fibers }, (_, i) => i + 1),
    loop,
    { concurrency: "unbounded", discard: true }
  )
  const elapsedMs = (yield* Clock.currentTimeMillis) - started
  const cpu = process.cpuUsage(cpuAtStart)
  latencies.sort((a, b) => a - b)
  yield* Effect.promise(() =>
    print({
      type: "result",
      index,
      pid: process.pid,
      fibers,
      connections,
      elapsedMs,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      sent,
      accepted,
      refused,
      appends: counters.appends,
      conflicts: counters.conflicts,
      appendErrors: counters.appendErrors,
      maxAppendMs: counters.maxAppendMs,
      latencyMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? 0
      },
      maxConflictsPerCommand
    })
  )
})

Effect.runPromise(
  program.pipe(Effect.provide(Layer.mergeAll(layerUrl({ url, connections, migrate: false }), idsLayer)))
).then(
  () => {
    process.exitCode = 0
  },
  (error: unknown) => {
    process.stderr.write(
      `worker ${index} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    process.exit(1)
  }
)
