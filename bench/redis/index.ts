// bench/redis: Tessera across nodes on Redis (issue #19), each part against raw ioredis commands
// of the same volume on the same server, in the same run.
//
// timers (timers.ts): timers scheduled and claimed per second through RedisTimers against raw
//   ZADD / ZPOPMIN; figure `timers.costRatio` (µs per timer through the adapter / raw). Target <= 1.5.
// bus (bus.ts, when present): events per second through the event bus against raw XADD /
//   XREADGROUP; figure `bus.costRatio`. The part is loaded only if its file exists, so each part
//   can land on its own.
//
// Redis is TESSERA_REDIS_URL (required). Keys go under `tessera-bench:<pid>:` and are removed.
// Usage: pnpm bench redis [--timers N] [--batch N] [--rounds N]
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { type FigureGroup, figures, type Row, table } from "../lib/report.js"
import { type PartResult, timers } from "./timers.js"

const { values } = parseArgs({
  options: {
    timers: { type: "string", default: "20000" },
    batch: { type: "string", default: "100" },
    rounds: { type: "string", default: "5" }
  }
})
const count = Number(values.timers)
const batch = Number(values.batch)
const rounds = Number(values.rounds)
if (!Number.isInteger(count) || count < 1_000) throw new Error("--timers must be an integer >= 1000")
if (!Number.isInteger(batch) || batch < 1) throw new Error("--batch must be a positive integer")
if (!Number.isInteger(rounds) || rounds < 3) throw new Error("--rounds must be an integer >= 3")
const url = process.env.TESSERA_REDIS_URL
if (url === undefined || url === "") {
  process.stderr.write("bench redis: set TESSERA_REDIS_URL (redis://127.0.0.1:PORT)\n")
  process.exit(1)
}
const log = (message: string) => process.stderr.write(`[bench redis] ${message}\n`)
const here = dirname(fileURLToPath(import.meta.url))

const parts: Array<[string, PartResult]> = [["timers", await timers({ url, timers: count, batch, rounds, log })]]

if (existsSync(join(here, "bus.ts"))) {
  // A variable specifier: the part may not exist in this checkout, and tsc must not require it.
  const specifier = "./bus.js"
  const mod = (await import(specifier)) as Record<string, unknown>
  const run = (mod.bus ?? mod.run ?? mod.default) as
    | ((options: { url: string; rounds: number; log: (m: string) => void }) => Promise<PartResult>)
    | undefined
  if (typeof run !== "function") throw new Error("bench/redis/bus.ts exports no `bus` function")
  parts.push(["bus", await run({ url, rounds, log })])
}

const rows: Array<Row> = parts.flatMap(([, part]) => part.rows)
table(rows)
figures("redis", Object.fromEntries(parts.map(([name, part]): [string, FigureGroup] => [name, part.figures])))
