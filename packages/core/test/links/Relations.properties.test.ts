import { DateTime, Effect, Exit } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as Relations from "../../src/links/Relations.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import type { DecideContext } from "../../src/ticket/decide.js"
import type { StatusId } from "../../src/ticket/Status.js"
import * as Status from "../../src/ticket/Status.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as E from "../../src/ticket/TicketEvent.js"
import type { Actor } from "../../src/values/Actor.js"
import type { AgentId, ContactId, MessageId, PublicId, TicketId, WorkspaceId } from "../../src/values/Ids.js"
import type { ManualLinkKind } from "../../src/values/Link.js"
import * as Link from "../../src/values/Link.js"
import * as Priority from "../../src/values/Priority.js"
import type { Tag } from "../../src/values/Tag.js"

const mary = { _tag: "agent", id: "mary" as AgentId } as Actor
const ctx = (at: number): DecideContext => ({
  now: DateTime.makeUnsafe(at),
  actor: mary,
  workflow: Status.defaultWorkflow,
  customFields: []
})

interface Spec {
  readonly priority: Priority.Priority
  readonly tags: ReadonlyArray<string>
  /** Minutes after the epoch of each message, the first opening the ticket. */
  readonly times: ReadonlyArray<number>
  readonly closed: boolean
}

const spec: fc.Arbitrary<Spec> = fc.record({
  priority: fc.constantFrom(...Priority.levels),
  tags: fc.uniqueArray(fc.constantFrom("vpn", "billing", "urgent", "lyon", "chat"), { maxLength: 3 }),
  // A ticket's own messages come in time order (each is appended at its `now`).
  times: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 }).map((t) => t.sort((a, b) => a - b)),
  closed: fc.boolean()
})

/** A ticket from a spec, by folding its events: messages get ids unique across tickets. */
const build = (n: number, s: Spec): Ticket.Ticket => {
  const id = `tkt_${n}` as TicketId
  const at = (minutes: number) => DateTime.makeUnsafe(minutes * 60_000)
  const message = (i: number, minutes: number) => ({
    id: `msg_${n}_${i}` as MessageId,
    visibility: "public" as const,
    author: { _tag: "contact", id: `con_${n}` as ContactId } as const,
    channel: (n % 2 === 0 ? "email" : "chat") as "email" | "chat",
    at: at(minutes),
    text: `message ${i} of ticket ${n}`,
    attachments: []
  })
  const [first = 0, ...rest] = s.times
  const events: Array<E.TicketEvent> = [
    new E.TicketOpened({
      ticketId: id,
      at: at(first),
      by: mary,
      workspaceId: "acme" as WorkspaceId,
      publicId: (100 + n) as PublicId,
      subject: `Ticket ${n}`,
      requester: `con_${n}` as ContactId,
      channel: "email",
      priority: s.priority,
      status: "open" as StatusId,
      category: "open",
      tags: s.tags as ReadonlyArray<Tag>,
      customFields: {},
      message: message(0, first)
    }),
    ...rest.map(
      (minutes, i) => new E.ReplyAdded({ ticketId: id, at: at(minutes), by: mary, message: message(i + 1, minutes) })
    )
  ]
  if (s.closed) {
    events.push(
      new E.StatusChanged({
        ticketId: id,
        at: at(40),
        by: mary,
        from: "open" as StatusId,
        to: "closed" as StatusId,
        fromCategory: "open",
        toCategory: "closed"
      })
    )
  }
  return Ticket.fold(events) as Ticket.Ticket
}

/** Applies a decision's changes to the tickets. */
const apply = (graph: Map<TicketId, Ticket.Ticket>, changes: ReadonlyArray<Relations.Change>) => {
  const next = new Map(graph)
  for (const { ticketId, events } of changes)
    next.set(ticketId, Ticket.fold(events, next.get(ticketId)) as Ticket.Ticket)
  return next
}

const decided = (effect: Effect.Effect<ReadonlyArray<Relations.Change>, unknown>) => Effect.runSync(Effect.exit(effect))

describe("merge properties", () => {
  it("merge keeps every message exactly once in time order, the union of tags and the highest priority; undo restores", () => {
    fc.assert(
      fc.property(
        spec.map((s) => ({ ...s, closed: false })),
        fc.array(
          spec.map((s) => ({ ...s, closed: false })),
          { minLength: 1, maxLength: 3 }
        ),
        (targetSpec, sourceSpecs) => {
          const target = build(0, targetSpec)
          const sources = sourceSpecs.map((s, i) => build(i + 1, s))
          const graph = new Map([target, ...sources].map((t) => [t.id, t] as const))
          const exit = decided(
            Relations.merge(
              graph,
              target.id,
              sources.map((s) => s.id),
              ctx(3_600_000)
            )
          )
          if (!Exit.isSuccess(exit)) throw new Error(`merge refused: ${String(exit.cause)}`)
          let after = apply(graph, exit.value)
          const merged = after.get(target.id) as Ticket.Ticket
          const expectedIds = [target, ...sources].flatMap((t) => t.messages.map((m) => m.id)).sort()
          expect(merged.messages.map((m) => m.id).sort()).toEqual(expectedIds)
          const times = merged.messages.map((m) => m.at.epochMilliseconds)
          expect(times).toEqual([...times].sort((a, b) => a - b))
          expect(new Set(merged.tags)).toEqual(new Set([target, ...sources].flatMap((t) => t.tags)))
          expect(merged.priority).toBe([target, ...sources].map((t) => t.priority).reduce(Priority.max))
          for (const s of sources) {
            expect(after.get(s.id)).toMatchObject({ category: "closed", mergedInto: target.id })
            for (const m of merged.messages.filter((m) => s.messages.some((k) => k.id === m.id))) {
              expect(m.origin).toEqual({ ticketId: s.id, publicId: s.publicId })
            }
          }
          // Undo, newest merge first: everything is as it was.
          for (const s of [...sources].reverse()) {
            const undone = decided(Relations.undoMerge(after, target.id, s.id, ctx(7_200_000)))
            if (!Exit.isSuccess(undone)) throw new Error(`undo refused: ${String(undone.cause)}`)
            after = apply(after, undone.value)
            expect(after.get(s.id)?.category).toBe("open")
            expect(after.get(s.id)?.messages).toEqual(s.messages)
          }
          const restored = after.get(target.id) as Ticket.Ticket
          expect(restored.messages).toEqual(target.messages)
          expect(restored.tags).toEqual(target.tags)
          expect(restored.priority).toBe(target.priority)
          expect(restored.followers).toEqual(target.followers)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("merging is refused into a closed target, into itself, from a closed source, and for a cycle; nothing is decided", () => {
    fc.assert(
      fc.property(
        spec,
        fc.array(spec, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (targetSpec, sourceSpecs, self) => {
          const target = build(0, targetSpec)
          const sources = sourceSpecs.map((s, i) => build(i + 1, s))
          const graph = new Map([target, ...sources].map((t) => [t.id, t] as const))
          const ids = [...sources.map((s) => s.id), ...(self ? [target.id] : [])]
          const exit = decided(Relations.merge(graph, target.id, ids, ctx(3_600_000)))
          const refusable = self || target.category === "closed" || sources.some((s) => s.category === "closed")
          expect(Exit.isFailure(exit)).toBe(refusable)
          if (!Exit.isSuccess(exit)) return
          // A merged source then cannot take its target back: that would be a cycle.
          const after = apply(graph, exit.value)
          const back = decided(Relations.merge(after, sources[0]?.id as TicketId, [target.id], ctx(3_700_000)))
          expect(Exit.isFailure(back)).toBe(true)
          expect(String(Exit.isFailure(back) ? back.cause : "")).toMatch(/cycle|target_closed/)
        }
      ),
      { numRuns: 300 }
    )
  })
})

type Op =
  | { readonly _tag: "link"; readonly from: number; readonly to: number; readonly kind: ManualLinkKind }
  | { readonly _tag: "unlink"; readonly from: number; readonly link: number }
  | { readonly _tag: "merge"; readonly target: number; readonly source: number }
  | { readonly _tag: "undo"; readonly target: number; readonly source: number }

const size = 5
const index = fc.integer({ min: 0, max: size - 1 })
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      _tag: fc.constant("link" as const),
      from: index,
      to: index,
      // Parent and duplicate links half the time: chains long enough to try closing a loop.
      kind: fc.oneof(
        fc.constantFrom<ManualLinkKind>("parent", "child", "duplicate_of", "duplicated_by"),
        fc.constantFrom(...Link.ManualLinkKind.literals)
      )
    })
  },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("unlink" as const), from: index, link: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("merge" as const), target: index, source: index }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("undo" as const), target: index, source: index }) }
)

/** Only parent or only duplicate links, among three tickets: runs that keep trying to close loops. */
const hierarchy: fc.Arbitrary<ReadonlyArray<Op>> = fc
  .constantFrom<ManualLinkKind>("parent", "duplicate_of")
  .chain((kind) =>
    fc.array(
      fc.record({
        _tag: fc.constant("link" as const),
        from: fc.integer({ min: 0, max: 2 }),
        to: fc.integer({ min: 0, max: 2 }),
        kind: fc.constant(kind)
      }),
      { minLength: 1, maxLength: 25 }
    )
  )

/** Every link has its inverse on the other side; parent and duplicate links never loop; one parent, problem, original each. */
const checkGraph = (tickets: ReadonlyArray<Ticket.Ticket>) => {
  const byId = new Map(tickets.map((t) => [t.id, t]))
  for (const t of tickets) {
    for (const l of t.links) {
      expect(byId.get(l.ticketId)?.links).toContainEqual({ kind: Link.inverse(l.kind), ticketId: t.id })
    }
    for (const kind of ["parent", "duplicate_of", "problem"] as const) {
      expect(Link.targets(t.links, kind).length).toBeLessThanOrEqual(1)
    }
    if (Link.targets(t.links, "problem").length > 0) expect(Link.targets(t.links, "incident")).toEqual([])
    for (const via of ["parent", "duplicate_of"] as const) {
      const seen = new Set<string>([t.id])
      let next = Link.targets(t.links, via)[0]
      while (next !== undefined) {
        expect(seen.has(next), `${via} cycle through ${t.id}`).toBe(false)
        seen.add(next)
        next = Link.targets(byId.get(next)?.links ?? [], via)[0]
      }
    }
  }
}

describe("link properties", () => {
  it("random links, unlinks, merges and undos keep inverses symmetric and never make a parent/child or duplicate cycle", async () => {
    const seen = { links: 0, merges: 0, cycles: 0, refusals: 0 }
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(op, { minLength: 1, maxLength: 25 }), hierarchy), (ops) =>
        Effect.runPromise(
          Effect.gen(function* () {
            const helpdesk = yield* Helpdesk.Helpdesk
            yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
            const ids: Array<TicketId> = []
            for (let i = 0; i < size; i++) {
              const t = yield* helpdesk.open({
                requester: { email: `c${i}@example.com` },
                subject: `Ticket ${i}`,
                text: "Hello",
                channel: "email"
              })
              ids.push(t.id)
            }
            const id = (i: number) => ids[i] as TicketId
            let refusals = 0
            for (const o of ops) {
              const attempt =
                o._tag === "link"
                  ? helpdesk.link({ ticket: id(o.from), to: id(o.to), kind: o.kind, by: mary })
                  : o._tag === "unlink"
                    ? Effect.flatMap(helpdesk.asSystem("test").get(id(o.from)), (t) => {
                        const l = t.links[o.link % Math.max(1, t.links.length)]
                        return l === undefined ||
                          !(Link.ManualLinkKind.literals as ReadonlyArray<string>).includes(l.kind)
                          ? Effect.succeed(t)
                          : helpdesk.unlink({ ticket: t.id, to: l.ticketId, kind: l.kind as ManualLinkKind, by: mary })
                      })
                    : o._tag === "merge"
                      ? helpdesk.merge({ target: id(o.target), sources: [id(o.source)], by: mary })
                      : helpdesk.undoMerge({ target: id(o.target), source: id(o.source), by: mary })
              const outcome = yield* Effect.exit(attempt)
              if (Exit.isSuccess(outcome) && o._tag === "merge") seen.merges++
              if (Exit.isFailure(outcome)) {
                refusals++
                const error = Exit.isFailure(outcome) ? String(outcome.cause) : ""
                if (error.includes("cycle")) seen.cycles++
                // Only refusals on the merits: never a store failure or a defect.
                expect(error).toMatch(/InvalidLink|MergeRefused|UndoMergeRefused|TicketClosed/)
              }
              const tickets: Array<Ticket.Ticket> = []
              for (const t of ids) tickets.push(yield* helpdesk.asSystem("test").get(t))
              checkGraph(tickets)
              seen.links += tickets.reduce((n, t) => n + t.links.length, 0)
            }
            seen.refusals += refusals
          }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
        )
      ),
      { numRuns: Number(process.env.RUNS ?? 200) }
    )
    // The runs did exercise what they check: links made, merges done, cycles refused.
    expect(seen.links).toBeGreaterThan(0)
    expect(seen.merges).toBeGreaterThan(0)
    expect(seen.cycles).toBeGreaterThan(0)
  })
})
