// bench/facade: the Promise facade (`createHelpdesk`) against the `Helpdesk` Effect service it
// wraps, on a ticket with a long conversation (issue 12: a reply through the facade took 56 ms on
// a 20,000-message ticket, 2.4 ms through the service, because the facade encoded the whole
// conversation into every answer).
//
// Method: in-memory ports, built once and shared by a facade and an Effect service. Two tickets,
// each opened and then given N-1 more messages (replies from the requester and internal notes,
// appended to the store in batches), one written through the facade and one through the service,
// so that neither instance's remembered state goes stale under the other. Replies are timed
// alternately (facade, service, facade, ...) after a warm-up, each a complete call: the facade's
// promise, and `Effect.runPromise` of the service's effect. `get` is timed the same way, and the
// facade's first page of `messages` too (no service counterpart: its baseline is the facade's
// `get`).
//
// Usage: pnpm bench facade [--messages N] [--samples N]
import { parseArgs } from "node:util"
import {
  Actor,
  createHelpdesk,
  Helpdesk,
  IdGenerator,
  MemoryDirectoryStore,
  MemoryTicketStore,
  TicketEvent,
  TicketStore
} from "@tessera/core"
import { Context, DateTime, Effect, Layer } from "effect"
import { figures, percentile, type Row, table } from "../lib/report.js"

const { values } = parseArgs({
  options: { messages: { type: "string", default: "20000" }, samples: { type: "string", default: "60" } }
})
const messageCount = Number(values.messages)
const samples = Number(values.samples)
if (!Number.isInteger(messageCount) || messageCount < 2) throw new Error(`--messages must be an integer >= 2`)
if (!Number.isInteger(samples) || samples < 10) throw new Error(`--samples must be an integer >= 10`)

const log = (message: string) => process.stderr.write(`[bench facade] ${message}\n`)

const ports = Layer.mergeAll(MemoryTicketStore.layer(), MemoryDirectoryStore.layer, IdGenerator.layerSequential)
// The memory ports hold no resources: the context outlives the scope it was built in.
const context = await Effect.runPromise(Effect.scoped(Layer.build(ports)))
const shared = Layer.succeedContext(context)
const config = { workspaceId: "bench" }

const facade = await createHelpdesk({ workspaceId: config.workspaceId, layer: shared })
const service = await Effect.runPromise(Helpdesk.make(config).pipe(Effect.provide(context)))
const store = Context.get(context, TicketStore.TicketStore)

const mary = { _tag: "agent", id: "mary" } as const
await facade.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })

/** A ticket with `messageCount` messages: opened through `open`, the rest appended in batches. */
const longTicket = async (open: () => Promise<{ readonly id: string; readonly requester: string }>) => {
  const opened = await open()
  const ticketId = opened.id as TicketEvent.TicketEvent["ticketId"]
  const requester = Actor.contact(opened.requester)
  const agent = Actor.agent("mary")
  const at = DateTime.makeUnsafe("2026-03-09T09:00:00Z")
  const batch = 5_000
  for (let from = 1; from < messageCount; from += batch) {
    const events: Array<TicketEvent.TicketEvent> = []
    for (let i = from; i < Math.min(messageCount, from + batch); i++) {
      const message = {
        id: `msg_seed_${ticketId}_${i}` as never,
        channel: "email" as const,
        at,
        text: `Message ${i}: the VPN dropped again at the office, here are the logs of this morning.`,
        attachments: []
      }
      events.push(
        i % 2 === 0
          ? new TicketEvent.ReplyAdded({
              ticketId,
              at,
              by: requester,
              message: { ...message, visibility: "public", author: requester }
            })
          : new TicketEvent.NoteAdded({
              ticketId,
              at,
              by: agent,
              message: { ...message, visibility: "internal", author: agent }
            })
      )
    }
    const { version } = await Effect.runPromise(store.read(ticketId))
    await Effect.runPromise(store.append(ticketId, version, events))
  }
  return ticketId
}

const openInput = {
  requester: { email: "jane@example.com", name: "Jane" },
  subject: "VPN drops every hour",
  text: "Since this morning my VPN disconnects every hour.",
  channel: "email" as const
}
log(`seeding two tickets of ${messageCount} messages`)
const viaFacade = await longTicket(() => facade.open(openInput))
const viaService = await longTicket(() => Effect.runPromise(service.open(openInput)))

const now = () => performance.now()

/** Times `a` and `b` alternately, `samples` times each after `warmup` untimed calls of each. */
const alternate = async (a: () => Promise<unknown>, b: () => Promise<unknown>, warmup = 5) => {
  for (let i = 0; i < warmup; i++) {
    await a()
    await b()
  }
  const as: Array<number> = []
  const bs: Array<number> = []
  for (let i = 0; i < samples; i++) {
    const first = i % 2 === 0
    for (const [fn, into] of first
      ? ([
          [a, as],
          [b, bs]
        ] as const)
      : ([
          [b, bs],
          [a, as]
        ] as const)) {
      const start = now()
      await fn()
      into.push(now() - start)
    }
  }
  as.sort((x, y) => x - y)
  bs.sort((x, y) => x - y)
  return { a: as, b: bs }
}

let n = 0
const reply = (ticket: string) => ({ ticket, by: mary, text: `Reply ${++n}: could you send the client version?` })

log("timing replies")
const replies = await alternate(
  () => facade.reply(reply(viaFacade)),
  () => Effect.runPromise(service.reply(reply(viaService)))
)
log("timing get")
const gets = await alternate(
  () => facade.asSystem("bench").get(viaFacade),
  () => Effect.runPromise(service.asSystem("bench").get(viaService))
)

log("timing pages of messages")
// A page of 50 from the middle of the conversation, through the facade; its baseline is `get`
// through the service (the state the page is cut from), so the ratio is what paging adds.
const middle = await facade.asSystem("bench").messages(viaFacade, { limit: 50 })
let cursor = middle.nextCursor
for (let i = 0; i < messageCount / 100 && cursor !== undefined; i++) {
  cursor = (await facade.asSystem("bench").messages(viaFacade, { limit: 50, cursor })).nextCursor
}
const pageCursor = cursor
const pages = await alternate(
  () =>
    facade
      .asSystem("bench")
      .messages(viaFacade, { limit: 50, ...(pageCursor === undefined ? {} : { cursor: pageCursor }) }),
  () => Effect.runPromise(service.asSystem("bench").get(viaService))
)

const facadeTicket = await facade.asSystem("bench").get(viaFacade)
const serviceTicket = await Effect.runPromise(service.asSystem("bench").get(viaService))
const answerBytes = JSON.stringify(facadeTicket).length

const rows: Array<Row> = [
  ["reply", replies.a, replies.b],
  ["get", gets.a, gets.b],
  ["messages (50) / service get", pages.a, pages.b]
].map(([what, facadeSamples, serviceSamples]) => ({
  call: what as string,
  "facade p50 ms": percentile(facadeSamples as Array<number>, 50),
  "facade p95 ms": percentile(facadeSamples as Array<number>, 95),
  "service p50 ms": percentile(serviceSamples as Array<number>, 50),
  "service p95 ms": percentile(serviceSamples as Array<number>, 95)
}))
table(rows)
log(
  `messages on the tickets: facade ${facadeTicket.messageCount}, service ${serviceTicket.messages.length}; answer of the facade's get: ${answerBytes} bytes of JSON`
)
await facade.close()

figures("facade", {
  replyMs: {
    value: percentile(replies.a, 50),
    unit: "ms",
    baseline: `the same reply through the Helpdesk Effect service (Effect.runPromise), ticket of ${messageCount} messages, p50`,
    baselineValue: percentile(replies.b, 50)
  },
  getMs: {
    value: percentile(gets.a, 50),
    unit: "ms",
    baseline: `get through the Helpdesk Effect service, ticket of ${messageCount} messages, p50`,
    baselineValue: percentile(gets.b, 50)
  },
  messagesPageMs: {
    value: percentile(pages.a, 50),
    unit: "ms",
    baseline: `get through the Helpdesk Effect service (the state a page is cut from), ticket of ${messageCount} messages, p50`,
    baselineValue: percentile(pages.b, 50)
  }
})
