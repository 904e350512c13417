/**
 * Runs the `start` command itself (tsx, the source condition, the "run when executed" guard),
 * in two machine time zones: the output reads no real time and no local zone.
 */
import { expect, it } from "vitest"
import { start as run } from "../../../test/support/examples.js"

const start = (timeZone: string): string => run(import.meta.url, { ...process.env, TZ: timeZone })

it("the start script prints the same report whatever the machine's time zone", () => {
  const utc = start("UTC")
  expect(utc).toContain("Weekly report, Mon 23 Mar to Sun 29 Mar 2026 (acme)")
  expect(utc).toContain("reopened and solved again: 0 more told")
  expect(start("Pacific/Chatham")).toBe(utc)
}, 120_000)
