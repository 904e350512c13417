/**
 * The `TicketStore` suite's check of public-only search (`searchIn: "public"`, issue 12): a
 * requester's search must never find a word that only an internal note holds, on any store,
 * including after a merge, its undo and a split rewrote the tickets' texts, and on a stream
 * written before issue 12 whose opening message is a note. Every answer is also compared with
 * the reference (`TicketQuery.run` over `searchDocument`).
 */
import { Effect } from "effect"
import { expect } from "vitest"
import * as TicketQuery from "../../query/TicketQuery.js"
import type * as Ticket from "../../ticket/Ticket.js"
import * as E from "../../ticket/TicketEvent.js"
import * as Actor from "../../values/Actor.js"
import type { MessageId, TicketId } from "../../values/Ids.js"
import * as Fixtures from "./fixtures.js"
import * as StoreCalls from "./storeCalls.js"

const mary = Actor.agent("mary")

/**
 * Runs the check on a store built from `layer`; a failure lists the store calls made. A store
 * without search must refuse a requester's search with `Unsupported` instead.
 */
export const run = <E>(layer: Fixtures.StoreLayer<E>) =>
  Fixtures.withBuiltPorts(layer, async (built) => {
    const recorder = StoreCalls.record(built.tickets)
    return StoreCalls.explained(recorder, "this test", () => check({ ...built, tickets: recorder.store }))
  })

const check = async (ports: Fixtures.Ports) => {
  const store = ports.tickets
  const ws = await Effect.runPromise(Fixtures.freshWorkspace)
  if (store.capabilities.search === "none") {
    const refused = await Effect.runPromise(Fixtures.failureOf(store.query(ws, { search: "x", searchIn: "public" })))
    expect(refused, "a search on a store without search").toMatchObject({ _tag: "Unsupported", capability: "search" })
    return
  }
  const desk = await Fixtures.helpdeskOn(ports, ws)
  const run = <A, E2>(effect: Effect.Effect<A, E2>) => Effect.runPromise(effect)
  const open = (subject: string, text: string) =>
    run(desk.open({ requester: { email: "jane@example.com" }, subject, text, channel: "email" }))
  const ids: Array<TicketId> = []

  /** The store's answer, checked against the reference over every ticket's fold. */
  const found = async (search: string, searchIn: "all" | "public") => {
    const page = await run(store.query(ws, { search, searchIn, limit: 500 }))
    const folded = await Promise.all(ids.map(async (id) => (await run(store.load(id))).state as Ticket.Ticket))
    const reference = await run(
      TicketQuery.run(
        { search, searchIn, limit: 500 },
        folded.map(TicketQuery.summarize),
        new Map(folded.map((t) => [t.id as string, TicketQuery.searchDocument(t, searchIn)]))
      )
    )
    const answer = page.items.map((t) => t.id).sort()
    expect(answer, `search ${search} in ${searchIn}`).toEqual(reference.items.map((t) => t.id).sort())
    return answer
  }

  const vpn = await open("Quasar gateway", "The quasargate drops every hour")
  const chat = await open("Quasar again", "Still dropping on the chat")
  ids.push(vpn.id, chat.id)
  await run(desk.note({ ticket: vpn.id, text: "Vendor ticket zorblax123 opened", by: mary }))
  await run(desk.note({ ticket: chat.id, text: "Customer is on plan kryptonia", by: mary }))
  await run(desk.reply({ ticket: chat.id, text: "We are on it, thanks", by: mary }))
  expect(await found("zorblax123", "all")).toEqual([vpn.id])
  expect(await found("zorblax123", "public")).toEqual([])
  expect(await found("quasar", "public")).toEqual([vpn.id, chat.id].sort())
  expect(await found("thanks", "public")).toEqual([chat.id])

  // A merge moves the note's text to the target: still not found in public.
  await run(desk.merge({ target: vpn.id, sources: [chat.id], by: mary }))
  expect(await found("kryptonia", "all")).toEqual([vpn.id, chat.id].sort())
  expect(await found("kryptonia", "public")).toEqual([])
  // The undo rewrites the target's texts.
  await run(desk.undoMerge({ target: vpn.id, source: chat.id, by: mary }))
  expect(await found("kryptonia", "public")).toEqual([])
  expect(await found("dropping", "public")).toEqual([chat.id])

  // A split whose earliest moved message is a note: the new ticket's texts are rewritten too.
  await run(desk.reply({ ticket: vpn.id, text: "Also the nebulascanner fails", by: Actor.contact(vpn.requester) }))
  const moved = (await run(desk.asSystem("suite").get(vpn.id))).messages.slice(1).map((m) => m.id)
  const split = await run(desk.split({ ticket: vpn.id, messages: moved, subject: "Scanner", by: mary }))
  ids.push(split.id)
  expect(split.description).toBe("Also the nebulascanner fails")
  expect(await found("zorblax123", "all")).toEqual([split.id])
  expect(await found("zorblax123", "public")).toEqual([])
  expect(await found("nebulascanner", "public")).toEqual([split.id])
  expect(await found("quasargate", "public")).toEqual([vpn.id])

  // A stream written before issue 12: a split that opened with its note.
  const legacy = Fixtures.ticketIn(ws, "legacy")
  const base = Fixtures.opened(ws, legacy, 900)
  const note = { ...base.message, id: `${legacy}.n` as MessageId, visibility: "internal" as const }
  await run(
    store.append(legacy, 0, [
      new E.TicketOpened({ ...base, message: { ...note, text: "Legacy note with plutonix inside" } })
    ])
  )
  ids.push(legacy)
  expect(await found("plutonix", "all")).toEqual([legacy])
  expect(await found("plutonix", "public")).toEqual([])
  const row = (await run(store.query(ws, { requester: base.requester, limit: 500 }))).items.find((t) => t.id === legacy)
  expect(row?.description).toBe("")
}
