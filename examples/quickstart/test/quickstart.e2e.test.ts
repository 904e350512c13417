/**
 * `pnpm start` at the root runs this example: check the program itself (tsx, the source
 * condition, the "run when executed" guard), not only its `main` function.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const exampleDir = fileURLToPath(new URL("..", import.meta.url))

it("the start script prints the timeline of ticket 69369", () => {
  // The same command as the package's `start` script.
  const stdout = execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
    cwd: exampleDir,
    encoding: "utf8"
  })
  const lines = stdout.trimEnd().split("\n")
  expect(lines[0]).toBe('Ticket 69369: "Over-charged for my subscription" (closed; times in UTC)')
  expect(lines).toHaveLength(10)
  expect(lines.at(-1)).toBe("2025-05-05 13:10  system       status solved → closed")
})
