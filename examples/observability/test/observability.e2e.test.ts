/**
 * Runs the `start` command itself (tsx, the source condition, the "run when executed" guard)
 * without a collector configured: the spans and the log record go to the console.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const exampleDir = fileURLToPath(new URL("..", import.meta.url))

it("the start script prints the help desk's spans and the log record on the console", () => {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _collector, ...env } = process.env
  // The same command as the package's `start` script.
  const output = execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
    cwd: exampleDir,
    encoding: "utf8",
    env
  })
  expect(output.match(/name: 'Helpdesk\.open'/g)).toHaveLength(2)
  expect(output).toContain("'tessera.workspace': 'acme'")
  expect(output).toContain("body: 'ticket 1 opened'")
})
