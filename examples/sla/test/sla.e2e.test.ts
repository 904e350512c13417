/**
 * Runs the `start` command itself (tsx, the source condition, the "run when executed" guard),
 * in two machine time zones: the output reads no real time and no local zone.
 */
import { expect, it } from "vitest"
import { start as run } from "../../../test/support/examples.js"

const start = (timeZone: string): string => run(import.meta.url, { ...process.env, TZ: timeZone })

it("the start script prints the same SLA table whatever the machine's time zone", () => {
  const utc = start("UTC")
  expect(utc).toContain("Why did resolution #1 breach on Thu 19 Nov 11:30?")
  expect(start("Pacific/Chatham")).toBe(utc)
})
