/**
 * #12: every bound of `Limits` that a schema checks, at the limit (decodes) and one beyond
 * (`InvalidInput` naming the field), and the error the others are reported with.
 */
import { Effect, Exit, type Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Conversation from "../../src/helpdesk/Conversation.js"
import * as In from "../../src/helpdesk/HelpdeskInput.js"
import { decode, decodeCommand } from "../../src/helpdesk/Input.js"
import { TicketQuery } from "../../src/query/TicketQuery.js"
import { PublicId } from "../../src/values/Ids.js"
import * as Limits from "../../src/values/Limits.js"

const mary = { _tag: "agent", id: "mary" } as const
const times = <A>(n: number, f: (i: number) => A): Array<A> => Array.from({ length: n }, (_, i) => f(i))
const chars = (n: number) => "x".repeat(n)
const attachment = (i: number, extra: object = {}) => ({
  fileName: `f${i}`,
  contentType: "text/plain",
  size: 1,
  ...extra
})
const reply = (fields: object) => ({ ticket: 1, by: mary, text: "Hi", ...fields })
const open = (fields: object) => ({ requester: { id: "jane" }, subject: "Hi", text: "Hi", channel: "web", ...fields })

interface Bound {
  readonly name: string
  readonly schema: Schema.Decoder<unknown>
  readonly limit: number
  /** The input with `n` of what is bounded. */
  readonly input: (n: number) => unknown
  /** Where the problem one beyond is reported. */
  readonly path: ReadonlyArray<string | number>
}

/** A value each filter accepts (tags and statuses are free-form). */
const filterValue: Readonly<Record<string, string>> = { category: "open", priority: "low", channel: "web" }

const bounds: ReadonlyArray<Bound> = [
  {
    name: "attachments per message",
    schema: In.MessageInput,
    limit: Limits.attachmentsPerMessage,
    input: (n) => reply({ attachments: times(n, (i) => attachment(i)) }),
    path: ["attachments"]
  },
  {
    name: "an attachment's location",
    schema: In.MessageInput,
    limit: Limits.locationLength,
    input: (n) => reply({ attachments: [attachment(0, { location: chars(n) })] }),
    path: ["attachments", 0, "location"]
  },
  {
    name: "an attachment's Content-ID",
    schema: In.MessageInput,
    limit: Limits.emailIdLength,
    input: (n) => reply({ attachments: [attachment(0, { contentId: chars(n) })] }),
    path: ["attachments", 0, "contentId"]
  },
  {
    name: "email references",
    schema: In.MessageInput,
    limit: Limits.referencesPerMessage,
    input: (n) => reply({ email: { messageId: "<a@b>", references: times(n, (i) => `<${i}@b>`) } }),
    path: ["email", "references"]
  },
  {
    name: "a reference's length",
    schema: In.MessageInput,
    limit: Limits.emailIdLength,
    input: (n) => reply({ email: { messageId: "<a@b>", references: [chars(n)] } }),
    path: ["email", "references", 0]
  },
  {
    name: "In-Reply-To",
    schema: In.MessageInput,
    limit: Limits.emailIdLength,
    input: (n) => reply({ email: { messageId: "<a@b>", inReplyTo: chars(n), references: [] } }),
    path: ["email", "inReplyTo"]
  },
  {
    name: "a message's text",
    schema: In.MessageInput,
    limit: Limits.textLength,
    input: (n) => reply({ text: chars(n) }),
    path: ["text"]
  },
  {
    name: "tags of open",
    schema: In.OpenInput,
    limit: Limits.tagsPerTicket,
    input: (n) => open({ tags: times(n, (i) => `t${i}`) }),
    path: ["tags"]
  },
  {
    name: "a tag's length",
    schema: In.TagsInput,
    limit: Limits.tagLength,
    input: (n) => ({ ticket: 1, by: mary, add: [chars(n)] }),
    path: ["add", 0]
  },
  {
    name: "tags added at once",
    schema: In.TagsInput,
    limit: Limits.tagsPerTicket,
    input: (n) => ({ ticket: 1, by: mary, add: times(n, (i) => `t${i}`) }),
    path: ["add"]
  },
  {
    name: "tags removed at once",
    schema: In.TagsInput,
    limit: Limits.tagsPerTicket,
    input: (n) => ({ ticket: 1, by: mary, remove: times(n, (i) => `t${i}`) }),
    path: ["remove"]
  },
  {
    name: "custom fields of open",
    schema: In.OpenInput,
    limit: Limits.customFieldsPerWorkspace,
    input: (n) => open({ customFields: Object.fromEntries(times(n, (i) => [`f${i}`, i])) }),
    path: ["customFields"]
  },
  {
    name: "a custom field's text",
    schema: In.CustomFieldInput,
    limit: Limits.fieldValueLength,
    input: (n) => ({ ticket: 1, by: mary, key: "notes", value: chars(n) }),
    path: ["value"]
  },
  {
    name: "a chosen public number",
    schema: In.OpenInput,
    limit: Limits.publicIdMax,
    input: (n) => open({ publicId: n }),
    path: ["publicId"]
  },
  {
    name: "messages moved by a split",
    schema: In.SplitInput,
    limit: Limits.messagesPerSplit,
    input: (n) => ({ ticket: 1, by: mary, messages: times(n, (i) => `msg_${i}`) }),
    path: ["messages"]
  },
  {
    name: "a contact's emails",
    schema: In.ContactInput,
    limit: Limits.directoryListLength,
    input: (n) => ({ name: "Jane", emails: times(n, (i) => `j${i}@example.com`) }),
    path: ["emails"]
  },
  {
    name: "a contact's phones",
    schema: In.ContactInput,
    limit: Limits.directoryListLength,
    input: (n) => ({ name: "Jane", phones: times(n, (i) => `+33 ${i}`) }),
    path: ["phones"]
  },
  {
    name: "a contact's external ids",
    schema: In.ContactInput,
    limit: Limits.directoryListLength,
    input: (n) => ({ name: "Jane", externalIds: Object.fromEntries(times(n, (i) => [`crm${i}`, `C-${i}`])) }),
    path: ["externalIds"]
  },
  {
    name: "a contact's name",
    schema: In.ContactInput,
    limit: Limits.nameLength,
    input: (n) => ({ name: chars(n) }),
    path: ["name"]
  },
  {
    name: "an organization's domains",
    schema: In.OrganizationInput,
    limit: Limits.directoryListLength,
    input: (n) => ({ name: "Acme", domains: times(n, (i) => `d${i}.example`) }),
    path: ["domains"]
  },
  {
    name: "an agent's skills",
    schema: In.AgentInput,
    limit: Limits.directoryListLength,
    input: (n) => ({ name: "Mary", email: "mary@acme.test", skills: times(n, (i) => `s${i}`) }),
    path: ["skills"]
  },
  {
    name: "an agent's groups",
    schema: In.AgentInput,
    limit: Limits.directoryListLength,
    input: (n) => ({ name: "Mary", email: "mary@acme.test", groups: times(n, (i) => `g${i}`) }),
    path: ["groups"]
  },
  {
    name: "a group's name",
    schema: In.GroupInput,
    limit: Limits.nameLength,
    input: (n) => ({ name: chars(n) }),
    path: ["name"]
  },
  {
    name: "a workspace's custom fields",
    schema: In.Config,
    limit: Limits.customFieldsPerWorkspace,
    input: (n) => ({
      workspaceId: "acme",
      customFields: times(n, (i) => ({ key: `f${i}`, label: "F", type: "text" }))
    }),
    path: ["customFields"]
  },
  {
    name: "a subject",
    schema: In.OpenInput,
    limit: Limits.subjectLength,
    input: (n) => open({ subject: chars(n) }),
    path: ["subject"]
  },
  {
    name: "an escalation's reason",
    schema: In.EscalateInput,
    limit: Limits.reasonLength,
    input: (n) => ({ ticket: 1, by: mary, reason: chars(n) }),
    path: ["reason"]
  },
  {
    name: "a merge's sources",
    schema: In.MergeInput,
    limit: Limits.sourcesPerMerge,
    input: (n) => ({ target: 1, by: mary, sources: times(n, (i) => i + 2) }),
    path: ["sources"]
  },
  {
    name: "suggestions asked for",
    schema: In.DuplicatesInput,
    limit: Limits.suggestionsPerRequest,
    input: (n) => ({ ticket: 1, limit: n }),
    path: ["limit"]
  },
  {
    name: "tickets on a page",
    schema: TicketQuery,
    limit: Limits.ticketsPerPage,
    input: (n) => ({ limit: n }),
    path: ["limit"]
  },
  {
    name: "a search",
    schema: TicketQuery,
    limit: Limits.searchLength,
    input: (n) => ({ search: chars(n) }),
    path: ["search"]
  },
  {
    name: "messages on a page",
    schema: Conversation.PageRequest,
    limit: Limits.messagesPerPage,
    input: (n) => ({ limit: n }),
    path: ["limit"]
  },
  {
    name: "an attachment's file name",
    schema: In.MessageInput,
    limit: Limits.fileNameLength,
    input: (n) => reply({ attachments: [{ ...attachment(0), fileName: chars(n) }] }),
    path: ["attachments", 0, "fileName"]
  },
  ...(["tagsAny", "tagsAll", "status", "category", "priority", "channel"] as const).map(
    (field): Bound => ({
      name: `values of the ${field} filter`,
      schema: TicketQuery,
      limit: Limits.valuesPerFilter,
      input: (n) => ({
        [field]: times(n, () => filterValue[field] ?? "vpn")
      }),
      path: [field]
    })
  )
]

const decoded = (bound: Bound, n: number) => Effect.runSyncExit(decode(bound.schema, bound.name)(bound.input(n)))

describe("the limits the schemas check", () => {
  it.each(bounds.map((b) => [b.name, b] as const))("%s: at the limit decodes, one beyond is InvalidInput", (_, b) => {
    const at = decoded(b, b.limit)
    expect(Exit.isSuccess(at), Exit.isFailure(at) ? String(Exit.findErrorOption(at)) : "").toBe(true)
    const beyond = decoded(b, b.limit + 1)
    expect(Exit.findErrorOption(beyond)).toMatchObject({ _tag: "Some", value: { _tag: "InvalidInput" } })
    const error = Exit.isFailure(beyond) ? Exit.findErrorOption(beyond) : undefined
    const problems =
      error?._tag === "Some" ? (error.value as { problems: ReadonlyArray<{ path: unknown }> }).problems : []
    expect(problems.map((p) => p.path)).toContainEqual(b.path)
  })

  it("a command decoded from JSON holds the same bounds", () => {
    const command = (n: number) => ({
      _tag: "ChangeTags",
      ticketId: "tkt_1",
      add: times(n, (i) => `t${i}`),
      remove: []
    })
    expect(Exit.isSuccess(Effect.runSyncExit(decodeCommand(command(Limits.tagsPerTicket))))).toBe(true)
    expect(Exit.isFailure(Effect.runSyncExit(decodeCommand(command(Limits.tagsPerTicket + 1))))).toBe(true)
  })

  it("a public number is at most 2^31-1, what every store's column holds", () => {
    const is = (n: number) => Exit.isSuccess(Effect.runSyncExit(decode(PublicId, "publicId")(n)))
    expect([is(1), is(Limits.publicIdMax), is(Limits.publicIdMax + 1), is(Number.MAX_SAFE_INTEGER)]).toEqual([
      true,
      true,
      false,
      false
    ])
  })

  // #12: a reply with 1,000,000 attachment entries was accepted and grew the process by 1.1 GB;
  // checked after decoding every entry, it still took seconds and tens of megabytes to refuse.
  it("a million attachments are refused before any is decoded: in milliseconds, with no heap to speak of", () => {
    const input = reply({ attachments: times(1_000_000, (i) => attachment(i)) })
    const heapBefore = process.memoryUsage().heapUsed
    const started = performance.now()
    const exit = Effect.runSyncExit(decode(In.MessageInput, "reply")(input))
    const millis = performance.now() - started
    const grown = process.memoryUsage().heapUsed - heapBefore
    expect(Exit.findErrorOption(exit)).toMatchObject({
      _tag: "Some",
      value: { _tag: "InvalidInput", problems: [{ path: ["attachments"] }] }
    })
    expect(millis).toBeLessThan(250)
    expect(grown).toBeLessThan(4_000_000)
  })
})

describe("LimitExceeded", () => {
  it("is refused on retry: not retryable, and says which limit, how far and for which operation", () => {
    const error = Limits.check("tagsPerTicket", 1_001, "open")
    expect(error).toMatchObject({ _tag: "LimitExceeded", limit: "tagsPerTicket", max: 1_000, actual: 1_001 })
    expect(error?.retryable).toBe(false)
    expect(error?.message).toBe("open: tagsPerTicket is at most 1000 (this request: 1001)")
    expect(new Limits.LimitExceeded({ ...(error as Limits.LimitExceeded), step: "ChangeTags" }).message).toBe(
      "open (in ChangeTags): tagsPerTicket is at most 1000 (this request: 1001)"
    )
    expect(Limits.check("tagsPerTicket", 1_000, "open")).toBeUndefined()
  })

  it("a write is held to the events of one append and the streams of one batch", () => {
    const events = (n: number) => ({ events: times(n, () => null) })
    expect(Limits.checkWrite([events(Limits.eventsPerAppend)], "append")).toBeUndefined()
    expect(Limits.checkWrite([events(1), events(Limits.eventsPerAppend + 1)], "appendAll")).toMatchObject({
      limit: "eventsPerAppend",
      actual: 10_001,
      operation: "appendAll"
    })
    expect(
      Limits.checkWrite(
        times(Limits.streamsPerBatch + 1, () => events(0)),
        "appendAll"
      )
    ).toMatchObject({
      limit: "streamsPerBatch",
      actual: 1_001
    })
  })

  it("a change is held to a ticket's limits only where it grows", () => {
    const over = { tags: 1_200, messages: 10 }
    expect(Limits.checkTicket(over, { tags: 1_100, messages: 10 }, "tag")).toBeUndefined()
    expect(Limits.checkTicket(over, { tags: 1_201, messages: 10 }, "tag")).toMatchObject({ actual: 1_201 })
    expect(Limits.checkTicket(over, { tags: 1_200, messages: 100_001 }, "note")).toMatchObject({
      limit: "messagesPerTicket"
    })
  })
})
