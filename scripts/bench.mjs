// `pnpm bench NAME [args...]` runs bench/NAME/index.ts (or bench/NAME.ts) through tsx, with the
// workspace packages loaded from source (the `@tessera/source` export condition). Benches are
// never part of `pnpm test`; see bench/README.md for what a bench must print.
import { spawn } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..", "bench")
// Helpers live in bench/lib; they are not benches.
const notBenches = new Set(["lib"])

const available = () => {
  const benches = new Map()
  for (const entry of readdirSync(benchDir, { withFileTypes: true })) {
    if (notBenches.has(entry.name) || entry.name.startsWith(".")) continue
    if (entry.isDirectory()) {
      const file = join(benchDir, entry.name, "index.ts")
      if (existsSync(file)) benches.set(entry.name, file)
    } else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      benches.set(entry.name.slice(0, -".ts".length), join(benchDir, entry.name))
    }
  }
  return benches
}

const [name, ...args] = process.argv.slice(2)
const benches = available()
const file = name === undefined ? undefined : benches.get(name)

if (file === undefined) {
  if (name !== undefined) console.error(`Unknown bench "${name}".`)
  console.error("Usage: pnpm bench NAME [args...]")
  const names = [...benches.keys()].sort()
  console.error(names.length === 0 ? "No benches yet." : `Available benches:\n${names.map((n) => `  ${n}`).join("\n")}`)
  process.exit(2)
}

// Resolve tsx's loader to an absolute URL so the bench does not depend on the cwd.
const tsx = import.meta.resolve("tsx")
const child = spawn(process.execPath, ["--import", tsx, "--conditions=@tessera/source", file, ...args], {
  stdio: "inherit"
})
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
child.on("exit", (code, signal) => {
  if (signal === null) process.exit(code ?? 1)
  // Die of the same signal as the bench, so callers see how it ended.
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
})
