/**
 * The conformance suite of `Limits` (issue 12): every store, the in-memory one included, accepts
 * each limit exactly and answers as the reference does, and refuses one beyond it with the same
 * typed error (`LimitExceeded` from the store or `decide`, `InvalidInput` from a schema). Cases run
 * on the store's port directly (events per append, streams per batch, tags and messages per ticket,
 * the largest public number) and through a `Helpdesk` on it (`open` with 1,000 tags, `tag` adding
 * 1,000, `list` with 1,000-value filters, a split of 10,000 messages of a 20,050-message ticket).
 * `run` registers them as tests; `check` runs them and counts, for the reliability suite.
 */
import { DateTime, Effect, Option, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { OutboxMessage } from "../ports/Outbox.js"
import type { AppendRequest } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import * as TicketQuery from "../query/TicketQuery.js"
import * as Ticket from "../ticket/Ticket.js"
import type { PublicId, TicketId, WorkspaceId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import type { Attachment } from "../values/Message.js"
import type { Tag } from "../values/Tag.js"
import * as Fixtures from "./internal/fixtures.js"
import {
  messageOf,
  noteOf,
  openedWith,
  secondsLater,
  tagsChanged,
  ticketWithMessages
} from "./internal/limitsEvents.js"

/**
 * What a case may ask of the store it is built from (a store adapter's own options).
 *
 * @category models
 * @since 0.1.0
 */
export interface StoreOptions {
  /** The first public number handed out in each workspace. */
  readonly firstPublicId?: number
}

/**
 * Builds the adapter's store (`TicketStore` with its `Timers` and `Outbox`) for one case.
 *
 * @category models
 * @since 0.1.0
 */
export type StoreFor<E> = (options: StoreOptions) => Fixtures.StoreLayer<E>

/**
 * What `check` found: the cases run and failed, the checks at a limit that passed and the
 * refusals one beyond that came with the right error.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly cases: number
  readonly failures: ReadonlyArray<{ readonly name: string; readonly message: string }>
  readonly atLimit: number
  readonly beyond: number
}

/**
 * How much time each case may take (default 5 minutes: the largest builds a 100,000-message ticket).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly timeout?: number
}

/** Counts of one case: checks at a limit that passed, refusals beyond one with the right error. */
interface Tally {
  atLimit: number
  beyond: number
}

interface Case {
  readonly name: string
  readonly run: (storeFor: StoreFor<unknown>, tally: Tally) => Promise<void>
}

type Ports = Fixtures.Ports

const { failureOf, mary, startAt, ticketIn } = Fixtures
const perform = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)
const tagsNamed = (prefix: string, n: number): Array<Tag> => range(n).map((i) => `${prefix}${i}` as Tag)

/** One beyond a limit, refused with `LimitExceeded` naming it, the request's size and the operation. */
const expectLimit = async <A, E>(
  tally: Tally,
  effect: Effect.Effect<A, E>,
  limit: Limits.LimitName,
  actual: number,
  operation: string,
  step?: string
) => {
  const error = await perform(failureOf(effect))
  expect(error, `${operation} beyond ${limit}`).toBeInstanceOf(Limits.LimitExceeded)
  expect(error).toMatchObject({ limit, max: Limits.maxima[limit], actual, operation, ...(step ? { step } : {}) })
  expect((error as Limits.LimitExceeded).retryable).toBe(false)
  tally.beyond++
}

/** One beyond a schema's limit, refused at decode with `InvalidInput` at `path`. */
const expectInvalid = async <A, E>(tally: Tally, effect: Effect.Effect<A, E>, path: ReadonlyArray<string>) => {
  const error = await perform(failureOf(effect))
  expect(error, `refused at ${path.join(".")}`).toMatchObject({ _tag: "InvalidInput" })
  const problems = (error as unknown as { problems: ReadonlyArray<{ path: ReadonlyArray<unknown> }> }).problems
  expect(problems.map((p) => p.path.slice(0, path.length))).toContainEqual(path)
  tally.beyond++
}

/** Reads a stream back: its version is its length, and `load` is the fold of `read`. */
const readBack = async (ports: Ports, ticketId: TicketId) => {
  const stream = await perform(ports.tickets.read(ticketId))
  const loaded = await perform(ports.tickets.load(ticketId))
  expect(stream.version).toBe(stream.events.length)
  expect(loaded.version).toBe(stream.version)
  expect(loaded.state).toEqual(Ticket.fold(stream.events))
  return { stream, state: loaded.state }
}

/** A help desk on the store, its directory in memory, with Mary as an agent. */
const deskOn = async (ports: Ports, ws: WorkspaceId) => {
  const desk = await Fixtures.helpdeskOn(ports, ws)
  await perform(desk.saveContact({ id: "jane", name: "Jane", emails: ["jane@limits.test"] }))
  return desk
}

/** Runs `f` on a store built for the case, released at the end. */
const onStore = <A>(storeFor: StoreFor<unknown>, options: StoreOptions, f: (ports: Ports) => Promise<A>) =>
  Fixtures.withBuiltPorts(storeFor(options), f)

const fresh = () => perform(Fixtures.freshWorkspace)

/** `values` repeated in turn up to `n` of them. */
const cycled = <A>(values: ReadonlyArray<A>, n: number = Limits.valuesPerFilter): Array<A> =>
  range(n).map((i) => values[i % values.length] as A)

/**
 * Three tickets for the filter cases (one with 1,000 tags, one with two of them, one with none),
 * and a check that `list` answers a query on them as `TicketQuery.run` does.
 */
const filtered = async (ports: Ports, tally: Tally) => {
  const ws = await fresh()
  const desk = await deskOn(ports, ws)
  const open = (tags: ReadonlyArray<string>) =>
    perform(desk.open({ requester: { id: "jane" }, subject: "Filters", text: "Filtered", channel: "web", tags }))
  const all = tagsNamed("f", Limits.tagsPerTicket)
  await open(all)
  await open(["f0", "other"])
  await open([])
  const summaries = (await perform(ports.tickets.query(ws, { limit: 500 }))).items
  const expectAnswer = async (query: typeof TicketQuery.TicketQuery.Encoded) => {
    const page = await perform(desk.asSystem("suite").list(query))
    const reference = await perform(TicketQuery.run(Schema.decodeSync(TicketQuery.TicketQuery)(query), summaries))
    expect(page.items.map((t) => t.id)).toEqual(reference.items.map((t) => t.id))
    expect(page.items.length).toBeGreaterThan(0)
    tally.atLimit++
  }
  return { desk, all, expectAnswer }
}

// -- the cases ------------------------------------------------------------------------------------

const cases: ReadonlyArray<Case> = [
  {
    name: "an append of 10,000 events is written with its 10,000 timers and outbox messages; 10,001 are refused",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const id = ticketIn(ws, "many")
        const events = [openedWith(ws, id, 1), ...range(Limits.eventsPerAppend - 1).map((i) => noteOf(id, i + 1))]
        const channel = `limits-${ws}`
        const outbox: Array<OutboxMessage> = range(Limits.eventsPerAppend).map((i) => ({
          id: `${id}:o${i}`,
          workspaceId: ws,
          ticketId: id,
          channel,
          payload: { i },
          createdAt: secondsLater(i)
        }))
        const timers = range(Limits.eventsPerAppend).map((i) => Timer.make(ws, id, "sla", secondsLater(i)))
        expect(await perform(ports.tickets.append(id, 0, events, { timers, outbox }))).toBe(Limits.eventsPerAppend)
        const { state } = await readBack(ports, id)
        expect(state?.messages.length).toBe(Limits.eventsPerAppend)
        const far = DateTime.add(startAt, { days: 1 })
        expect((await perform(ports.timers.claimDue(ws, far, 2 * Limits.eventsPerAppend, 60_000))).length).toBe(
          Limits.eventsPerAppend
        )
        expect((await perform(ports.outbox.claim(channel, far, 2 * Limits.eventsPerAppend, 60_000))).length).toBe(
          Limits.eventsPerAppend
        )
        tally.atLimit++

        const other = ticketIn(ws, "too-many")
        const tooMany = [openedWith(ws, other, 2), ...range(Limits.eventsPerAppend).map((i) => noteOf(other, i + 1))]
        await expectLimit(tally, ports.tickets.append(other, 0, tooMany), "eventsPerAppend", 10_001, "append")
        const batch: Array<AppendRequest> = [{ ticketId: other, expectedVersion: 0, events: tooMany }]
        await expectLimit(tally, ports.tickets.appendAll(batch), "eventsPerAppend", 10_001, "appendAll")
        expect((await perform(ports.tickets.read(other))).version).toBe(0)
      })
  },
  {
    name: "a batch of 1,000 streams is written; 1,001 are refused and nothing is written",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const batch = (n: number, prefix: string): Array<AppendRequest> =>
          range(n).map((i) => ({
            ticketId: ticketIn(ws, `${prefix}${i}`),
            expectedVersion: 0,
            events: [openedWith(ws, ticketIn(ws, `${prefix}${i}`), i + 1 + (prefix === "b" ? 0 : 5_000))]
          }))
        const versions = await perform(ports.tickets.appendAll(batch(Limits.streamsPerBatch, "b")))
        expect(versions).toEqual(range(Limits.streamsPerBatch).map(() => 1))
        expect(await perform(ports.tickets.resolve(ws, Limits.streamsPerBatch as PublicId))).toEqual(
          Option.some(ticketIn(ws, `b${Limits.streamsPerBatch - 1}`))
        )
        tally.atLimit++
        await expectLimit(
          tally,
          ports.tickets.appendAll(batch(Limits.streamsPerBatch + 1, "c")),
          "streamsPerBatch",
          1_001,
          "appendAll"
        )
        expect(await perform(ports.tickets.resolve(ws, 5_001 as PublicId))).toEqual(Option.none())
      })
  },
  {
    name: "a ticket holds 1,000 tags, adds and drops them in one append, and is refused a 1,001st",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const id = ticketIn(ws, "tagged")
        const tags = tagsNamed("t", Limits.tagsPerTicket)
        await perform(ports.tickets.append(id, 0, [openedWith(ws, id, 1, tags)]))
        expect((await readBack(ports, id)).state?.tags).toEqual(tags)
        expect((await perform(ports.tickets.query(ws, { tagsAny: ["t999"] }))).items.map((t) => t.id)).toEqual([id])
        tally.atLimit++
        await expectLimit(
          tally,
          ports.tickets.append(id, 1, [tagsChanged(id, ["extra" as Tag], [])]),
          "tagsPerTicket",
          1_001,
          "append"
        )
        // Swapping every tag in one append: 1,000 removed and 1,000 added.
        const swapped = tagsNamed("u", Limits.tagsPerTicket)
        await perform(ports.tickets.append(id, 1, [tagsChanged(id, swapped, tags)]))
        expect((await readBack(ports, id)).state?.tags).toEqual(swapped)
        expect((await perform(ports.tickets.query(ws, { tagsAny: ["t0"] }))).items).toEqual([])
        expect((await perform(ports.tickets.query(ws, { tagsAny: ["u0"] }))).items.map((t) => t.id)).toEqual([id])
        tally.atLimit++
        const other = ticketIn(ws, "over-tagged")
        await expectLimit(
          tally,
          ports.tickets.append(other, 0, [openedWith(ws, other, 2, tagsNamed("v", Limits.tagsPerTicket + 1))]),
          "tagsPerTicket",
          1_001,
          "append"
        )
        expect((await perform(ports.tickets.read(other))).version).toBe(0)
      })
  },
  {
    name: "a ticket holds 100,000 messages; a message more is refused by the store and by the Helpdesk",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const id = ticketIn(ws, "long")
        const version = await ticketWithMessages(ports, ws, id, Limits.messagesPerTicket)
        const { state } = await readBack(ports, id)
        expect(state?.messages.length).toBe(Limits.messagesPerTicket)
        expect((await perform(ports.tickets.query(ws, { search: "opening" }))).items.map((t) => t.id)).toEqual([id])
        tally.atLimit++
        const more = noteOf(id, Limits.messagesPerTicket + 1)
        await expectLimit(tally, ports.tickets.append(id, version, [more]), "messagesPerTicket", 100_001, "append")
        await expectLimit(
          tally,
          ports.tickets.appendAll([{ ticketId: id, expectedVersion: version, events: [more] }]),
          "messagesPerTicket",
          100_001,
          "appendAll"
        )
        const desk = await deskOn(ports, ws)
        await expectLimit(
          tally,
          desk.note({ ticket: id, text: "one more", by: mary }),
          "messagesPerTicket",
          100_001,
          "note",
          "AddNote"
        )
        expect((await perform(ports.tickets.read(id))).version).toBe(version)
      })
  },
  {
    name: "split moves 10,000 messages of a 20,050-message ticket; 10,001 are refused",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const id = ticketIn(ws, "split")
        const words = (ticketId: TicketId, i: number) =>
          messageOf(ticketId, i, i === 1 ? "quokkamoved first" : i === 20_000 ? "quokkakept last" : `message ${i}`)
        await ticketWithMessages(ports, ws, id, 20_050, words)
        const desk = await deskOn(ports, ws)
        const moved = range(Limits.messagesPerSplit).map((i) => `${id}.m${i + 1}`)
        const split = await perform(desk.split({ ticket: id, messages: moved, by: mary }))
        expect(split.messages.map((m) => m.id)).toEqual(moved)
        const source = (await readBack(ports, id)).state as Ticket.Ticket
        expect(source.messages.length).toBe(20_050 - Limits.messagesPerSplit)
        expect((await readBack(ports, split.id)).state).toEqual(split)
        const found = async (word: string) =>
          (await perform(ports.tickets.query(ws, { search: word }))).items.map((t) => t.id)
        expect(await found("quokkamoved")).toEqual([split.id])
        expect(await found("quokkakept")).toEqual([id])
        tally.atLimit++
        const tooMany = [...range(Limits.messagesPerSplit).map((i) => `${id}.m${i + 10_001}`), `${id}.m0`]
        await expectInvalid(tally, desk.split({ ticket: id, messages: tooMany, by: mary }), ["messages"])
      })
  },
  {
    name: "open with 1,000 tags and tag adding 1,000 are written; 1,001, and a 1,001st tag, are refused",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const desk = await deskOn(ports, ws)
        const base = { requester: { id: "jane" }, subject: "Tags", text: "Tagged", channel: "web" as const }
        const opened = await perform(desk.open({ ...base, tags: tagsNamed("o", Limits.tagsPerTicket) }))
        expect((await readBack(ports, opened.id)).state?.tags).toEqual(tagsNamed("o", Limits.tagsPerTicket))
        tally.atLimit++
        await expectInvalid(tally, desk.open({ ...base, tags: tagsNamed("o", Limits.tagsPerTicket + 1) }), ["tags"])

        const plain = await perform(desk.open(base))
        const added = await perform(desk.tag({ ticket: plain.id, add: tagsNamed("a", Limits.tagsPerTicket), by: mary }))
        expect(added.tags).toEqual(tagsNamed("a", Limits.tagsPerTicket))
        expect((await readBack(ports, plain.id)).state).toEqual(added)
        tally.atLimit++
        await expectInvalid(
          tally,
          desk.tag({ ticket: plain.id, add: tagsNamed("b", Limits.tagsPerTicket + 1), by: mary }),
          ["add"]
        )
        await expectLimit(
          tally,
          desk.tag({ ticket: plain.id, add: ["one-more"], by: mary }),
          "tagsPerTicket",
          1_001,
          "tag",
          "ChangeTags"
        )
        const emptied = await perform(
          desk.tag({ ticket: plain.id, remove: tagsNamed("a", Limits.tagsPerTicket), by: mary })
        )
        expect(emptied.tags).toEqual([])
        tally.atLimit++
      })
  },
  {
    name: "a merge reaching 1,000 tags is written; one going beyond is refused",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const desk = await deskOn(ports, ws)
        const open = (prefix: string, n: number) =>
          perform(
            desk.open({
              requester: { id: "jane" },
              subject: "Merge",
              text: prefix,
              channel: "web",
              tags: tagsNamed(prefix, n)
            })
          )
        const half = Limits.tagsPerTicket / 2
        const [c, d] = [await open("c", half), await open("d", half)]
        const merged = await perform(desk.merge({ target: c.id, sources: [d.id], by: mary }))
        expect(merged.tags.length).toBe(Limits.tagsPerTicket)
        expect((await readBack(ports, c.id)).state).toEqual(merged)
        tally.atLimit++
        const [a, b] = [await open("x", half), await open("y", half + 1)]
        await expectLimit(
          tally,
          desk.merge({ target: a.id, sources: [b.id], by: mary }),
          "tagsPerTicket",
          1_001,
          "merge"
        )
        expect((await readBack(ports, a.id)).state?.tags.length).toBe(half)
      })
  },
  {
    name: "list takes 1,000 values in each filter and answers as the reference; 1,001 are refused",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const { desk, all, expectAnswer } = await filtered(ports, tally)
        const statuses = ["new", "open", ...range(Limits.valuesPerFilter - 2).map((i) => `s${i}`)]
        await expectAnswer({ tagsAny: all })
        await expectAnswer({
          tagsAny: all,
          status: statuses,
          category: cycled(["new", "open", "pending", "on_hold", "solved", "closed"] as const),
          priority: cycled(["low", "normal", "high", "urgent"] as const),
          channel: cycled(["web", "email"] as const)
        })
        const lists = {
          tagsAny: all,
          tagsAll: all,
          status: statuses,
          category: ["new"],
          priority: ["low"],
          channel: ["web"]
        }
        for (const [field, values] of Object.entries(lists)) {
          await expectInvalid(
            tally,
            desk.asSystem("suite").list({ [field]: cycled(values, Limits.valuesPerFilter + 1) }),
            [field]
          )
        }
      })
  },
  {
    // #12: SQL stores sent one `exists` per tag, which SQLite refuses past 932 tags ("Expression
    // tree is too large") and PostgreSQL never finished at 999.
    name: "list with tagsAll of 1,000 tags answers as the reference",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const { all, expectAnswer } = await filtered(ports, tally)
        await expectAnswer({ tagsAll: all })
        await expectAnswer({ tagsAll: [...all.slice(1), "f0"] })
      })
  },
  {
    name: "a message carries 100 attachments; 101 are refused",
    run: (storeFor, tally) =>
      onStore(storeFor, {}, async (ports) => {
        const ws = await fresh()
        const desk = await deskOn(ports, ws)
        const attachments = (n: number): Array<Attachment> =>
          range(n).map((i) => ({ fileName: `f${i}.txt`, contentType: "text/plain", size: i }))
        const ticket = await perform(
          desk.open({ requester: { id: "jane" }, subject: "Files", text: "Files", channel: "web" })
        )
        const replied = await perform(
          desk.reply({
            ticket: ticket.id,
            text: "Here",
            attachments: attachments(Limits.attachmentsPerMessage),
            by: mary
          })
        )
        expect((await readBack(ports, ticket.id)).state?.messages.at(-1)?.attachments).toEqual(
          replied.messages.at(-1)?.attachments
        )
        expect(replied.messages.at(-1)?.attachments.length).toBe(Limits.attachmentsPerMessage)
        tally.atLimit++
        await expectInvalid(
          tally,
          desk.reply({ ticket: ticket.id, text: "More", attachments: attachments(101), by: mary }),
          ["attachments"]
        )
      })
  },
  {
    name: "public numbers reach 2^31-1 and stop there; beyond is refused, never StoreUnavailable",
    run: (storeFor, tally) =>
      onStore(storeFor, { firstPublicId: Limits.publicIdMax }, async (ports) => {
        const ws = await fresh()
        const number = await perform(ports.tickets.nextPublicId(ws))
        expect(number).toBe(Limits.publicIdMax)
        const id = ticketIn(ws, "last")
        await perform(ports.tickets.append(id, 0, [openedWith(ws, id, number)]))
        expect(await perform(ports.tickets.resolve(ws, number))).toEqual(Option.some(id))
        tally.atLimit++
        await expectLimit(tally, ports.tickets.nextPublicId(ws), "publicIdMax", 2_147_483_648, "nextPublicId")
        for (const beyond of [Limits.publicIdMax + 1, Number.MAX_SAFE_INTEGER]) {
          expect(await perform(ports.tickets.resolve(ws, beyond as PublicId))).toEqual(Option.none())
        }
        const other = await fresh()
        const desk = await deskOn(ports, other)
        const base = { requester: { id: "jane" }, subject: "Numbers", text: "Numbered", channel: "web" as const }
        expect((await perform(desk.open(base))).publicId).toBe(Limits.publicIdMax)
        tally.atLimit++
        await expectLimit(tally, desk.open(base), "publicIdMax", 2_147_483_648, "open", "nextPublicId")
        await expectInvalid(tally, desk.open({ ...base, publicId: Limits.publicIdMax + 1 }), ["publicId"])
        await expectInvalid(tally, desk.open({ ...base, publicId: Number.MAX_SAFE_INTEGER }), ["publicId"])
      }).then(() =>
        onStore(storeFor, { firstPublicId: Limits.publicIdMax + 1 }, async (ports) => {
          await expectLimit(
            tally,
            ports.tickets.nextPublicId(await fresh()),
            "publicIdMax",
            2_147_483_648,
            "nextPublicId"
          )
        })
      )
  }
]

// -- running them ---------------------------------------------------------------------------------

const defaultTimeout = 300_000

/** `promise`, or a rejection once `millis` have passed without it settling. */
const within = <A>(promise: Promise<A>, millis: number): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${millis} ms`)), millis)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Runs every case on stores from `storeFor` and counts what happened; a failing case (or one
 * that takes longer than `options.timeout`) is listed with its message, and the others still run.
 *
 * @category testing
 * @since 0.1.0
 */
export const check = async <E>(storeFor: StoreFor<E>, options: Options = {}): Promise<Report> => {
  const tally: Tally = { atLimit: 0, beyond: 0 }
  const failures: Array<{ readonly name: string; readonly message: string }> = []
  for (const c of cases) {
    try {
      await within(c.run(storeFor, tally), options.timeout ?? defaultTimeout)
    } catch (error) {
      failures.push({ name: c.name, message: error instanceof Error ? error.message : String(error) })
    }
  }
  return { cases: cases.length, failures, atLimit: tally.atLimit, beyond: tally.beyond }
}

/**
 * Registers the limits' conformance tests of a store adapter: one test per case, each on a store
 * built for it by `storeFor` (which passes `firstPublicId` on to the adapter).
 *
 * @example
 * LimitsSuite.run("memory", (options) => MemoryTicketStore.layer(options))
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, storeFor: StoreFor<E>, options: Options = {}): void => {
  const timeout = options.timeout ?? defaultTimeout
  describe(`Limits conformance: ${name}`, () => {
    for (const c of cases) {
      it(c.name, () => c.run(storeFor, { atLimit: 0, beyond: 0 }), timeout)
    }
  })
}
