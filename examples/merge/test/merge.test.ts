/**
 * The merge example's printed story: Jane's chat (#69372) is suggested as a duplicate of her
 * email ticket (#69369) and not of her invoice question (#69370) nor of Tom's VPN ticket
 * (#69371); the merged timeline holds both channels in time order with their origin; a later
 * chat message lands on #69369; the undo gives #69372 back its own message.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { main } from "../src/main.js"

let lines: ReadonlyArray<string> = []
beforeAll(async () => {
  const printed: Array<string> = []
  await main((line) => printed.push(line))
  lines = printed
})

const after = (heading: string, count: number) => {
  const at = lines.findIndex((l) => l.startsWith(heading))
  if (at < 0) throw new Error(`no line starting with ${heading}`)
  return lines.slice(at + 1, at + 1 + count)
}

describe("merge example: Jane's email and chat about the same VPN problem", () => {
  it("suggests only the email ticket, with the requester, the words and the other channel as reasons", () => {
    const block = after('Possible duplicates of #69372 "my vpn keeps disconnecting" (chat):', 6)
    expect(block[0]).toMatch(/^ {2}#69369 {2}score 0\.\d\d$/)
    expect(block.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual([
      "same_requester",
      "similar_subject",
      "similar_text",
      "recent",
      "other_channel"
    ])
    expect(block[5]).toContain("opened by email 2 h before; this one came by chat")
    expect(lines.join("\n")).not.toMatch(/#6937[01] {2}score/)
  })

  it("prints one merged history across both channels, in time order, each message's origin shown", () => {
    expect(lines).toContain("Merged #69372 into #69369 (priority high, tags vpn):")
    expect(after("Merged #69372 into #69369", 4)).toEqual([
      "  Tue 10 Nov 09:12  email  Jane Sharpe  Since yesterday my VPN disconnects every ten minutes when I work from home.",
      "  Tue 10 Nov 09:40  email  Mary         Which VPN client version do you use?",
      "  Tue 10 Nov 11:05  chat   Jane Sharpe  Hi, my VPN keeps disconnecting from home, any news?  (from #69372)",
      "  #69372 is closed, merged into #69369"
    ])
  })

  it("a later chat message to the merged ticket lands on the target, as a chat message", () => {
    expect(after("Jane's next chat message to #69372 landed on #69369:", 1)).toEqual([
      "  Tue 10 Nov 11:20  chat   Jane Sharpe  Version 5.2.1, on Windows 11."
    ])
  })

  it("undo gives the source back its message and status; the target keeps what came since", () => {
    expect(after("Undone: #69372 is new again with its own messages:", 1)).toEqual([
      "  Tue 10 Nov 11:05  chat   Jane Sharpe  Hi, my VPN keeps disconnecting from home, any news?"
    ])
    expect(after("#69369 keeps what came after the merge (priority normal):", 3).at(-1)).toBe(
      "  Tue 10 Nov 11:20  chat   Jane Sharpe  Version 5.2.1, on Windows 11."
    )
  })

  it("the start script prints the same story whatever the machine's time zone", () => {
    const exampleDir = fileURLToPath(new URL("..", import.meta.url))
    const start = (timeZone: string) =>
      execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
        cwd: exampleDir,
        encoding: "utf8",
        env: { ...process.env, TZ: timeZone }
      })
    const utc = start("UTC")
    expect(utc.trimEnd().split("\n")).toEqual(lines)
    expect(start("Pacific/Chatham")).toBe(utc)
  })
})
