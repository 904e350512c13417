/**
 * The notifications example end to end: its `start` command delivers Jane's acknowledgement,
 * Mary's reply, the "still on it" update and the survey to an SMTP sink on loopback, each once,
 * threaded on Jane's first mail, and records each on the ticket.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const exampleDir = fileURLToPath(new URL("..", import.meta.url))

it("Jane's ticket produces an acknowledgement, a reply, a still-on-it update and a survey, each once", () => {
  // The same command as the package's `start` script.
  const output = execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
    cwd: exampleDir,
    encoding: "utf8"
  })
  const lines = output.trimEnd().split("\n")
  console.log(output)
  expect(lines.filter((l) => l.startsWith("-- ") || l.startsWith("Subject:") || l.startsWith("To:"))).toEqual([
    "-- acknowledgement: 1 delivered",
    "Subject: [#69369] Printer on fire",
    'To: "Jane Sharpe" <jane.sharpe@example.com>',
    "-- Mary's reply: 1 delivered",
    "Subject: Re: [#69369] Printer on fire",
    'To: "Jane Sharpe" <jane.sharpe@example.com>',
    "-- still on it: 1 delivered",
    "Subject: [#69369] We are still on it: Printer on fire",
    'To: "Jane Sharpe" <jane.sharpe@example.com>',
    "-- survey: 1 delivered",
    "Subject: [#69369] How did we do?",
    'To: "Jane Sharpe" <jane.sharpe@example.com>'
  ])
  expect(
    lines.filter((l) => l.startsWith("References:")).every((l) => l.startsWith("References: <jane-1@example.com>"))
  ).toBe(true)
  expect(lines).toContain("In-Reply-To: <jane-1@example.com>")
  expect(lines).toContain("In-Reply-To: <jane-2@example.com>")
  expect(lines.some((l) => /^ {2}\| https:\/\/help\.acme\.test\/survey\?token=s1\./.test(l))).toBe(true)
  expect(lines.at(-1)).toBe("#69369: 4 notifications recorded delivered")
}, 120_000)
