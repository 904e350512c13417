/**
 * Runs the `start` command itself (tsx, the source condition, the "run when executed" guard)
 * without a collector configured: the spans and the log record go to the console.
 */
import { expect, it } from "vitest"
import { start as run } from "../../../test/support/examples.js"

it("the start script prints the help desk's spans and the log record on the console", () => {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _collector, ...env } = process.env
  const output = run(import.meta.url, env)
  expect(output.match(/name: 'Helpdesk\.open'/g)).toHaveLength(2)
  expect(output).toContain("'tessera.workspace': 'acme'")
  expect(output).toContain("body: 'ticket 1 opened'")
})
