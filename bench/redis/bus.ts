// bench/redis `bus` figure (issue 19): events per second through the event bus, published from a
// store's ordered feed (`RedisEventPublisher.publishOnce`, one Lua script per batch with the
// checkpoint) and consumed in a consumer group with an acknowledgement per event
// (`RedisEventBus.subscribe`, events decoded back to core's `TicketEvent`), against raw ioredis
// on the same Redis and the same entries: pipelined XADD of the same fields, then XREADGROUP of
// the same batch size and one XACK per batch. Rounds alternate ours / raw on fresh streams; the
// figure is the median. Figure `bus.costRatio`: µs per event through the bus, with the raw µs per
// event as its baseline, so its ratio is the cost ratio (target <= 1.5). `bench/redis/index.ts`
// runs it (`bus({ url, rounds, log })`) and prints the table and figures.
import { Helpdesk, MemoryHelpdesk, TicketEvent, TicketStore } from "@tessera/core"
import { RedisClient, RedisEventBus, RedisEventPublisher } from "@tessera/redis"
import { Effect, Fiber, Layer, ManagedRuntime, Schema } from "effect"
import { Redis } from "ioredis"
import type { Figure, Row } from "../lib/report.js"

/** What a part of bench/redis gives back (`PartResult` of timers.ts): its rows and figures. */
export interface BusResult {
  readonly rows: ReadonlyArray<Row>
  readonly figures: Readonly<Record<string, Figure>>
}

export interface BusOptions {
  /** The Redis to measure on (default `TESSERA_REDIS_URL`). */
  readonly url?: string
  /** Events per round (default 5,000). */
  readonly events?: number
  /** Entries per read and per published batch (default 500). */
  readonly batch?: number
  /** Rounds of each variant (default 5). */
  readonly rounds?: number
  readonly log?: (message: string) => void
}

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Measures the bus against raw streams; see the header. */
export const bus = async (options: BusOptions = {}): Promise<BusResult> => {
  const url = options.url ?? process.env.TESSERA_REDIS_URL
  if (url === undefined || url === "") throw new Error("bench redis bus: TESSERA_REDIS_URL is not set")
  const count = options.events ?? 5_000
  const batch = options.batch ?? 500
  const rounds = options.rounds ?? 5
  const log = options.log ?? ((message: string) => process.stderr.write(`[bench redis bus] ${message}\n`))
  const prefix = `bench:bus:${process.pid}:`

  // The feed: `count` committed events of an in-memory store, written once.
  const desk = ManagedRuntime.make(
    Layer.merge(
      MemoryHelpdesk.layer({ workspaceId: "bench" }, { ids: "sequential" }),
      RedisClient.layer({ url, prefix })
    )
  )
  await desk.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      for (let i = 0; i < count; i++)
        yield* helpdesk.open({
          requester: { email: `customer${i % 50}@example.com` },
          subject: `Order ${i} arrived damaged`,
          text: "The box was crushed and the screen is cracked.",
          channel: "email"
        })
    })
  )
  const feed = await desk.runPromise(Effect.flatMap(TicketStore.TicketStore, (store) => store.readAll(0, count)))
  if (feed.length !== count) throw new Error(`bench redis bus: the feed holds ${feed.length} events, not ${count}`)
  log(`${count} events in the feed`)
  const encode = Schema.encodeSync(TicketEvent.TicketEventJson)
  const entries = feed.map((e) => [
    "t",
    e.ticketId,
    "w",
    e.workspaceId ?? "",
    "v",
    String(e.version),
    "e",
    encode(e.event)
  ])

  const raw = new Redis(url)
  raw.on("error", () => {})

  const publishMs: Array<number> = []
  const ours = async (round: number): Promise<number> => {
    const stream = `round${round}`
    const seen = { n: 0 }
    const started = performance.now()
    await desk.runPromise(
      Effect.gen(function* () {
        for (;;) {
          const published = yield* RedisEventPublisher.publishOnce({ stream, batchSize: batch })
          if (published.checkpoint >= (feed.at(-1)?.position ?? 0)) break
        }
        if (round >= 0) publishMs.push(performance.now() - started)
        const fiber = yield* Effect.forkChild(
          RedisEventBus.subscribe({ stream, group: "bench", consumer: "c1", batchSize: batch, block: 50 }, () =>
            Effect.sync(() => {
              seen.n++
            })
          )
        )
        while (seen.n < count) yield* Effect.sleep(1)
        yield* Fiber.interrupt(fiber)
      })
    )
    return performance.now() - started
  }

  // The comparable baseline also does the work typed events need whatever carries them: each
  // event encoded to JSON on the way in, parsed and decoded by core's schema on the way out.
  const decodeTyped = Schema.decodeUnknownSync(TicketEvent.TicketEvent)
  const baseline = async (round: number, typed = false): Promise<number> => {
    const key = `${prefix}raw${typed ? "t" : ""}${round}`
    const started = performance.now()
    for (let i = 0; i < entries.length; i += batch) {
      const pipeline = raw.pipeline()
      if (typed) {
        for (const e of feed.slice(i, i + batch))
          pipeline.xadd(
            key,
            "*",
            "t",
            e.ticketId,
            "w",
            e.workspaceId ?? "",
            "v",
            String(e.version),
            "e",
            JSON.stringify(e.event)
          )
      } else {
        for (const fields of entries.slice(i, i + batch)) pipeline.xadd(key, "*", ...fields)
      }
      await pipeline.exec()
    }
    await raw.xgroup("CREATE", key, "bench", "0")
    let got = 0
    while (got < count) {
      const reply = (await raw.call(
        "XREADGROUP",
        "GROUP",
        "bench",
        "c1",
        "COUNT",
        batch,
        "STREAMS",
        key,
        ">"
      )) as unknown
      const list = (
        Array.isArray(reply) && typeof reply[0] === "string"
          ? reply[1]
          : (reply as Array<[string, Array<[string, unknown]>]>)?.[0]?.[1]
      ) as Array<[string, unknown]> | undefined
      if (list === undefined || list.length === 0) continue
      if (typed) {
        for (const [, fields] of list) {
          const values = fields as ReadonlyArray<string>
          decodeTyped(JSON.parse(values[values.indexOf("e") + 1] as string))
        }
      }
      await raw.xack(key, "bench", ...list.map(([id]) => id))
      got += list.length
    }
    return performance.now() - started
  }

  try {
    // Warm-up of both paths (scripts loaded, code compiled).
    await ours(-1)
    await baseline(-1)
    await baseline(-2, true)
    const oursMs: Array<number> = []
    const rawMs: Array<number> = []
    const typedMs: Array<number> = []
    for (let r = 0; r < rounds; r++) {
      oursMs.push(await ours(r))
      rawMs.push(await baseline(r))
      typedMs.push(await baseline(r, true))
      log(
        `round ${r + 1}: bus ${oursMs.at(-1)?.toFixed(1)} ms (publish ${publishMs.at(-1)?.toFixed(1)}), raw ${rawMs.at(-1)?.toFixed(1)} ms, raw typed ${typedMs.at(-1)?.toFixed(1)} ms`
      )
    }
    const oursUs = (median(oursMs) * 1000) / count
    const rawUs = (median(rawMs) * 1000) / count
    const typedUs = (median(typedMs) * 1000) / count
    const rows: Array<Row> = [
      {
        part: "bus",
        path: "RedisEventPublisher.publishOnce + RedisEventBus.subscribe (decode, ack)",
        "total µs/event": oursUs,
        "events/s": Math.round(1e6 / oursUs)
      },
      {
        part: "bus",
        path: "raw pipelined XADD + XREADGROUP + XACK per batch",
        "total µs/event": rawUs,
        "events/s": Math.round(1e6 / rawUs),
        "bus / this": oursUs / rawUs
      },
      {
        part: "bus",
        path: "raw, comparable: the same + JSON.stringify in, JSON.parse + schema decode out",
        "total µs/event": typedUs,
        "events/s": Math.round(1e6 / typedUs),
        "bus / this": oursUs / typedUs
      }
    ]
    return {
      rows,
      figures: {
        costRatio: {
          value: oursUs,
          unit: "µs per event published and consumed",
          baseline: `raw ioredis: pipelined XADD, then XREADGROUP + one XACK per batch of ${batch}, same ${count} entries`,
          baselineValue: rawUs
        },
        costRatioComparable: {
          value: oursUs,
          unit: "µs per event published and consumed",
          baseline: `raw ioredis as for costRatio, plus JSON.stringify of each event in and JSON.parse + Schema decode of TicketEvent out`,
          baselineValue: typedUs
        }
      }
    }
  } finally {
    let cursor = "0"
    do {
      const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500)
      cursor = next
      if (keys.length > 0) await raw.del(...keys)
    } while (cursor !== "0")
    raw.disconnect()
    await desk.dispose()
  }
}

// Run alone (`node --import tsx --conditions=@tessera/source bench/redis/bus.ts`): print the figure.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await bus()
  process.stdout.write(`${JSON.stringify({ bench: "redis", figures: { bus: result.figures } })}\n`)
}
