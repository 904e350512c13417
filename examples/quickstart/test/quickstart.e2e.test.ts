/**
 * `pnpm start` at the root runs this example: check the program itself (tsx, the source
 * condition, the "run when executed" guard), not only its `main` function.
 */
import { expect, it } from "vitest"
import { start as run } from "../../../test/support/examples.js"

it("the start script prints the timeline of ticket 69369", () => {
  const stdout = run(import.meta.url)
  const lines = stdout.trimEnd().split("\n")
  expect(lines[0]).toBe('Ticket 69369: "Over-charged for my subscription" (closed; times in UTC)')
  expect(lines).toHaveLength(10)
  expect(lines.at(-1)).toBe("2025-05-05 13:10  system       status solved → closed")
})
