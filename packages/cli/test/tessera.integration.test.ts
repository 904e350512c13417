/**
 * The built `tessera` command (`dist/bin/tessera.js`, as npm installs it), run as a child process
 * against a SQLite help desk of 300 tickets written through `createHelpdesk` on `@tessera/sql`
 * (`support/seed.ts`). What a dry run must find is worked out here from the seeding plan, not
 * read back from the command. The database file is hashed before and after every run: the command
 * line must never write. `pnpm run build` comes first (`pnpm test` does it).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import Database from "better-sqlite3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Rules from "./support/rules.js"
import { type Planned, plan, seed } from "./support/seed.js"

const bin = fileURLToPath(new URL("../dist/bin/tessera.js", import.meta.url))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

let dir = ""

const tessera = (...args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
      resolve({ code, stdout, stderr })
    })
  })

const hash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex")
const writeRules = (name: string, rules: unknown) => writeFileSync(join(dir, name), JSON.stringify(rules, null, 2))

const MAY = Date.parse("2025-05-01T00:00:00Z")
const JUNE = Date.parse("2025-06-01T00:00:00Z")
const inMay = (t: number | undefined) => t !== undefined && t >= MAY && t < JUNE
const count = (p: (t: Planned) => boolean) => plan.filter(p).length

let before = { hash: "", events: 0 }

const eventCount = () => {
  const db = new Database(join(dir, "helpdesk.db"), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare("select count(*) as n from events").get() as { n: number }).n
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm run build\` first`)
  dir = mkdtempSync(join(tmpdir(), "tessera-cli-"))
  await seed(join(dir, "helpdesk.db"))
  writeRules("proposed.json", Rules.proposed)
  writeRules("calm.json", Rules.calm)
  writeRules("undecodable.json", Rules.undecodable)
  writeRules("impossible.json", Rules.impossible)
  writeFileSync(join(dir, "truncated.json"), '[{ "id": "x", ')
  before = { hash: hash(join(dir, "helpdesk.db")), events: eventCount() }
}, 180_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("tessera check", () => {
  it("a rule file the decoder refuses exits 1 with the path of each problem", async () => {
    const run = await tessera("check", "undecodable.json")
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      'undecodable.json:[0].if.all[1].op: error invalid ("tags-order"): lt does not apply to tags'
    )
    expect(run.stdout).toContain('undecodable.json:[1].then: error invalid ("no-action"): Expected at least one action')
    expect(run.stdout).toMatch(/undecodable\.json:\[2\]\.if(\.\w+)?: error invalid \("unknown-condition"\)/)
    expect(run.stdout).toContain("3 rules, 3 errors")
  })

  it("--json gives the same problems as data", async () => {
    const run = await tessera("check", "undecodable.json", "--json")
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ file: "undecodable.json", decoded: false, rules: 3, errors: 3, warnings: 0 })
    expect(report.problems.map((p: { path: unknown }) => p.path)).toEqual(
      expect.arrayContaining([
        [0, "if", "all", 1, "op"],
        [1, "then"]
      ])
    )
    expect(report.problems.every((p: { severity: string }) => p.severity === "error")).toBe(true)
  })

  it("a rule that can never match is an error of the static checks, with its path", async () => {
    const run = await tessera("check", "impossible.json", "--json")
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ decoded: true, rules: 2, errors: 1 })
    expect(report.problems[0]).toMatchObject({
      severity: "error",
      kind: "never_matches",
      rules: ["high-and-low"],
      path: [1, "if", "all", 1]
    })
  })

  it("a file that is not JSON exits 1 and says where it stops", async () => {
    const run = await tessera("check", "truncated.json")
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("truncated.json:(root): error invalid: Not valid JSON")
  })

  it("warnings pass, unless --strict: the pair that loops is reported as undoing each other", async () => {
    const [loose, strict] = await Promise.all([
      tessera("check", "proposed.json"),
      tessera("check", "proposed.json", "--strict")
    ])
    expect(loose.code).toBe(0)
    expect(loose.stdout).toContain('proposed.json:[4].then[0]: warning undo_each_other ("vip-up", "vip-down")')
    expect(loose.stdout).toContain("7 rules, 0 errors")
    expect(strict.code).toBe(1)
  })
})

describe("tessera explain", () => {
  // Ticket 264 (#69364): a billing question asking for a refund; its requester replied 30 hours later.
  const ticket = plan[264] as Planned

  it("explains the ticket's latest unit of work: which rules match and why, which do not", async () => {
    expect(ticket).toMatchObject({ billing: true, refund: true, vip: false })
    const run = await tessera("explain", "proposed.json", "--db", "sqlite:./helpdesk.db", "--ticket", "69364")
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toContain("Ticket #69364 (")
    expect(run.stdout).toContain("(ReplyAdded)")
    expect(run.stdout).toContain("refund-high v1: matches: would set priority to high")
    expect(run.stdout).toContain("billing-to-finance v1: does not match: it does not run on these events")
    expect(run.stdout).toContain("vip-up v1: does not match: its conditions fail")
    expect(run.stdout).toMatch(/✓ message text containsWords "refund" \(read \[".*refund.*"\]\)/)
    expect(run.stdout).toContain("refund-high: priority normal → high")
  })

  it("--event 1 explains the opening, and --json gives the same answer as data", async () => {
    const run = await tessera(
      "explain",
      "proposed.json",
      "--db",
      "sqlite:./helpdesk.db",
      "--ticket",
      "#69364",
      "--event",
      "1",
      "--json"
    )
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.ticket).toMatchObject({ publicId: 69364, group: "billing" })
    // The internal id names the same ticket.
    const byId = await tessera(
      "explain",
      "proposed.json",
      "--db",
      "sqlite:./helpdesk.db",
      "--ticket",
      report.ticket.id,
      "--json"
    )
    expect(JSON.parse(byId.stdout).ticket.publicId).toBe(69364)
    expect(report.unit).toMatchObject({ version: 1, events: ["TicketOpened"] })
    const matched = report.triggers
      .filter((t: { matched: boolean }) => t.matched)
      .map((t: { rule: { id: string } }) => t.rule.id)
    expect(matched).toEqual(["billing-to-finance", "refund-high"])
    // The production rule's own change at the opening (group billing) is not replayed: the proposed
    // rules are asked about the ticket as the command left it, before any rule ran.
    expect(report.outcome.changes.map((c: { description: string }) => c.description)).toEqual([
      "group (none) → finance",
      "priority normal → high"
    ])
  })

  it("a premium requester's tier is read from the directory", async () => {
    const premium = plan.find((t) => t.premium && !t.vip && t.i > 200) as Planned
    const run = await tessera(
      "explain",
      "proposed.json",
      "--db",
      "sqlite:./helpdesk.db",
      "--ticket",
      String(premium.publicId),
      "--event",
      "1",
      "--json"
    )
    const report = JSON.parse(run.stdout)
    const tier = report.triggers.find((t: { rule: { id: string } }) => t.rule.id === "premium-tag")
    expect(tier).toMatchObject({ matched: true, conditions: { actual: "premium" } })
  })

  it("automations are asked at --now: due once the ticket has been pending for 3 days", async () => {
    const pending = plan.find((t) => t.pendingAt !== undefined && t.replyAt === undefined && t.i > 250) as Planned
    const at = (ms: number) => new Date(ms).toISOString()
    const ask = (now: number) =>
      tessera(
        "explain",
        "proposed.json",
        "--db",
        "sqlite:./helpdesk.db",
        "--ticket",
        String(pending.publicId),
        "--now",
        at(now),
        "--json"
      ).then((run) => JSON.parse(run.stdout).automations[0])
    const [early, late] = await Promise.all([
      ask((pending.pendingAt as number) + 3_600_000),
      ask((pending.pendingAt as number) + 80 * 3_600_000)
    ])
    expect(early).toMatchObject({ rule: { id: "pending-reminder" }, matched: false, due: false })
    expect(late).toMatchObject({ rule: { id: "pending-reminder" }, matched: true, due: true })
  })

  it("a ticket that does not exist exits 3 with one line", async () => {
    const [number, id] = await Promise.all([
      tessera("explain", "proposed.json", "--db", "sqlite:./helpdesk.db", "--ticket", "99999"),
      tessera("explain", "proposed.json", "--db", "sqlite:./helpdesk.db", "--ticket", "tkt_nope")
    ])
    expect(number.code).toBe(3)
    expect(number.stderr.trim()).toBe("tessera: No ticket 99999 in workspace default")
    expect(id.code).toBe(3)
    expect(id.stderr.trim()).toBe("tessera: No ticket tkt_nope in workspace default")
  })

  it("--config names the help desk's workspace (and its workflow and custom fields)", async () => {
    writeFileSync(join(dir, "other.json"), JSON.stringify({ workspaceId: "other", customFields: [] }))
    const args = ["explain", "proposed.json", "--db", "sqlite:./helpdesk.db", "--ticket", "69364"]
    const [other, overridden] = await Promise.all([
      tessera(...args, "--config", "other.json"),
      tessera(...args, "--config", "other.json", "--workspace", "default")
    ])
    expect(other.code).toBe(3)
    expect(other.stderr.trim()).toBe("tessera: No ticket 69364 in workspace other")
    expect(overridden.code).toBe(0)
  })
})

describe("tessera dry-run", () => {
  const opensInMay = (p: (t: Planned) => boolean) => count((t) => inMay(t.openedAt) && p(t))

  it("replays May: what would change, how often each rule fires, which tickets loop", async () => {
    const run = await tessera(
      "dry-run",
      "proposed.json",
      "--db",
      "sqlite:./helpdesk.db",
      "--from",
      "2025-05-01",
      "--to",
      "2025-06-01",
      "--json"
    )
    expect(run.code).toBe(1) // tickets would loop
    expect(run.stderr).toBe("") // no progress bar: stderr is not a terminal
    const summary = JSON.parse(run.stdout)
    const active = count((t) => t.openedAt < JUNE && Math.max(t.openedAt, t.replyAt ?? 0, t.pendingAt ?? 0) >= MAY)
    const units = count((t) => inMay(t.openedAt)) + count((t) => inMay(t.replyAt)) + count((t) => inMay(t.pendingAt))
    const vipLoops = opensInMay((t) => t.vip)
    expect(vipLoops).toBeGreaterThan(5)
    expect(summary).toMatchObject({
      from: "2025-05-01T00:00:00.000Z",
      to: "2025-06-01T00:00:00.000Z",
      interrupted: false,
      units,
      tickets: { total: active, examined: active, looped: vipLoops, failed: 0 }
    })
    const fired = Object.fromEntries(
      summary.rules.map((r: { id: string; fired: number; looped: number }) => [r.id, [r.fired, r.looped]])
    )
    const refundUnits = opensInMay((t) => t.refund) + count((t) => t.refund && inMay(t.replyAt))
    expect(fired).toEqual({
      "billing-to-finance": [opensInMay((t) => t.billing && !t.vip), 0],
      "refund-high": [refundUnits, 0],
      "premium-tag": [opensInMay((t) => t.premium && !t.vip), 0],
      "vip-up": [0, vipLoops],
      "vip-down": [0, vipLoops],
      "legal-note": [0, 0]
    })
    const loops = summary.results.filter((r: { failed?: unknown }) => r.failed !== undefined)
    expect(loops.map((r: { publicId: number }) => r.publicId).sort()).toEqual(
      plan.filter((t) => t.vip && inMay(t.openedAt)).map((t) => t.publicId)
    )
    expect(loops[0].failed).toMatchObject({ reason: "loop", rules: ["vip-up", "vip-down"], passes: 10 })
    expect(summary.changesByKind).toEqual(
      expect.arrayContaining([
        { kind: "group", tickets: opensInMay((t) => t.billing && !t.vip) },
        { kind: "tags", tickets: opensInMay((t) => t.premium && !t.vip) }
      ])
    )
  })

  it("prints the same for people, and exits 0 without the rules that loop", async () => {
    const args = ["--db", "sqlite:./helpdesk.db", "--from", "2025-05-01", "--to", "2025-06-01"]
    const [text, calm] = await Promise.all([
      tessera("dry-run", "proposed.json", ...args),
      tessera("dry-run", "calm.json", ...args, "--json")
    ])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain("Nothing was written.")
    expect(text.stdout).toMatch(new RegExp(`billing-to-finance v1 +${opensInMay((t) => t.billing && !t.vip)} / `))
    expect(text.stdout).toMatch(/legal-note v1 +0 \/ 0 \/ 0 +\(never fires\)/)
    expect(text.stdout).toContain("Would loop or fail")
    expect(text.stdout).toMatch(/#691\d\d 2025-05-\S+ after TicketOpened: loop \(vip-up, vip-down; 10 passes\)/)
    expect(text.stdout).toMatch(/#691\d\d 2025-05-\S+ after TicketOpened: billing-to-finance: group \(none\) → finance/)
    expect(calm.code).toBe(0)
    expect(JSON.parse(calm.stdout).tickets.looped).toBe(0)
  })

  it("Ctrl-C stops after the current ticket, prints the partial summary and exits 130", async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        "dry-run",
        "proposed.json",
        "--db",
        "sqlite:./helpdesk.db",
        "--from",
        "2025-04-01",
        "--to",
        "2025-07-01",
        "--json",
        "--progress"
      ],
      { cwd: dir }
    )
    const { code, stdout, stderr } = await interruptOnFirstProgress(child)
    expect(stderr).toMatch(/\[[#.]+\] \d+\/300 tickets/)
    expect(code).toBe(130)
    const summary = JSON.parse(stdout)
    expect(summary.interrupted).toBe(true)
    expect(summary.tickets.total).toBe(300)
    expect(summary.tickets.examined).toBeLessThan(300)
  })

  it("a SQLite file that does not exist is refused, not created", async () => {
    const run = await tessera(
      "dry-run",
      "calm.json",
      "--db",
      "sqlite:./nope.db",
      "--from",
      "2025-05-01",
      "--to",
      "2025-06-01"
    )
    expect(run.code).toBe(3)
    expect(run.stderr).toContain("no such file")
    expect(existsSync(join(dir, "nope.db"))).toBe(false)
  })
})

describe("tessera's command line", () => {
  it("--help documents the commands and the exit codes", async () => {
    const run = await tessera("--help")
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toContain("Usage: tessera <command> RULES_FILE [options]")
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {4}ok/)
    expect(run.stdout).toContain("130  interrupted")
  })

  it("a wrong command line exits 2 with the problem and the usage", async () => {
    const wrong = [
      ["frobnicate", "x.json"],
      ["check"],
      ["check", "proposed.json", "--db", "sqlite:./helpdesk.db"],
      ["dry-run", "proposed.json", "--db", "sqlite:./helpdesk.db", "--from", "2025-05-01"],
      ["dry-run", "proposed.json", "--db", "sqlite:./helpdesk.db", "--from", "2025-06-01", "--to", "2025-05-01"],
      ["dry-run", "proposed.json", "--db", "sqlite:./helpdesk.db", "--from", "May", "--to", "2025-05-01"],
      ["explain", "proposed.json", "--db", "sqlite:./helpdesk.db", "--ticket", "1", "--event", "first"],
      ["check", "proposed.json", "--frobnicate"]
    ]
    const runs = await Promise.all(wrong.map((args) => tessera(...args)))
    for (const [i, run] of runs.entries()) {
      expect(run.code, wrong[i]?.join(" ")).toBe(2)
      expect(run.stderr).toMatch(/^tessera: .+\n\nUsage: tessera/)
    }
    expect(runs.map((r) => r.stderr.split("\n")[0])).toEqual([
      'tessera: unknown command "frobnicate"',
      "tessera: check needs a rule file",
      "tessera: check does not take --db",
      "tessera: missing --to",
      "tessera: --from must come before --to",
      'tessera: --from "May" is not a date or an ISO time',
      'tessera: --event expects a whole number, not "first"',
      expect.stringContaining("--frobnicate")
    ])
  })

  it("a rule file that cannot be read exits 3", async () => {
    const run = await tessera("check", "missing.json")
    expect(run.code).toBe(3)
    expect(run.stderr.trim()).toBe("tessera: Cannot read the rule file missing.json: no such file")
  })
})

// Last in the file (its tests run in order): every run above, Ctrl-C included, read only.
describe("the database", () => {
  it("is as the command line found it, byte for byte, after every run above", () => {
    expect(readdirSync(dir).filter((f) => f.startsWith("helpdesk.db"))).toEqual(["helpdesk.db"])
    expect(hash(join(dir, "helpdesk.db"))).toBe(before.hash)
    expect(eventCount()).toBe(before.events)
    expect(before.events).toBeGreaterThan(600)
  })
})

/** Waits for the first progress bar on stderr, sends SIGINT, and collects the run. */
const interruptOnFirstProgress = (child: ChildProcess): Promise<Run> =>
  new Promise((resolve) => {
    let stdout = ""
    let stderr = ""
    let sent = false
    child.stdout?.on("data", (chunk) => {
      stdout += String(chunk)
    })
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk)
      if (!sent && /tickets/.test(stderr)) {
        sent = true
        child.kill("SIGINT")
      }
    })
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
