/**
 * The Promise client's `report` (`Scoped.report`): the same report the Effect projection gives
 * over the same store, for the system and admins only, with bad input as `InvalidInput`, and
 * plain data that `Export` turns into CSV.
 */
import { DateTime, Effect, Layer, Result } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  Actor,
  BusinessCalendar,
  createHelpdesk,
  Export,
  MemoryDirectoryStore,
  MemoryTicketStore,
  type PromiseHelpdesk,
  Report,
  SlaPolicy,
  TicketStore
} from "../../src/index.js"
import { layerSequential } from "../../src/ports/IdGenerator.js"

const start = Date.parse("2025-05-05T08:30:00Z") // a Monday
const hours = (n: number) => n * 3_600_000
const weekday = ["09:00-17:00"]
const london = Result.getOrThrow(
  BusinessCalendar.make({
    timeZone: "Europe/London",
    weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
  })
)

let current: PromiseHelpdesk.HelpdeskClient | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

/** What a promise rejects with (it must reject). */
const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => Promise.reject(new Error("expected a rejection")),
    (error: unknown) => error
  )

/** A help desk on a store the test also reads, with a week of tickets worked by Mary. */
const setup = async () => {
  let now = start
  const store = await Effect.runPromise(MemoryTicketStore.make())
  const helpdesk = await createHelpdesk({
    workspaceId: "acme",
    now: () => now,
    sla: { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: london } },
    layer: Layer.mergeAll(
      MemoryTicketStore.layer(),
      Layer.succeed(TicketStore.TicketStore, store),
      MemoryDirectoryStore.layer,
      layerSequential
    )
  })
  current = helpdesk
  const mary = { _tag: "agent", id: "mary" } as const
  await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
  await helpdesk.saveAgent({ id: "ada", name: "Ada", email: "ada@example.com", role: "admin" })
  for (let i = 0; i < 6; i++) {
    const ticket = await helpdesk.open({
      requester: { email: `customer${i}@example.com`, name: `Customer ${i}` },
      subject: `Problem ${i}`,
      text: "It does not work.",
      channel: i % 2 === 0 ? "email" : "web",
      tags: i % 3 === 0 ? ["billing"] : ["login"]
    })
    now += hours(2 + i)
    if (i !== 5) await helpdesk.reply({ ticket: ticket.id, by: mary, text: "Fixed." })
    now += hours(1)
    if (i < 4) await helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
    now += hours(5)
  }
  return { helpdesk, store, now: () => now }
}

describe("report", () => {
  it("is the Effect projection's report over the same store, as plain data", async () => {
    const { helpdesk, store, now } = await setup()
    const from = new Date(start - hours(24))
    const to = new Date(now() + hours(1)).toISOString()
    const report = await helpdesk.asSystem("weekly report").report({ from, to, by: ["channel", "tag"] })

    const projection = Report.makeProjection({ calendar: london })
    await Effect.runPromise(projection.catchUp(store))
    const expected = projection.report({ from: DateTime.makeUnsafe(from), to: DateTime.makeUnsafe(to) }, [
      "channel",
      "tag"
    ])
    expect(report).toEqual(Export.reportData(expected))
    expect(report.summary.created).toBe(6)
    expect(report.summary.solved).toBe(4)
    expect(report.summary.backlog.tickets).toBe(2)
    // Business time is the configured calendar's: less than calendar time overnight.
    expect(report.summary.fullResolution.business.average).toBeLessThan(
      report.summary.fullResolution.calendar.average ?? 0
    )
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    expect(Export.reportCsv(report)).toBe(Export.reportCsv(expected))
    expect(Export.slaCsv(report)).toBe(Export.slaCsv(expected))

    // An admin gets the same; a later call counts what was committed since.
    const admin = helpdesk.as(Actor.agent("ada"))
    expect(await admin.report({ from, to, by: ["channel", "tag"] })).toEqual(report)
    await helpdesk.open({ requester: { email: "late@example.com" }, subject: "Late", text: "Hi", channel: "web" })
    expect((await admin.report({ from, to })).summary.created).toBe(7)
  })

  it("is refused to customers and to agents who do not see every ticket", async () => {
    const { helpdesk } = await setup()
    const period = { from: "2025-05-01T00:00:00Z", to: "2025-06-01T00:00:00Z" }
    await helpdesk.saveGroup({ id: "vip", name: "VIP", restricted: true })
    const agent = await failure(helpdesk.as(Actor.agent("mary")).report(period))
    expect(agent).toMatchObject({ _tag: "NotPermitted", action: "report" })
    const contact = await helpdesk.findContactByEmail("customer0@example.com")
    const customer = await failure(helpdesk.as(Actor.contact(contact?.id ?? "")).report(period))
    expect(customer).toMatchObject({ _tag: "NotPermitted", action: "report" })
    // The same error the policy gives for another operation it does not let them use.
    const directory = await failure(helpdesk.as(Actor.agent("mary")).saveGroup({ name: "Mine" }))
    expect(directory).toMatchObject({ _tag: "NotPermitted" })
    expect((directory as Error).constructor).toBe((agent as Error).constructor)
  })

  it("fails with InvalidInput for bad dates, dimensions and calendars", async () => {
    const { helpdesk } = await setup()
    const system = helpdesk.asSystem("report")
    const bad = await failure(system.report({ from: "last week", to: new Date("nope") }))
    expect(bad).toMatchObject({ _tag: "InvalidInput", input: "report" })
    expect((bad as { problems: ReadonlyArray<{ path: ReadonlyArray<unknown> }> }).problems.map((p) => p.path)).toEqual([
      ["from"],
      ["to"]
    ])
    const backwards = await failure(system.report({ from: "2025-06-01T00:00:00Z", to: "2025-05-01T00:00:00Z" }))
    expect(backwards).toMatchObject({ _tag: "InvalidInput", problems: [{ path: ["to"] }] })
    const dimension = await failure(
      system.report({ from: "2025-05-01", to: "2025-06-01", by: ["weather" as Report.Dimension] })
    )
    expect(dimension).toMatchObject({ _tag: "InvalidInput", problems: [{ path: ["by", 0] }] })
    const calendar = await failure(system.report({ from: "2025-05-01", to: "2025-06-01", calendar: "mars" }))
    expect(calendar).toMatchObject({ _tag: "InvalidInput", problems: [{ path: ["calendar"] }] })
  })
})
