/**
 * The email example end to end: its `start` command sends Jane's mail over SMTP on loopback to
 * the listener, which takes it into the help desk on SQLite; her reply to the acknowledgement
 * lands on the same ticket, with the quoted acknowledgement left out of the conversation.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const exampleDir = fileURLToPath(new URL("..", import.meta.url))

it("a message sent over SMTP becomes Jane's ticket, and her reply to the acknowledgement lands on it", () => {
  // The same command as the package's `start` script.
  const output = execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
    cwd: exampleDir,
    encoding: "utf8"
  })
  expect(output.trimEnd().split("\n")).toEqual([
    "jane.sharpe@example.com: Opened #69369",
    'acknowledgement to jane.sharpe@example.com: "[#69369] Printer on fire", reply to support+<token>@acme.test',
    "jane.sharpe@example.com: Replied #69369",
    '#69369 "Printer on fire" (new), requester jane.sharpe@example.com',
    "  public: The printer on the third floor is on fire.",
    "  public: It is out now, but the room smells of smoke."
  ])
}, 120_000)
