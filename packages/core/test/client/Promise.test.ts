import { Effect, Layer, Schema } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  BusinessCalendar,
  ConfigError,
  createHelpdesk,
  DirectoryError,
  Helpdesk,
  Input,
  MemoryDirectoryStore,
  MemoryHelpdesk,
  MemoryTicketStore,
  PromiseHelpdesk,
  SlaPolicy,
  Ticket,
  TicketCommand,
  TicketError,
  TicketStore
} from "../../src/index.js"
import { layerSequential } from "../../src/ports/IdGenerator.js"

const start = Date.parse("2025-05-01T11:15:00Z")
const hours = (n: number) => n * 3_600_000

/** A help desk on a clock the test moves by hand, with Mary in billing. */
const setup = async (options: PromiseHelpdesk.Options = {}) => {
  let now = start
  const helpdesk = await createHelpdesk({
    workspaceId: "acme",
    firstPublicId: 69369,
    ids: "sequential",
    now: () => now,
    ...options
  })
  open.push(helpdesk)
  await helpdesk.saveGroup({ id: "billing", name: "Billing" })
  await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com", groups: ["billing"] })
  const ticket = await helpdesk.open({
    requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
    subject: "Over-charged for my subscription",
    text: "I was charged twice for my subscription this month.",
    channel: "email",
    tags: ["billing"]
  })
  return {
    helpdesk,
    ticket,
    advance: (ms: number) => {
      now += ms
    }
  }
}

const mary = { _tag: "agent", id: "mary" } as const
const open: Array<PromiseHelpdesk.HelpdeskClient> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()))
})

/** The rejection of a promise, which must reject. */
const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected the promise to reject")
}

describe("createHelpdesk", () => {
  it("opens a ticket and returns it as JSON, with ISO dates", async () => {
    const { ticket } = await setup()
    expect(ticket).toMatchObject({
      publicId: 69369,
      workspaceId: "acme",
      status: "new",
      channel: "email",
      priority: "normal",
      tags: ["billing"],
      createdAt: "2025-05-01T11:15:00.000Z"
    })
    expect(ticket.messageCount).toBe(1)
    expect(ticket.recentMessages[0]).toMatchObject({ visibility: "public", at: "2025-05-01T11:15:00.000Z" })
    expect(JSON.parse(JSON.stringify(ticket))).toEqual(ticket)
  })

  it("an agent's reply takes the ticket into work, and the history lists every event", async () => {
    const { helpdesk, advance } = await setup()
    advance(hours(1))
    const replied = await helpdesk.reply({ ticket: 69369, by: mary, text: "Sorry Jane, refund on its way." })
    expect(replied.status).toBe("open")
    expect(replied.firstAgentReplyAt).toBe("2025-05-01T12:15:00.000Z")
    const history = await helpdesk.asSystem("test").history(69369)
    expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "ReplyAdded", "StatusChanged"])
    expect(history[2]).toMatchObject({ from: "new", to: "open", by: mary, at: "2025-05-01T12:15:00.000Z" })
  })

  it("asSystem hands out one client per reason, acting as that reason's system actor", async () => {
    const { helpdesk } = await setup()
    const imports = helpdesk.asSystem("import")
    expect(helpdesk.asSystem("import")).toBe(imports)
    expect(imports.principal).toEqual({ _tag: "system", reason: "import" })
    const email = helpdesk.asSystem("email")
    expect(email).not.toBe(imports)
    await email.note({ ticket: 69369, text: "Seen by the intake" })
    const history = await imports.history(69369)
    expect(history.at(-1)).toMatchObject({ _tag: "NoteAdded", by: { _tag: "system", reason: "email" } })
  })

  it("a refused command rejects with the tagged error instance itself", async () => {
    const { helpdesk, ticket } = await setup()
    const error = await rejection(helpdesk.changeStatus({ ticket: 69369, by: mary, status: "closed" }))
    expect(error).toBeInstanceOf(TicketError.TransitionNotAllowed)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ _tag: "TransitionNotAllowed", ticketId: ticket.id, from: "new", to: "closed" })
    expect(PromiseHelpdesk.isHelpdeskError(error)).toBe(true)
    // #15: the message names the number people quote, not the internal id.
    expect((error as Error).message).toBe("Ticket 69369 cannot move from new to closed")
  })

  it("an agent writing on a closed ticket is refused with TicketClosed", async () => {
    const { helpdesk, ticket, advance } = await setup()
    await helpdesk.changeStatus({ ticket: 69369, by: mary, status: "solved" })
    advance(hours(96))
    expect(await helpdesk.runDueTimers()).toBe(1)
    const error = await rejection(helpdesk.reply({ ticket: 69369, by: mary, text: "One more thing" }))
    expect(error).toBeInstanceOf(TicketError.TicketClosed)
    expect(error).toMatchObject({ _tag: "TicketClosed", ticketId: ticket.id })
  })

  it("references to unknown records reject with NotInDirectory and TicketNotFound", async () => {
    const { helpdesk } = await setup()
    const agent = await rejection(helpdesk.assign({ ticket: 69369, by: mary, assignee: "nobody" }))
    expect(agent).toBeInstanceOf(DirectoryError.NotInDirectory)
    expect(agent).toMatchObject({ _tag: "NotInDirectory", kind: "agent", id: "nobody" })
    const ticket = await rejection(helpdesk.asSystem("test").get(424242))
    expect(ticket).toBeInstanceOf(TicketError.TicketNotFound)
    expect(ticket).toMatchObject({ ticketId: 424242 })
    expect(await rejection(helpdesk.getContact("nobody"))).toMatchObject({ _tag: "NotInDirectory", kind: "contact" })
  })

  it("a stale expectedVersion rejects with VersionConflict", async () => {
    const { helpdesk, ticket } = await setup()
    const error = await rejection(helpdesk.tag({ ticket: 69369, by: mary, add: ["refund"], expectedVersion: 0 }))
    expect(error).toMatchObject({ _tag: "VersionConflict", ticketId: ticket.id, expected: 0, actual: 1 })
    expect((error as { retryable: boolean }).retryable).toBe(true)
  })

  it("malformed input rejects with InvalidInput listing each problem with its path", async () => {
    const { helpdesk } = await setup()
    const raw = {
      requester: { email: "jane.sharpe@example.com" },
      subject: 42, // wrong type
      channel: "carrier-pigeon", // not a channel
      urgent: true // not a field
    }
    const error = await rejection(helpdesk.open(raw as unknown as Parameters<typeof helpdesk.open>[0]))
    expect(error).toBeInstanceOf(Input.InvalidInput)
    const invalid = error as Input.InvalidInput
    expect(invalid.input).toBe("open")
    expect(invalid.problems).toEqual(
      expect.arrayContaining([
        { path: ["subject"], message: "Expected string" },
        { path: ["channel"], message: expect.stringContaining('"email"') },
        { path: ["urgent"], message: "Expected no excess property" }
      ])
    )
    expect(invalid.message).toContain("subject: Expected string")
  })

  it("a status that is not a status id is invalid input; an undeclared one is UnknownStatus", async () => {
    const { helpdesk } = await setup()
    const malformed = await rejection(helpdesk.changeStatus({ ticket: 69369, by: mary, status: "Solved!" }))
    expect(malformed).toBeInstanceOf(Input.InvalidInput)
    expect((malformed as Input.InvalidInput).problems.map((p) => p.path)).toEqual([["status"]])
    const undeclared = await rejection(helpdesk.changeStatus({ ticket: 69369, by: mary, status: "archived" }))
    expect(undeclared).toBeInstanceOf(TicketError.UnknownStatus)
    expect(undeclared).toMatchObject({ status: "archived" })
  })

  it("a ticket reference of the wrong type is invalid input", async () => {
    const { helpdesk } = await setup()
    const error = await rejection(helpdesk.asSystem("test").get({ id: 69369 } as unknown as number))
    expect(error).toMatchObject({ _tag: "InvalidInput", input: "ticket" })
  })

  it("a requester's reply on a closed ticket opens a linked follow-up with its tags and fields, not its assignee or priority", async () => {
    const { helpdesk, ticket, advance } = await setup({
      customFields: [{ key: "plan", label: "Plan", type: "dropdown", options: ["basic", "pro"] }]
    })
    await helpdesk.assign({ ticket: 69369, by: mary, group: "billing", assignee: "mary" })
    await helpdesk.setCustomField({ ticket: 69369, by: mary, key: "plan", value: "pro" })
    await helpdesk.setPriority({ ticket: 69369, by: mary, priority: "high" })
    await helpdesk.changeStatus({ ticket: 69369, by: mary, status: "solved" })
    advance(hours(96))
    await helpdesk.runDueTimers()
    advance(hours(24))

    const followUp = await helpdesk.reply({
      ticket: 69369,
      by: { _tag: "contact", id: ticket.requester },
      text: "The double charge is back this month."
    })

    expect(followUp.publicId).toBe(69370)
    expect(followUp.links).toEqual([{ kind: "follow_up_of", ticketId: ticket.id }])
    expect(followUp).toMatchObject({
      requester: ticket.requester,
      subject: ticket.subject,
      tags: ["billing"],
      customFields: { plan: "pro" },
      group: "billing",
      priority: "normal",
      status: "new",
      description: "The double charge is back this month."
    })
    expect(followUp.assignee).toBeUndefined()
    const closed = await helpdesk.asSystem("test").get(69369)
    expect(closed.status).toBe("closed")
    expect(closed.links).toEqual([{ kind: "followed_up_by", ticketId: followUp.id }])
  })

  it("solved tickets close only once the workflow's delay has passed", async () => {
    const { helpdesk, advance } = await setup()
    await helpdesk.changeStatus({ ticket: 69369, by: mary, status: "solved" })
    advance(hours(96) - 1)
    expect(await helpdesk.runDueTimers()).toBe(0)
    expect((await helpdesk.asSystem("test").get(69369)).status).toBe("solved")
    advance(1)
    expect(await helpdesk.runDueTimers()).toBe(1)
    const closed = await helpdesk.asSystem("test").get(69369)
    expect(closed).toMatchObject({ status: "closed", closedAt: "2025-05-05T11:15:00.000Z" })
    const last = (await helpdesk.asSystem("test").history(69369)).at(-1)
    expect(last).toMatchObject({ _tag: "StatusChanged", from: "solved", to: "closed", by: { _tag: "system" } })
  })

  it("queries resolve with pages of summaries", async () => {
    const { helpdesk } = await setup()
    const page = await helpdesk.asSystem("test").list({ tagsAny: ["billing"] })
    expect(page.nextCursor).toBeUndefined()
    expect(page.items).toHaveLength(1)
    expect(page.items[0]).toMatchObject({ publicId: 69369, createdAt: "2025-05-01T11:15:00.000Z" })
    expect(page.items[0]).not.toHaveProperty("messages")
    expect((await helpdesk.asSystem("test").list()).items).toHaveLength(1)
    expect(await rejection(helpdesk.asSystem("test").list({ cursor: "not-a-cursor" }))).toMatchObject({
      _tag: "InvalidCursor"
    })
  })

  it("directory lookups resolve with JSON records, or undefined when nobody matches", async () => {
    const { helpdesk } = await setup()
    const jane = await helpdesk.findContactByEmail("Jane.Sharpe@Example.com")
    expect(jane).toMatchObject({ name: "Jane Sharpe", emails: ["jane.sharpe@example.com"] })
    expect(await helpdesk.findContactByEmail("nobody@example.com")).toBeUndefined()
    const saved = await helpdesk.saveContact({
      ...(jane === undefined ? { name: "" } : { id: jane.id, name: jane.name, emails: [...jane.emails] }),
      externalIds: { billing: "CUS-4471" }
    })
    expect(await helpdesk.getContact(saved.id)).toEqual(saved)
  })

  // #17: notifications write to a contact in their language and time zone.
  it("a contact keeps the language and time zone it is saved with; an unknown time zone is refused", async () => {
    const { helpdesk } = await setup()
    const saved = await helpdesk.saveContact({ name: "Amélie", language: "fr-CA", timeZone: "America/Toronto" })
    expect(await helpdesk.getContact(saved.id)).toMatchObject({ language: "fr-CA", timeZone: "America/Toronto" })
    expect(await rejection(helpdesk.saveContact({ name: "Zed", timeZone: "Mars/Olympus" }))).toMatchObject({
      _tag: "InvalidInput"
    })
    expect(await rejection(helpdesk.saveContact({ name: "Zed", language: "not a language" }))).toMatchObject({
      _tag: "InvalidInput"
    })
  })

  it("rejects a malformed configuration with InvalidConfig", async () => {
    const config = await rejection(createHelpdesk({ workspaceId: "not a workspace id" }))
    expect(config).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(config).toMatchObject({ config: "helpdesk", problems: [{ path: ["workspaceId"] }] })
    expect(PromiseHelpdesk.isHelpdeskError(config)).toBe(true)

    const workflow = await rejection(
      createHelpdesk({
        workflow: {
          statuses: [{ id: "new", category: "new", label: "New" }],
          closeSolvedAfterHours: 96,
          reopen: { default: { _tag: "AlwaysReopen" }, byGroup: {} }
        }
      })
    )
    expect(workflow).toMatchObject({
      _tag: "InvalidConfig",
      problems: expect.arrayContaining([{ path: ["workflow"], message: 'no status in category "closed"' }])
    })

    const misspelt = await rejection(createHelpdesk({ worksapce: "acme" } as PromiseHelpdesk.Options))
    expect(misspelt).toMatchObject({
      _tag: "InvalidConfig",
      problems: [{ path: ["worksapce"], message: "Unexpected key" }]
    })

    const badNumber = await rejection(createHelpdesk({ firstPublicId: 0 }))
    expect(badNumber).toMatchObject({ _tag: "InvalidConfig", problems: [{ path: ["firstPublicId"] }] })
  })

  it("lists every problem of the options at once, SLA calendars included", async () => {
    const error = await rejection(
      createHelpdesk({
        worksapce: "acme",
        workspaceId: "not a workspace id",
        firstPublicId: 0,
        sla: { policies: SlaPolicy.defaultPolicySet, calendars: {} }
      } as PromiseHelpdesk.Options)
    )
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect((error as ConfigError.InvalidConfig).problems.map((p) => p.path)).toEqual([
      ["worksapce"],
      ["firstPublicId"],
      ["workspaceId"],
      ["sla", "policies", "policies", 0, "calendar"],
      ["sla", "policies", "default", "calendar"]
    ])

    const calendars = await rejection(createHelpdesk({ sla: { policies: SlaPolicy.defaultPolicySet, calendars: {} } }))
    expect(calendars).toMatchObject({
      _tag: "InvalidConfig",
      config: "sla-policies",
      problems: [{ path: ["policies", 0, "calendar"] }, { path: ["default", "calendar"] }]
    })
    expect(PromiseHelpdesk.isHelpdeskError(calendars)).toBe(true)
  })

  it("takes SLA and trigger options, and runs the triggers", async () => {
    const helpdesk = await createHelpdesk({
      sla: { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: BusinessCalendar.alwaysOpen } },
      triggers: {
        rules: [
          {
            rule: { id: "tag-all", version: 1 },
            fire: ({ current }) =>
              Effect.succeed(
                current.tags.includes("seen" as never)
                  ? []
                  : [new TicketCommand.ChangeTags({ ticketId: current.id, add: ["seen"], remove: [] })]
              )
          }
        ]
      }
    })
    try {
      const ticket = await helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "VPN",
        text: "Down",
        channel: "email"
      })
      expect(ticket.tags).toEqual(["seen"])
      // The SLA option took: the queue's due time is the first reply's (Standard, normal: 8 h, 24/7).
      const [listed] = (await helpdesk.asSystem("test").list({})).items
      expect(listed?.slaDueAt).toBeDefined()
      expect((await helpdesk.asSystem("test").history(ticket.id)).at(-1)?.rule).toEqual({ id: "tag-all", version: 1 })
    } finally {
      await helpdesk.close()
    }
  })

  it("runs on the ports of a layer, where in-memory options do not apply", async () => {
    const ports = Layer.mergeAll(
      MemoryTicketStore.layer({ firstPublicId: 500 }),
      MemoryDirectoryStore.layer,
      layerSequential
    )
    const conflicting = await rejection(createHelpdesk({ layer: ports, ids: "sequential" }))
    expect(conflicting).toMatchObject({ _tag: "InvalidConfig", problems: [{ path: ["ids"] }] })

    const helpdesk = await createHelpdesk({ layer: ports })
    open.push(helpdesk)
    const ticket = await helpdesk.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "Invoice",
      text: "Where is my invoice?",
      channel: "web"
    })
    expect(ticket).toMatchObject({ id: "tkt_2", publicId: 500, workspaceId: "default" })
  })

  it("rejects with the error of a ports layer that fails to build", async () => {
    class StoreDown extends Error {
      readonly _tag = "StoreDown"
    }
    const failing = Layer.effect(TicketStore.TicketStore, Effect.fail(new StoreDown("no connection")))
    const error = await rejection(
      createHelpdesk({
        layer: Layer.mergeAll(MemoryTicketStore.layer(), failing, MemoryDirectoryStore.layer, layerSequential)
      })
    )
    expect(error).toBeInstanceOf(StoreDown)
  })

  it("a defect (a bug, not a refusal) rejects with an Error", async () => {
    const broken = Layer.effect(
      TicketStore.TicketStore,
      Effect.map(MemoryTicketStore.make(), (store) => ({ ...store, load: () => Effect.die("disk on fire") }))
    )
    const helpdesk = await createHelpdesk({
      layer: Layer.mergeAll(MemoryTicketStore.layer(), broken, MemoryDirectoryStore.layer, layerSequential)
    })
    open.push(helpdesk)
    await helpdesk.open({ requester: { email: "jane.sharpe@example.com" }, subject: "x", text: "x", channel: "web" })
    const error = await rejection(helpdesk.asSystem("test").get(1))
    expect(error).toBeInstanceOf(Error)
    expect(PromiseHelpdesk.isHelpdeskError(error)).toBe(false)
    expect((error as Error).message).toBe("Unexpected failure: disk on fire")
  })

  it("reads the system clock when no `now` is given", async () => {
    const before = Date.now()
    const helpdesk = await createHelpdesk()
    open.push(helpdesk)
    const ticket = await helpdesk.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "Hello",
      text: "Hello",
      channel: "chat"
    })
    expect(Date.parse(ticket.createdAt)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(ticket.createdAt)).toBeLessThanOrEqual(Date.now())
    expect(ticket.id).toMatch(/^tkt_[0-9a-z]{26}$/)
    expect(helpdesk.config.workspaceId).toBe("default")
    expect(helpdesk.config.workflow.closeSolvedAfterHours).toBe(96)
  })

  it("after close(), calls reject with HelpdeskClosed, which isHelpdeskError recognises", async () => {
    const helpdesk = await createHelpdesk()
    await helpdesk.close()
    const read = await rejection(helpdesk.asSystem("test").get(1))
    expect(read).toBeInstanceOf(PromiseHelpdesk.HelpdeskClosed)
    expect(read).toMatchObject({ _tag: "HelpdeskClosed", operation: "get", retryable: false })
    expect((read as Error).message).toBe("This help desk is closed: get was called after close()")
    expect(PromiseHelpdesk.isHelpdeskError(read)).toBe(true)
    const command = await rejection(
      helpdesk.open({ requester: { email: "jane@example.com" }, subject: "Hi", text: "Hello", channel: "email" })
    )
    expect(command).toMatchObject({ _tag: "HelpdeskClosed", operation: "open" })
    const portal = await rejection(helpdesk.forRequester("jane").list({}))
    expect(portal).toMatchObject({ _tag: "HelpdeskClosed", operation: "list" })
  })
})

describe("tickets without their conversation, and the conversation page by page", () => {
  /** `count` more messages on ticket 69369, alternating Mary's replies and notes; their texts. */
  const converse = async (helpdesk: PromiseHelpdesk.HelpdeskClient, advance: (ms: number) => void, count: number) => {
    const texts: Array<string> = []
    for (let i = 0; i < count; i++) {
      advance(60_000)
      const text = `message ${i}`
      if (i % 2 === 0) await helpdesk.reply({ ticket: 69369, by: mary, text })
      else await helpdesk.note({ ticket: 69369, by: mary, text })
      texts.push(text)
    }
    return texts
  }

  /** Every page of the conversation, following `nextCursor`. */
  const allPages = async (
    helpdesk: PromiseHelpdesk.HelpdeskClient,
    ticket: string | number,
    request: PromiseHelpdesk.MessagePageInput
  ) => {
    const pages: Array<ReadonlyArray<string>> = []
    let cursor: string | undefined
    do {
      const page = await helpdesk
        .asSystem("test")
        .messages(ticket, { ...request, ...(cursor === undefined ? {} : { cursor }) })
      pages.push(page.items.map((m) => m.text))
      cursor = page.nextCursor
    } while (cursor !== undefined && pages.length < 100)
    return pages
  }

  // #12: a reply through the facade encoded the whole conversation (56 ms on 20,000 messages).
  it("a command answers with the message count and the last 5 messages, oldest first, not the conversation", async () => {
    const { helpdesk, advance } = await setup()
    const texts = await converse(helpdesk, advance, 7)
    advance(60_000)
    const replied = await helpdesk.reply({ ticket: 69369, by: mary, text: "The last word." })
    expect(replied).not.toHaveProperty("messages")
    expect(replied.messageCount).toBe(9)
    expect(replied.recentMessages.map((m) => m.text)).toEqual([...texts.slice(-4), "The last word."])
    expect(replied.recentMessages.at(-1)).toMatchObject({ visibility: "public", at: "2025-05-01T11:23:00.000Z" })
    const got = await helpdesk.asSystem("test").get(69369)
    expect(got).toEqual(replied)
    expect(JSON.parse(JSON.stringify(got))).toEqual(got)
  })

  it("the answer of a command does not grow with the conversation", async () => {
    const { helpdesk, advance } = await setup()
    await converse(helpdesk, advance, 10)
    const short = JSON.stringify(await helpdesk.tag({ ticket: 69369, by: mary, add: ["one"] })).length
    await converse(helpdesk, advance, 200)
    const long = JSON.stringify(await helpdesk.tag({ ticket: 69369, by: mary, add: ["two"] })).length
    // Only numbers, times and the new tag differ: a few bytes, whatever the 200 messages held.
    expect(Math.abs(long - short)).toBeLessThan(100)
  })

  it("every command that answers with a ticket answers without its conversation", async () => {
    const { helpdesk, ticket } = await setup()
    const other = await helpdesk.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "Second charge",
      text: "Still charged twice.",
      channel: "web"
    })
    const answers = [
      await helpdesk.note({ ticket: ticket.id, by: mary, text: "Checking with billing." }),
      await helpdesk.setPriority({ ticket: ticket.id, by: mary, priority: "high" }),
      await helpdesk.link({ ticket: ticket.id, kind: "related", to: other.id, by: mary }),
      await helpdesk.merge({ target: ticket.id, sources: [other.id], by: mary }),
      await helpdesk.undoMerge({ target: ticket.id, source: other.id, by: mary }),
      await helpdesk.split({ ticket: ticket.id, messages: [ticket.recentMessages[0]?.id ?? ""], by: mary }),
      await helpdesk.asSystem("test").get(ticket.id)
    ]
    for (const answer of answers) {
      expect(answer).not.toHaveProperty("messages")
      expect(answer.recentMessages.length).toBe(Math.min(5, answer.messageCount))
    }
  })

  it("messages reads the whole conversation page by page, in time order or latest first", async () => {
    const { helpdesk, advance } = await setup()
    const texts = ["I was charged twice for my subscription this month.", ...(await converse(helpdesk, advance, 11))]
    const forward = await allPages(helpdesk, 69369, { limit: 5 })
    expect(forward.map((p) => p.length)).toEqual([5, 5, 2])
    expect(forward.flat()).toEqual(texts)
    const backward = await allPages(helpdesk, 69369, { limit: 5, direction: "desc" })
    expect(backward.map((p) => p.length)).toEqual([5, 5, 2])
    expect(backward.flat()).toEqual([...texts].reverse())
    // The default page holds 50, here all 12; internal notes are part of the agents' conversation.
    const all = await helpdesk.asSystem("test").messages(69369)
    expect(all.nextCursor).toBeUndefined()
    expect(all.items.map((m) => m.visibility)).toEqual(
      texts.map((_, i) => (i > 0 && i % 2 === 0 ? "internal" : "public"))
    )
  })

  it("a cursor reads on only the ticket and the direction it was issued for: anything else is InvalidCursor", async () => {
    const { helpdesk, ticket, advance } = await setup()
    await converse(helpdesk, advance, 4)
    const other = await helpdesk.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "Another one",
      text: "Another question.",
      channel: "web"
    })
    await helpdesk.reply({ ticket: other.id, by: mary, text: "Answered." })
    const { nextCursor } = await helpdesk.asSystem("test").messages(ticket.id, { limit: 2 })
    const cursor = nextCursor as string
    expect(await rejection(helpdesk.asSystem("test").messages(other.id, { limit: 2, cursor }))).toMatchObject({
      _tag: "InvalidCursor"
    })
    expect(
      await rejection(helpdesk.asSystem("test").messages(ticket.id, { limit: 2, cursor, direction: "desc" }))
    ).toMatchObject({
      _tag: "InvalidCursor"
    })
    // Rewriting the ticket a cursor names does not make it read the other ticket either.
    const payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    const forged = Buffer.from(JSON.stringify({ ...payload, t: other.id }), "utf8").toString("base64url")
    expect(await rejection(helpdesk.asSystem("test").messages(ticket.id, { cursor: forged }))).toMatchObject({
      _tag: "InvalidCursor"
    })
    // Naming the other ticket in the call reads that ticket (as it would without a cursor), never this one.
    const others = (await helpdesk.asSystem("test").messages(other.id)).items.map((m) => m.id)
    const seek = await helpdesk.asSystem("test").messages(other.id, { cursor: forged })
    expect(seek.items.every((m) => others.includes(m.id))).toBe(true)
    expect(await rejection(helpdesk.asSystem("test").messages(ticket.id, { cursor: "not-a-cursor" }))).toMatchObject({
      _tag: "InvalidCursor"
    })
    // The cursor still reads its own ticket.
    expect((await helpdesk.asSystem("test").messages(ticket.id, { limit: 2, cursor })).items).toHaveLength(2)
  })

  it("a malformed page request rejects with InvalidInput, an unknown ticket with TicketNotFound", async () => {
    const { helpdesk } = await setup()
    expect(await rejection(helpdesk.asSystem("test").messages(69369, { limit: 0 }))).toMatchObject({
      _tag: "InvalidInput",
      problems: [{ path: ["limit"] }]
    })
    expect(await rejection(helpdesk.asSystem("test").messages(69369, { limit: 501 }))).toMatchObject({
      _tag: "InvalidInput"
    })
    const misspelt = { limt: 5 } as PromiseHelpdesk.MessagePageInput
    expect(await rejection(helpdesk.asSystem("test").messages(69369, misspelt))).toMatchObject({
      _tag: "InvalidInput",
      problems: [{ path: ["limt"] }]
    })
    expect(await rejection(helpdesk.asSystem("test").messages(424242))).toMatchObject({ _tag: "TicketNotFound" })
  })

  it("toTicketJson encodes a ticket of the Effect service the way the facade answers", async () => {
    const ticket = await Effect.runPromise(
      Effect.gen(function* () {
        const service = yield* Helpdesk.Helpdesk
        const opened = yield* service.open({
          requester: { email: "jane@example.com" },
          subject: "VPN",
          text: "Down again.",
          channel: "email"
        })
        for (let i = 0; i < 6; i++)
          yield* service.reply({ ticket: opened.id, by: { _tag: "contact", id: opened.requester }, text: `r${i}` })
        return yield* service.asSystem("test").get(opened.id)
      }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
    )
    const json = PromiseHelpdesk.toTicketJson(ticket)
    const { messages, ...rest } = Schema.encodeSync(Ticket.Ticket)(ticket)
    expect(json).toEqual({ ...rest, messageCount: 7, recentMessages: messages.slice(2) })
    expect(json.recentMessages.map((m) => m.text)).toEqual(["r1", "r2", "r3", "r4", "r5"])
  })
})
