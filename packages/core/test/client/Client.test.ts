/**
 * The Promise client is derived from the `Helpdesk` service (issue 15): every operation and every
 * option exists on both sides with the same names. The type-level checks fail to compile
 * (`pnpm run typecheck`) when an operation or an option exists on one side only; the tests run
 * the operations the facade lacked before (`applyRules`, `explainDue`) and the service's options
 * it did not pass on.
 */
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { Helpdesk as HelpdeskTag } from "../../src/helpdesk/Helpdesk.js"
import {
  BusinessCalendar,
  createHelpdesk,
  type Helpdesk,
  type HelpdeskInput,
  MemoryHelpdesk,
  PromiseHelpdesk,
  type Requester,
  SlaPolicy,
  TicketCommand
} from "../../src/index.js"

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const holds = <T extends true>(): T | undefined => undefined

type Client = PromiseHelpdesk.HelpdeskClient
type Service = Helpdesk.Service
type Operation = PromiseHelpdesk.Operation

// Every member of the service is a member of the client, and the client adds only `close`.
holds<Equal<Exclude<keyof Client, "close">, keyof Service>>()
// Every operation has an answer, and every answer an operation (of the root or of a scoped service).
holds<Equal<keyof PromiseHelpdesk.Answers, Operation | PromiseHelpdesk.OperationOf<Helpdesk.Scoped>>>()
// A scoped client: the same members as the scoped service, the same parameters.
holds<Equal<keyof PromiseHelpdesk.ScopedClient, keyof Helpdesk.Scoped>>()
type ScopedOperation = PromiseHelpdesk.OperationOf<Helpdesk.Scoped>
holds<
  Equal<
    {
      [K in ScopedOperation]: Equal<Parameters<PromiseHelpdesk.ScopedClient[K]>, Parameters<Helpdesk.Scoped[K]>>
    }[ScopedOperation],
    true
  >
>()
// Each method takes exactly the parameters of the operation of its name.
holds<Equal<{ [K in Operation]: Equal<Parameters<Client[K]>, Parameters<Service[K]>> }[Operation], true>>()
// The requester's side: the same members, the same parameters.
holds<Equal<keyof PromiseHelpdesk.RequesterClient, keyof Requester.Service>>()
type RequesterOperation = PromiseHelpdesk.OperationOf<Requester.Service>
holds<
  Equal<
    {
      [K in RequesterOperation]: Equal<Parameters<PromiseHelpdesk.RequesterClient[K]>, Parameters<Requester.Service[K]>>
    }[RequesterOperation],
    true
  >
>()
// Every option of the service (its configuration and `Helpdesk.Options`) is an option of the
// facade under its name, and the facade's own options are exactly the ones that say where
// tickets are kept, how ids and time are made, and where telemetry goes.
type ServiceOption = keyof typeof HelpdeskInput.Config.Encoded | keyof Helpdesk.Options
holds<Equal<Exclude<ServiceOption, keyof PromiseHelpdesk.Options>, never>>()
holds<
  Equal<
    Exclude<keyof PromiseHelpdesk.Options, ServiceOption>,
    "database" | "firstPublicId" | "ids" | "now" | "layer" | "observability"
  >
>()
// An option keeps its type: the facade's `maxAttempts` is the configuration's.
holds<Equal<PromiseHelpdesk.Options["maxAttempts"], (typeof HelpdeskInput.Config.Encoded)["maxAttempts"] | undefined>>()

// The derivation refuses an operation that has no answer: a service with one more operation
// gives the client a member no function can implement.
interface Grown extends Service {
  readonly reopenAll: () => Effect.Effect<number>
}
const grown: Partial<PromiseHelpdesk.PromiseOperations<Grown>> = {
  // @ts-expect-error `reopenAll` has no answer in `Answers`, so the client cannot have it
  reopenAll: () => Promise.resolve(1)
}

const open: Array<Client> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()))
})

const mary = { _tag: "agent", id: "mary" } as const
const jane = { email: "jane.sharpe@example.com", name: "Jane Sharpe" }
const start = Date.parse("2025-05-05T09:00:00Z")

const sla = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: BusinessCalendar.alwaysOpen } }

describe("the client derived from the service", () => {
  it("has a method for every operation of a running service, and nothing else but close", async () => {
    const helpdesk = await createHelpdesk()
    open.push(helpdesk)
    const service = await Effect.runPromise(
      Effect.provide(Effect.service(HelpdeskTag), MemoryHelpdesk.layer({ workspaceId: "default" }))
    )
    expect(grown).toBeDefined()
    expect(Object.keys(helpdesk).sort()).toEqual([...Object.keys(service), "close"].sort())
    expect(Object.keys(helpdesk.forRequester("jane")).sort()).toEqual(Object.keys(service.forRequester("jane")).sort())
  })

  it("applyRules runs rules on a ticket as it stands, naming them in its history", async () => {
    const helpdesk = await createHelpdesk({ now: () => start })
    open.push(helpdesk)
    const ticket = await helpdesk.open({ requester: jane, subject: "VPN down", text: "Since 9", channel: "email" })
    const ruled = await helpdesk.applyRules(ticket.publicId, [
      {
        rule: { id: "escalate-vpn", version: 3 },
        fire: ({ current }) =>
          Effect.succeed(
            current.tags.includes("vpn" as never)
              ? []
              : [new TicketCommand.ChangeTags({ ticketId: current.id, add: ["vpn"], remove: [] })]
          )
      }
    ])
    expect(ruled.tags).toEqual(["vpn"])
    expect((await helpdesk.asSystem("test").history(ticket.id)).at(-1)).toMatchObject({
      _tag: "TagsChanged",
      rule: { id: "escalate-vpn", version: 3 }
    })
  })

  it("explainDue says why each due time is what it is, as the Effect service does, with ISO instants", async () => {
    const now = () => start
    const helpdesk = await createHelpdesk({ now, sla })
    open.push(helpdesk)
    const ticket = await helpdesk.open({ requester: jane, subject: "Invoice", text: "Where is it?", channel: "web" })
    const explained = await helpdesk.asSystem("test").explainDue(ticket.publicId)
    expect(explained.map((e) => e.metric)).toContain("first_reply")
    const first = explained.find((e) => e.metric === "first_reply")
    expect(first?.dueAt).toBe(new Date(start + (first?.target.minutes ?? 0) * 60_000).toISOString())
    expect(first?.lines[0]).toMatch(/^first_reply #1: target/)

    // The Effect service explains the same ticket the same way (its own instants aside).
    const effect = await Effect.runPromise(
      Effect.gen(function* () {
        const service = yield* HelpdeskTag
        const opened = yield* service.open({
          requester: jane,
          subject: "Invoice",
          text: "Where is it?",
          channel: "web"
        })
        return yield* service.asSystem("test").explainDue(opened.publicId)
      }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "default" }, { sla })))
    )
    expect(effect.map((e) => [e.metric, e.instance, e.policy, e.target, e.lines[0]])).toEqual(
      explained.map((e) => [e.metric, e.instance, e.policy, e.target, e.lines[0]])
    )
  })

  it("explainDue is empty without SLAs", async () => {
    const helpdesk = await createHelpdesk()
    open.push(helpdesk)
    const ticket = await helpdesk.open({ requester: jane, subject: "Hello", text: "Hi", channel: "chat" })
    expect(await helpdesk.asSystem("test").explainDue(ticket.id)).toEqual([])
  })

  it("the service's options reach it under their own names, all checked at once", async () => {
    const error = await createHelpdesk({
      workspaceId: "acme",
      maxAttempts: 0,
      stateCacheSize: -1,
      solveIncidents: "yes" as never,
      actorCheckMillis: 60_001
    }).catch((e: unknown) => e)
    expect(PromiseHelpdesk.isHelpdeskError(error)).toBe(true)
    expect((error as { problems: ReadonlyArray<{ path: ReadonlyArray<string> }> }).problems.map((p) => p.path)).toEqual(
      [["maxAttempts"], ["stateCacheSize"], ["solveIncidents"], ["actorCheckMillis"]]
    )
    const helpdesk = await createHelpdesk({ workspaceId: "acme", solveIncidents: false, stateCacheSize: 0 })
    open.push(helpdesk)
    expect(helpdesk.config.workspaceId).toBe("acme")
  })

  it("solveIncidents: false leaves a problem's incidents as they are", async () => {
    const run = async (solveIncidents: boolean) => {
      const helpdesk = await createHelpdesk({ solveIncidents })
      open.push(helpdesk)
      await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
      const problem = await helpdesk.open({ requester: jane, subject: "Outage", text: "All down", channel: "web" })
      const incident = await helpdesk.open({ requester: jane, subject: "Down", text: "Me too", channel: "web" })
      await helpdesk.link({ ticket: incident.id, kind: "problem", to: problem.id, by: mary })
      await helpdesk.changeStatus({ ticket: problem.id, status: "solved", by: mary })
      return (await helpdesk.asSystem("test").get(incident.id)).status
    }
    expect(await run(true)).toBe("solved")
    expect(await run(false)).not.toBe("solved")
  })

  it("the requester's side answers as the help desk's methods of the same name do", async () => {
    const helpdesk = await createHelpdesk()
    open.push(helpdesk)
    const contact = await helpdesk.saveContact({ name: "Jane", emails: ["jane@example.com"] })
    const portal = helpdesk.forRequester(contact.id)
    const ticket = await portal.open({ subject: "Refund", text: "Please refund me", channel: "web" })
    expect(portal.contact).toBe(contact.id)
    expect(await portal.get(ticket.publicId)).toEqual(await helpdesk.asSystem("test").get(ticket.publicId))
    expect((await portal.list()).items.map((t) => t.id)).toEqual([ticket.id])
  })
})
