/**
 * Runs the `start` command itself (tsx, the source condition, the "run when executed" guard),
 * in two machine time zones: the output reads no real time and no local zone.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const exampleDir = fileURLToPath(new URL("..", import.meta.url))

const start = (timeZone: string): string =>
  // The same command as the package's `start` script.
  execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
    cwd: exampleDir,
    encoding: "utf8",
    env: { ...process.env, TZ: timeZone }
  })

it("the start script prints the same SLA table whatever the machine's time zone", () => {
  const utc = start("UTC")
  expect(utc).toContain("Why did resolution #1 breach on Thu 19 Nov 11:30?")
  expect(start("Pacific/Chatham")).toBe(utc)
})
