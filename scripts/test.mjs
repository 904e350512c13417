// `pnpm test`: runs the phases of the full check in order and says how long each took, so that a
// CI log shows where its time went. The type check and the API docs each keep one core busy and
// read only the sources, so they run side by side; their output is held and printed whole, one
// after the other, so a failure reads as if they had run alone. The main vitest run comes last:
// tools read the log's last line, which is its summary ("N passed, N failed, N skipped").
import { spawn } from "node:child_process"

/** A phase: a name for the log, and the `pnpm` arguments that run it. */
const phase = (name, args, env = {}) => ({ name, args, env })

const steps = [
  [phase("lint", ["run", "lint"])],
  [phase("build", ["run", "build"])],
  [phase("typecheck", ["run", "typecheck"]), phase("docs:api", ["run", "docs:api"])],
  [phase("test:tz", ["run", "test:tz"])],
  [phase("vitest", ["exec", "vitest", "run"], { TZ: "UTC" })]
]

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

/** Runs a phase; with `hold`, keeps its output and hands it back instead of printing it. */
const run = ({ args, env }, hold) =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn("pnpm", args, {
      env: { ...process.env, ...env },
      stdio: hold ? ["ignore", "pipe", "pipe"] : "inherit"
    })
    const output = []
    if (hold) {
      child.stdout.on("data", (chunk) => output.push(chunk))
      child.stderr.on("data", (chunk) => output.push(chunk))
    }
    child.on("error", (error) => {
      output.push(Buffer.from(`${error.message}\n`))
      resolve({ code: 1, output, ms: performance.now() - started })
    })
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 1 : 0), output, ms: performance.now() - started })
    )
  })

const timings = []
const report = () => process.stdout.write(`\n[test] phases: ${timings.join(", ")}\n\n`)

for (const group of steps) {
  const last = group === steps.at(-1)
  // The vitest run is the last phase: its time is vitest's own "Duration" line, and the table
  // goes before it so that its summary stays the last line of the log.
  if (last) report()
  const results = await Promise.all(group.map((p) => run(p, group.length > 1)))
  for (const [i, p] of group.entries()) {
    const result = results[i]
    if (group.length > 1) process.stdout.write(`\n> pnpm ${p.args.join(" ")}\n${Buffer.concat(result.output)}`)
    timings.push(`${p.name} ${seconds(result.ms)}`)
  }
  const failed = group.find((_, i) => results[i].code !== 0)
  if (failed === undefined) continue
  // After the vitest run nothing more is printed: its summary stays the last line.
  if (!last) {
    report()
    process.stdout.write(`[test] ${failed.name} failed\n`)
  }
  process.exit(results[group.indexOf(failed)].code)
}
