/**
 * The "snapshots" part of the `TicketStore` suite: `load` is always the fold of what `read`
 * returns (a store may keep a snapshot, never a different one), including after the writes that
 * rewrite a ticket's messages (merges, their undo, splits, driven through a `Helpdesk`), and
 * the queue row, the search texts and the public numbers follow too.
 */
import { Effect } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as TicketQuery from "../../query/TicketQuery.js"
import * as Ticket from "../../ticket/Ticket.js"
import * as E from "../../ticket/TicketEvent.js"
import type { Channel } from "../../values/Channel.js"
import type { PublicId, TicketId } from "../../values/Ids.js"
import * as Arbitraries from "../Arbitraries.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"
import {
  expectNoSearch,
  expectResolves,
  propertyParams,
  readStream,
  recorded,
  refuses,
  type Settings
} from "./Support.js"

const { failureOf, mary, ofStream, show, ticketIn, withOwnEmailId } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/**
 * Links, a merge, its undo and a split through a `Helpdesk` on the store: after each, every
 * ticket involved loads as the fold of its events, its queue row matches, search finds each
 * message on the ticket that holds it now (and only there), and public numbers resolve.
 */
const relations = <E>(layer: Fixtures.StoreLayer<E>) =>
  Fixtures.withBuiltPorts(layer, async (built) => {
    const { ports, recorder } = recorded(built)
    return StoreCalls.explained(recorder, "this test", async () => {
      const store = ports.tickets
      const ws = await Effect.runPromise(freshWorkspace)
      const desk = await Fixtures.helpdeskOn(ports, ws)
      const run = <A, E2>(effect: Effect.Effect<A, E2>) => Effect.runPromise(effect)
      const open = (subject: string, text: string, channel: Channel) =>
        run(desk.open({ requester: { email: "jane@example.com" }, subject, text, channel }))
      const email = await open("Quasar gateway", "The quasargate drops every hour", "email")
      const chat = await open("Quasar again", "Still zephyrwords on the chat", "chat")
      const other = await open("Printer", "The nebulaprinter jams", "web")
      const all = [email, chat, other]
      /** The tickets a word is found on through the store's search (`Unsupported` on a store without). */
      const expectFound = async (word: string, ids: ReadonlyArray<TicketId>) => {
        const query = { search: word }
        const label = `query(${ws}, ${show(query)})`
        if (refuses(store, query)) return expectNoSearch(await run(failureOf(store.query(ws, query))), "query", label)
        const found = (await run(store.query(ws, query))).items.map((t) => t.id).sort()
        expect(found, label).toEqual([...ids].sort())
      }
      const consistent = async () => {
        for (const t of all) {
          const stream = await Effect.runPromise(readStream(store, t.id))
          const folded = Ticket.fold(stream.events) as Ticket.Ticket
          const row = (
            await Effect.runPromise(store.query(ws, { requester: folded.requester, limit: 500 }))
          ).items.find((r) => r.id === t.id)
          expect(row, `row of ${t.id}`).toEqual(TicketQuery.summarize(folded))
          await expectResolves(store, ws, t.publicId, t.id)
        }
      }

      await run(desk.link({ ticket: other.id, to: email.id, kind: "related", by: mary }))
      await run(desk.merge({ target: email.id, sources: [chat.id], by: mary }))
      await consistent()
      // The merged message is on the target now, and still on the source (closed, readable).
      await expectFound("zephyrwords", [chat.id, email.id])
      expect((await run(desk.asSystem("suite").get(chat.publicId))).id).toBe(email.id)

      await run(desk.undoMerge({ target: email.id, source: chat.id, by: mary }))
      await consistent()
      await expectFound("zephyrwords", [chat.id])

      const before = await run(desk.reply({ ticket: email.id, text: "Also the nebulascanner", by: mary }))
      const moved = before.messages.at(-1)?.id as string
      const split = await run(desk.split({ ticket: email.id, messages: [moved], subject: "Scanner", by: mary }))
      all.push(split)
      await consistent()
      await expectFound("nebulascanner", [split.id])
      await expectFound("quasargate", [email.id])
    })
  })

/**
 * Any stream (an opening after events that do nothing, then any events, folded however they
 * make sense), appended in random chunks with a stale append tried between them: after every
 * call, `read` gives what was appended and `load` gives its fold at the same version.
 */
const snapshotsFollowAppends = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings) =>
  Fixtures.withBuiltPorts(layer, (built) =>
    fc.assert(
      fc.asyncProperty(
        Arbitraries.openedStream,
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        ({ before, opened: opening, after }, cuts, useBatches) => {
          const recorder = StoreCalls.record(built.tickets)
          const store = recorder.store
          return StoreCalls.explained(recorder, "this run", async () => {
            const ws = await Effect.runPromise(freshWorkspace)
            const id = ticketIn(ws, "s")
            // One opening, in a workspace of its own; the events (and email ids) of the stream are its own.
            const events = [
              ...before,
              new E.TicketOpened({ ...opening, workspaceId: ws, publicId: 1 as PublicId }),
              ...after.filter((e) => e._tag !== "TicketOpened")
            ].map((e, i) => ofStream(withOwnEmailId(e, `${id}.${i}`), id))
            let version = 0
            for (let i = 0; version < events.length; i++) {
              const chunk = events.slice(version, version + (cuts[i % cuts.length] ?? 1))
              const stale = await Effect.runPromise(failureOf(store.append(id, version + 1, chunk)))
              expect(stale, `append(${id}, expectedVersion ${version + 1}) on a stream at ${version}`).toMatchObject({
                _tag: "VersionConflict",
                expected: version + 1,
                actual: version
              })
              const next = useBatches
                ? (
                    await Effect.runPromise(
                      store.appendAll([{ ticketId: id, expectedVersion: version, events: chunk }])
                    )
                  )[0]
                : await Effect.runPromise(store.append(id, version, chunk))
              expect(next, "the new version").toBe(version + chunk.length)
              version += chunk.length
              const stream = await Effect.runPromise(readStream(store, id))
              expect(stream, `read(${id}) after ${version} events`).toEqual({
                events: events.slice(0, version),
                version
              })
            }
          })
        }
      ),
      propertyParams(settings)
    )
  )

/**
 * Registers the "snapshots" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { timeout } = settings
  describe("snapshots", () => {
    it(
      "any stream appended in random chunks (by append or appendAll, a stale append between) reads back as appended and loads as its fold after each",
      () => snapshotsFollowAppends(layer, settings),
      timeout
    )

    it(
      "links, merges, undos and splits through the Helpdesk: every ticket's row, texts, search and number follow its events",
      () => relations(layer),
      timeout
    )
  })
}
