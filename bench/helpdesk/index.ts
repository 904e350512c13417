// bench/helpdesk: what a command costs through the `Helpdesk` as a ticket's history grows, with
// and without SLAs, on the memory store and on SQLite (issue 13: with SLAs on, every command read
// and decoded the ticket's whole event log, so a command cost more the longer a ticket lived).
//
// Method: for each store (memory; SQLite in a temp file through `SqlStore.layerUrl`) and each of
// SLAs off / on (the default policies on a Paris Monday-to-Friday 09:00-18:00 calendar), one help
// desk and tickets whose histories hold 10, 1,000 and 20,000 events. A history is written
// straight to the store in batches of 5,000 (valid events as commands write them: requester and
// agent replies, notes, status moves between open and pending, priority changes), its instants
// one second apart, ending a minute before the bench starts. Commands then run in cycles of
// seven: the requester replies (a next reply starts), a note, the agent replies (it ends), the
// agent sets pending, the requester replies (the ticket reopens), priority high, priority normal.
// Each ticket first takes one untimed command (what a help desk that just met the ticket does
// once); then cycles are timed round-robin across the three sizes, so the machine's mood weighs
// on all of them alike. Small tickets take few cycles each (a 10-event ticket one cycle, so it
// stays under 25 events), and new ones come in as they fill: a ticket takes at most
// max(1, size / 140) cycles, so it grows by at most about 5% while measured.
//
// The figure per store is `historyCostRatio`: µs per command (the median over cycles of a cycle's
// time / 7) on the 20,000-event tickets with SLAs on, against the same on the 10-event tickets
// (target: ratio <= 1.2). The table also gives the process's CPU time per command, which other
// work on a shared machine inflates less than wall time.
//
// Usage: pnpm bench helpdesk [--cycles N (default 200)] [--only memory|sqlite]
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import {
  BusinessCalendar,
  Helpdesk,
  IdGenerator,
  type Ids,
  MemoryHelpdesk,
  SlaPolicy,
  TicketEvent,
  TicketStore
} from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { DateTime, Effect, Layer, ManagedRuntime, Result } from "effect"
import { type Figure, figures, percentile, type Row, table } from "../lib/report.js"

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "200" },
    only: { type: "string" }
  }
})
const cycles = Number(values.cycles)
if (!Number.isInteger(cycles) || cycles < 10) throw new Error("--cycles must be an integer >= 10")
const only = values.only
if (only !== undefined && only !== "memory" && only !== "sqlite") throw new Error("--only is memory or sqlite")

const log = (message: string) => process.stderr.write(`[bench helpdesk] ${message}\n`)

const sizes = [10, 1_000, 20_000] as const
type Size = (typeof sizes)[number]
const commandsPerCycle = 7
const cyclesPerTicket = (size: Size) => Math.max(1, Math.floor(size / 140))

const weekday = ["09:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
const sla: Helpdesk.SlaOptions = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: paris.success } }

const ws = "bench" as Ids.WorkspaceId
const jane = { _tag: "contact", id: "jane" as Ids.ContactId } as const
const mary = { _tag: "agent", id: "mary" as Ids.AgentId } as const

type Runtime = ManagedRuntime.ManagedRuntime<
  Helpdesk.Helpdesk | TicketStore.TicketStore | IdGenerator.IdGenerator,
  unknown
>

/** One help desk over one store kind, SLAs on or off. */
const runtimeFor = (store: "memory" | "sqlite", withSla: boolean, file: string): Runtime => {
  const options = withSla ? { sla } : {}
  if (store === "memory") {
    return ManagedRuntime.make(
      Layer.merge(
        MemoryHelpdesk.layer({ workspaceId: ws }, { ...options, ids: "timeOrdered" }),
        IdGenerator.layerTimeOrdered
      )
    ) as Runtime
  }
  const ports = Layer.mergeAll(SqlStore.layerUrl({ url: `sqlite:${file}` }), IdGenerator.layerTimeOrdered)
  return ManagedRuntime.make(Helpdesk.layer({ workspaceId: ws }, options).pipe(Layer.provideMerge(ports))) as Runtime
}

let messageCount = 0
const message = (author: typeof jane | typeof mary, visibility: "public" | "internal", at: DateTime.Utc) => ({
  id: `msg_seed_${++messageCount}` as Ids.MessageId,
  visibility,
  author,
  channel: "email" as const,
  at,
  text: `Message ${messageCount}: the VPN dropped again at the office, here are the logs of this morning.`,
  attachments: []
})

/**
 * The events of a history after its opening, as commands would have written them: a cycle of
 * ten that starts and ends open at normal priority (the ticket is taken into work first).
 */
const history = (ticketId: Ids.TicketId, count: number, from: number): Array<TicketEvent.TicketEvent> => {
  const events: Array<TicketEvent.TicketEvent> = []
  const at = () => DateTime.makeUnsafe(from + (events.length + 1) * 1_000)
  const status = (by: typeof jane | typeof mary, fromStatus: string, to: string) =>
    new TicketEvent.StatusChanged({
      ticketId,
      at: at(),
      by,
      from: fromStatus as never,
      to: to as never,
      fromCategory: fromStatus as never,
      toCategory: to as never
    })
  const reply = (by: typeof jane | typeof mary) =>
    new TicketEvent.ReplyAdded({ ticketId, at: at(), by, message: message(by, "public", at()) })
  const note = () =>
    new TicketEvent.NoteAdded({ ticketId, at: at(), by: mary, message: message(mary, "internal", at()) })
  const priority = (fromLevel: "normal" | "high", to: "normal" | "high") =>
    new TicketEvent.PriorityChanged({ ticketId, at: at(), by: mary, from: fromLevel, to })
  const cycle = [
    () => reply(jane),
    note,
    () => reply(mary),
    () => status(mary, "open", "pending"),
    () => reply(jane),
    () => status(jane, "pending", "open"),
    () => priority("normal", "high"),
    note,
    () => reply(mary),
    () => priority("high", "normal")
  ]
  if (count > 0) events.push(reply(mary))
  if (count > 1) events.push(status(mary, "new", "open"))
  // Whole cycles, then notes: the ticket ends open at normal priority, as the timed commands expect.
  while (count - events.length >= cycle.length) for (const step of cycle) events.push(step())
  while (events.length < count) events.push(note())
  return events
}

/** Opens a ticket of `size` events through the store: its opening, then its history in batches. */
const seed = (runtime: Runtime, size: Size, endingAt: number) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const store = yield* TicketStore.TicketStore
      const ids = yield* IdGenerator.IdGenerator
      const ticketId = (yield* ids.next("ticket")) as Ids.TicketId
      const publicId = yield* store.nextPublicId(ws)
      const start = endingAt - size * 1_000
      const openedAt = DateTime.makeUnsafe(start)
      const opened = new TicketEvent.TicketOpened({
        ticketId,
        at: openedAt,
        by: jane,
        workspaceId: ws,
        publicId,
        subject: "VPN drops every hour",
        requester: jane.id,
        channel: "email",
        priority: "normal",
        status: "new" as never,
        category: "new",
        tags: [],
        customFields: {},
        message: message(jane, "public", openedAt)
      })
      const events = [opened, ...history(ticketId, size - 1, start)]
      let version = 0
      for (let i = 0; i < events.length; i += 5_000) {
        version = yield* store.append(ticketId, version, events.slice(i, i + 5_000))
      }
      return ticketId
    })
  )

/** The seven commands of a cycle, on a ticket that is open at normal priority. */
const cycleOf = (helpdesk: Helpdesk.Service, ticket: string) => {
  let n = 0
  const text = () => `Command ${++n}: could you send the client version and the time it dropped?`
  return [
    () => helpdesk.reply({ ticket, by: jane, text: text() }),
    () => helpdesk.note({ ticket, by: mary, text: text() }),
    () => helpdesk.reply({ ticket, by: mary, text: text() }),
    () => helpdesk.changeStatus({ ticket, by: mary, status: "pending" }),
    () => helpdesk.reply({ ticket, by: jane, text: text() }),
    () => helpdesk.setPriority({ ticket, by: mary, priority: "high" }),
    () => helpdesk.setPriority({ ticket, by: mary, priority: "normal" })
  ]
}

interface Measured {
  readonly store: "memory" | "sqlite"
  readonly sla: boolean
  readonly size: Size
  /** µs per command of each timed cycle (its time / 7). */
  readonly perCommand: ReadonlyArray<number>
  /** The same in CPU time of this process (user + system): what the machine's other work does not inflate. */
  readonly cpuPerCommand: ReadonlyArray<number>
  readonly events: number
}

const measure = async (store: "memory" | "sqlite", withSla: boolean): Promise<Array<Measured>> => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-bench-helpdesk-"))
  const runtime = runtimeFor(store, withSla, join(dir, "helpdesk.sqlite"))
  try {
    const helpdesk = await runtime.runPromise(Effect.service(Helpdesk.Helpdesk))
    await runtime.runPromise(helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" }))
    await runtime.runPromise(helpdesk.saveContact({ id: "jane", name: "Jane", emails: ["jane@example.com"] }))
    const endingAt = Date.now() - 60_000
    const tickets = new Map<Size, Array<string>>()
    for (const size of sizes) {
      // One more ticket than the timed cycles need: the untimed warm-up cycles run on it.
      const count = Math.ceil(cycles / cyclesPerTicket(size)) + 1
      const seeded: Array<string> = []
      for (let i = 0; i < count; i++) seeded.push(await seed(runtime, size, endingAt))
      tickets.set(size, seeded)
      log(`${store}, SLAs ${withSla ? "on" : "off"}: ${count} ticket(s) of ${size} events`)
    }
    const warmed = new Set<string>()
    const samples = new Map<Size, Array<number>>(sizes.map((s) => [s, []]))
    const cpuSamples = new Map<Size, Array<number>>(sizes.map((s) => [s, []]))
    for (let c = -2; c < cycles; c++) {
      for (const size of sizes) {
        // Two untimed cycles first, on the last ticket of each size.
        const own = tickets.get(size) ?? []
        const ticket = (c < 0 ? own.at(-1) : own[Math.floor(c / cyclesPerTicket(size))]) as string
        if (!warmed.has(ticket)) {
          await runtime.runPromise(helpdesk.note({ ticket, by: mary, text: "Looking at it." }))
          warmed.add(ticket)
        }
        const commands = cycleOf(helpdesk, ticket)
        const cpu = process.cpuUsage()
        const start = performance.now()
        for (const command of commands) await runtime.runPromise(command() as Effect.Effect<unknown, unknown>)
        const elapsed = performance.now() - start
        const used = process.cpuUsage(cpu)
        if (c >= 0) {
          samples.get(size)?.push((elapsed * 1_000) / commandsPerCycle)
          cpuSamples.get(size)?.push((used.user + used.system) / commandsPerCycle)
        }
      }
    }
    const out: Array<Measured> = []
    for (const size of sizes) {
      const last = (tickets.get(size) ?? [])[Math.floor((cycles - 1) / cyclesPerTicket(size))] as string
      const events = (await runtime.runPromise(helpdesk.asSystem("bench").get(last))).version
      out.push({
        store,
        sla: withSla,
        size,
        perCommand: samples.get(size) ?? [],
        cpuPerCommand: cpuSamples.get(size) ?? [],
        events
      })
    }
    return out
  } finally {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

const stores = (["memory", "sqlite"] as const).filter((s) => only === undefined || s === only)
const results: Array<Measured> = []
for (const store of stores) {
  for (const withSla of [false, true]) {
    log(`measuring ${store}, SLAs ${withSla ? "on" : "off"}`)
    results.push(...(await measure(store, withSla)))
  }
}

const median = (xs: ReadonlyArray<number>) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50
  )
const rows: Array<Row> = results.map((r) => ({
  store: r.store,
  SLAs: r.sla ? "on" : "off",
  "events (start)": r.size,
  "events (last ticket, end)": r.events,
  "µs/command p50": median(r.perCommand),
  "µs/command p90": percentile(
    [...r.perCommand].sort((a, b) => a - b),
    90
  ),
  "µs/command mean": r.perCommand.reduce((s, x) => s + x, 0) / r.perCommand.length,
  "CPU µs/command p50": median(r.cpuPerCommand)
}))
table(rows)

const figureOf = (store: "memory" | "sqlite"): Figure => {
  const at = (size: Size) => {
    const found = results.find((r) => r.store === store && r.sla && r.size === size)
    if (found === undefined) throw new Error(`no measurement for ${store} at ${size} events`)
    return median(found.perCommand)
  }
  return {
    value: at(20_000),
    unit: "µs",
    baseline: "µs per command on a 10-event ticket, SLAs on, same help desk and run (median over cycles)",
    baselineValue: at(10)
  }
}
figures("helpdesk", Object.fromEntries(stores.map((store) => [store, { historyCostRatio: figureOf(store) }])))
