/**
 * The canary property of issue 12: random help desk histories in which every internal text
 * (notes' text, HTML and attachment names, escalation reasons, a rule's note) carries a canary
 * word, with agents' merges, undos and splits (some opening with a note) and requesters'
 * replies on closed tickets (follow-ups); then every requester-facing operation, through the
 * Effect `Requester` and the Promise facade's `forRequester`, has its result (or its error)
 * serialised and searched for the canary. Counters show what really happened, so a run that
 * merged, split or followed up nothing cannot pass.
 */
import { createHelpdesk, Helpdesk, type Ids, type PromiseHelpdesk, Requester, type Ticket } from "@tessera/core"
import { Builder, Rule, RuleTriggers } from "@tessera/rules"
import { type Context, Effect, Layer, Result } from "effect"
import fc from "fast-check"
import { expect } from "vitest"

/** The ports both help desks of a run share: one ticket store, one directory. */
export type Ports = Context.Context<PromiseHelpdesk.Ports>

/** What one property run found and did, summed over runs. */
export type Counts = {
  runs: number
  /** Requester-facing calls made (commands and queries, both APIs). */
  operations: number
  /** Results or errors that held the canary. Must stay 0. */
  leaks: number
  /** Requester searches for the canary (whole, prefix, upper case) and how many tickets they found (must stay 0). */
  canarySearches: number
  canaryFound: number
  /** Requester searches for words only notes hold, and what they found (must stay 0). */
  noteWordSearches: number
  noteWordFound: number
  /** Public-word searches that found something: public search still works. */
  publicSearchHits: number
  notes: number
  ruleNotes: number
  escalations: number
  merges: number
  undoneMerges: number
  splits: number
  splitsOpeningWithNote: number
  splitsOfNotesOnly: number
  followUps: number
  /** Requester calls on a ticket that is not theirs, answered as if it were missing. */
  hiddenTickets: number
  /** Tickets whose agents' view held the canary at the end: the notes really were there. */
  ticketsWithCanary: number
}

const words = ["printer", "invoice", "vpn", "password", "laptop", "refund", "delivery", "screen", "network", "account"]
const phrase = (picks: ReadonlyArray<number>) => picks.map((i) => words[i % words.length]).join(" ")
const text = fc.array(fc.nat(), { minLength: 2, maxLength: 6 }).map(phrase)

type Contact = "jane" | "omar"
type Via = "effect" | "promise"
const contact = fc.constantFrom<Contact>("jane", "omar")
const via = fc.constantFrom<Via>("effect", "promise")

type Step =
  | {
      readonly kind: "open"
      readonly contact: Contact
      readonly via: Via
      readonly subject: string
      readonly text: string
    }
  | { readonly kind: "agentOpen"; readonly contact: Contact; readonly text: string }
  | {
      readonly kind: "reply"
      readonly contact: Contact
      readonly via: Via
      readonly ticket: number
      readonly text: string
    }
  | { readonly kind: "agentReply"; readonly ticket: number; readonly text: string }
  | { readonly kind: "note"; readonly ticket: number; readonly where: "text" | "html" | "attachment" | "all" }
  | { readonly kind: "escalate"; readonly ticket: number }
  | { readonly kind: "close"; readonly ticket: number }
  | { readonly kind: "followUp"; readonly ticket: number; readonly via: Via; readonly text: string }
  | { readonly kind: "merge"; readonly target: number; readonly source: number }
  | { readonly kind: "undoMerge" }
  | { readonly kind: "split"; readonly ticket: number; readonly mode: "noteFirst" | "notesOnly" | "tail" }

const pick = fc.nat()
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("open" as const), contact, via, subject: text, text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("agentOpen" as const), contact, text }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("reply" as const), contact, via, ticket: pick, text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("agentReply" as const), ticket: pick, text }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("note" as const),
      ticket: pick,
      where: fc.constantFrom("text" as const, "html" as const, "attachment" as const, "all" as const)
    })
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("escalate" as const), ticket: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), ticket: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("followUp" as const), ticket: pick, via, text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("merge" as const), target: pick, source: pick }) },
  { weight: 1, arbitrary: fc.constant({ kind: "undoMerge" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("split" as const),
      ticket: pick,
      mode: fc.constantFrom("noteFirst" as const, "notesOnly" as const, "tail" as const)
    })
  }
)

/**
 * What every run does first, so that each run merges, undoes, splits (opening with a note, and
 * of notes only) and follows up at least once, whatever the random steps after it do.
 */
const prelude: ReadonlyArray<Step> = [
  { kind: "open", contact: "jane", via: "effect", subject: "printer jams", text: "the printer jams" },
  { kind: "open", contact: "omar", via: "promise", subject: "vpn drops", text: "my vpn drops" },
  { kind: "note", ticket: 0, where: "all" },
  { kind: "agentReply", ticket: 0, text: "we ordered toner" },
  { kind: "split", ticket: 0, mode: "noteFirst" },
  { kind: "note", ticket: 1, where: "text" },
  { kind: "split", ticket: 1, mode: "notesOnly" },
  { kind: "merge", target: 0, source: 1 },
  { kind: "undoMerge" },
  { kind: "escalate", ticket: 0 },
  { kind: "followUp", ticket: 1, via: "promise", text: "vpn drops again" }
]

/** A run: its canary (never a prefix of a public word) and its steps. */
const scenario = fc.record({
  canary: fc.stringMatching(/^[a-z]{8}$/).map((w) => `zqx${w}`),
  steps: fc.array(step, { maxLength: 24 }).map((steps) => [...prelude, ...steps])
})

/** The rule every run's help desks have: a note holding the canary on each new ticket and requester reply. */
const rules = (canary: string) => {
  const decoded = Rule.decodeRuleSet([
    Builder.trigger("canary-note", 1)
      .on("created", "requester_replied")
      .when(Builder.all())
      .do(Builder.note(`Rule says: customer flagged ${canary}`))
  ])
  if (Result.isFailure(decoded)) throw new Error(`canary rule: ${decoded.failure.message}`)
  return RuleTriggers.make(decoded.success)
}

let workspaceCount = 0

/**
 * Runs the property on `ports`: the counts summed over every run (shrinking included), and
 * fast-check's report when a run leaked.
 */
export const run = async (
  ports: Ports,
  options: { readonly numRuns: number; readonly seed?: number }
): Promise<{ readonly counts: Counts; readonly failure: string | undefined }> => {
  const counts: Counts = {
    runs: 0,
    operations: 0,
    leaks: 0,
    canarySearches: 0,
    canaryFound: 0,
    noteWordSearches: 0,
    noteWordFound: 0,
    publicSearchHits: 0,
    notes: 0,
    ruleNotes: 0,
    escalations: 0,
    merges: 0,
    undoneMerges: 0,
    splits: 0,
    splitsOpeningWithNote: 0,
    splitsOfNotesOnly: 0,
    followUps: 0,
    hiddenTickets: 0,
    ticketsWithCanary: 0
  }
  const details = await fc.check(
    fc.asyncProperty(scenario, async ({ canary, steps }) => {
      const before = counts.leaks + counts.canaryFound + counts.noteWordFound
      await runOne(ports, canary, steps, counts)
      return counts.leaks + counts.canaryFound + counts.noteWordFound === before
    }),
    { numRuns: options.numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) }
  )
  return { counts, failure: details.failed ? fc.defaultReportMessage(details) : undefined }
}

const runOne = async (ports: Ports, canary: string, steps: ReadonlyArray<Step>, counts: Counts) => {
  counts.runs++
  const workspace = `canary-${Date.now().toString(36)}-${++workspaceCount}`
  const triggers = rules(canary)
  const layer = Layer.succeedContext(ports)
  const helpdesk = await Effect.runPromise(
    Helpdesk.make({ workspaceId: workspace }, { triggers }).pipe(Effect.provide(layer))
  )
  const facade = await createHelpdesk({ workspaceId: workspace, layer, triggers })
  try {
    const exec = <A>(effect: Effect.Effect<A, unknown>) => Effect.runPromise(Effect.result(effect))
    const mary = { _tag: "agent", id: "mary" } as const
    await Effect.runPromise(helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" }))
    for (const id of ["jane", "omar"] as const)
      await Effect.runPromise(helpdesk.saveContact({ id, name: id, emails: [`${id}@example.com`] }))

    const requesters = {
      jane: { effect: Requester.make(helpdesk, "jane" as Ids.ContactId), promise: facade.forRequester("jane") },
      omar: { effect: Requester.make(helpdesk, "omar" as Ids.ContactId), promise: facade.forRequester("omar") }
    }
    const tickets: Array<Ticket.Ticket["id"]> = []
    const merges: Array<{ readonly target: string; readonly source: string }> = []
    const known = (n: number) => tickets[n % Math.max(1, tickets.length)]

    /** Serialises a requester-facing result or error and counts a leak when the canary is in it. */
    const inspect = (value: unknown) => {
      counts.operations++
      const shown =
        value instanceof Error ? `${JSON.stringify(value)} ${value.message} ${String(value)}` : JSON.stringify(value)
      if (shown.toLowerCase().includes(canary)) counts.leaks++
    }
    /** Calls a requester operation through one API; the result (or the error) is inspected. */
    const call = async <A>(
      effect: () => Effect.Effect<A, unknown>,
      promise: () => Promise<unknown>,
      through: Via
    ): Promise<{ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }> => {
      try {
        const value = through === "effect" ? await Effect.runPromise(effect()) : await promise()
        inspect(value)
        return { ok: true, value }
      } catch (error) {
        inspect(error)
        if (typeof error === "object" && error !== null && "_tag" in error && error._tag === "TicketNotFound")
          counts.hiddenTickets++
        return { ok: false, error }
      }
    }
    const track = (value: unknown) => {
      const id = (value as { readonly id?: Ticket.Ticket["id"] }).id
      if (id !== undefined && !tickets.includes(id)) {
        tickets.push(id)
        return true
      }
      return false
    }
    /** A requester's reply; one that opened a follow-up ticket counts. */
    const requesterReply = async (contact: Contact, ticket: Ticket.Ticket["id"], text: string, via: Via) => {
      const r = requesters[contact]
      const input = { ticket, text }
      const done = await call(
        () => r.effect.reply(input),
        () => r.promise.reply(input),
        via
      )
      if (done.ok && track(done.value)) counts.followUps++
    }
    const close = async (ticket: Ticket.Ticket["id"]) => {
      await exec(helpdesk.changeStatus({ ticket, status: "solved", by: mary }))
      await exec(helpdesk.changeStatus({ ticket, status: "closed", by: mary }))
    }

    for (const s of steps) {
      switch (s.kind) {
        case "open": {
          const r = requesters[s.contact]
          const input = { subject: s.subject, text: s.text, channel: "web" as const }
          const done = await call(
            () => r.effect.open(input),
            () => r.promise.open(input),
            s.via
          )
          if (done.ok) track(done.value)
          break
        }
        case "agentOpen": {
          const opened = await exec(
            helpdesk.open({
              requester: { id: s.contact },
              by: mary,
              subject: "phone call",
              text: s.text,
              channel: "phone"
            })
          )
          if (Result.isSuccess(opened)) track(opened.success)
          break
        }
        case "reply": {
          const ticket = known(s.ticket)
          if (ticket !== undefined) await requesterReply(s.contact, ticket, s.text, s.via)
          break
        }
        case "agentReply": {
          const ticket = known(s.ticket)
          if (ticket !== undefined) await exec(helpdesk.reply({ ticket, text: s.text, by: mary }))
          break
        }
        case "note": {
          const ticket = known(s.ticket)
          if (ticket === undefined) break
          const inText = s.where === "text" || s.where === "all"
          const noted = await exec(
            helpdesk.note({
              ticket,
              by: mary,
              text: inText ? `Internal: ${canary} checked the logs` : "Internal: checked the logs",
              ...(s.where === "html" || s.where === "all" ? { html: `<p>see <b>${canary.toUpperCase()}</b></p>` } : {}),
              ...(s.where === "attachment" || s.where === "all"
                ? { attachments: [{ fileName: `${canary}-trace.txt`, contentType: "text/plain", size: 12 }] }
                : {})
            })
          )
          if (Result.isSuccess(noted)) counts.notes++
          break
        }
        case "escalate": {
          const ticket = known(s.ticket)
          if (ticket === undefined) break
          const escalated = await exec(helpdesk.escalate({ ticket, reason: `Because ${canary}`, by: mary }))
          if (Result.isSuccess(escalated)) counts.escalations++
          break
        }
        case "close": {
          const ticket = known(s.ticket)
          if (ticket !== undefined) await close(ticket)
          break
        }
        case "followUp": {
          // The ticket is closed, then its requester writes again: a follow-up ticket.
          const ticket = known(s.ticket)
          if (ticket === undefined) break
          const got = await exec(helpdesk.asSystem("canary").get(ticket))
          if (Result.isFailure(got)) break
          await close(ticket)
          await requesterReply(got.success.requester === "jane" ? "jane" : "omar", ticket, s.text, s.via)
          break
        }
        case "merge": {
          const target = known(s.target)
          const source = known(s.source)
          if (target === undefined || source === undefined || target === source) break
          const merged = await exec(helpdesk.merge({ target, sources: [source], by: mary }))
          if (Result.isSuccess(merged)) {
            counts.merges++
            merges.push({ target, source })
          }
          break
        }
        case "undoMerge": {
          const last = merges.pop()
          if (last === undefined) break
          const undone = await exec(helpdesk.undoMerge({ ...last, by: mary }))
          if (Result.isSuccess(undone)) counts.undoneMerges++
          break
        }
        case "split": {
          const ticket = known(s.ticket)
          if (ticket === undefined) break
          const got = await exec(helpdesk.asSystem("canary").get(ticket))
          if (Result.isFailure(got)) break
          const messages = got.success.messages
          const firstNote = messages.findIndex((m, i) => i > 0 && m.visibility === "internal")
          const chosen =
            s.mode === "notesOnly"
              ? messages.filter((m) => m.visibility === "internal")
              : s.mode === "noteFirst"
                ? firstNote < 0
                  ? []
                  : messages.slice(firstNote)
                : messages.slice(-2)
          if (chosen.length === 0 || chosen.length >= messages.length) break
          const split = await exec(helpdesk.split({ ticket, messages: chosen.map((m) => m.id), by: mary }))
          if (Result.isFailure(split)) break
          track(split.success)
          counts.splits++
          if (chosen[0]?.visibility === "internal") counts.splitsOpeningWithNote++
          if (chosen.every((m) => m.visibility === "internal")) counts.splitsOfNotesOnly++
          break
        }
      }
    }

    // Every requester-facing query, for both contacts and through both APIs.
    for (const who of ["jane", "omar"] as const) {
      const r = requesters[who]
      for (const through of ["effect", "promise"] as const) {
        for (const ticket of tickets) {
          const got = await exec(helpdesk.asSystem("canary").get(ticket))
          const refs = Result.isSuccess(got) ? [ticket, got.success.publicId] : [ticket]
          for (const ref of refs) {
            await call(
              () => r.effect.get(ref),
              () => r.promise.get(ref),
              through
            )
            await call(
              () => r.effect.history(ref),
              () => r.promise.history(ref),
              through
            )
          }
        }
        let cursor: string | undefined
        do {
          const query = { limit: 3, ...(cursor === undefined ? {} : { cursor }) }
          const page = await call(
            () => r.effect.list(query),
            () => r.promise.list(query),
            through
          )
          cursor = page.ok ? (page.value as { readonly nextCursor?: string }).nextCursor : undefined
        } while (cursor !== undefined)
        for (const search of [canary, canary.slice(0, 5), canary.toUpperCase(), `checked ${canary}`]) {
          counts.canarySearches++
          const found = await call(
            () => r.effect.list({ search }),
            () => r.promise.list({ search }),
            through
          )
          if (found.ok) counts.canaryFound += (found.value as { readonly items: ReadonlyArray<unknown> }).items.length
        }
        for (const search of ["logs", "flagged", "internal"]) {
          counts.noteWordSearches++
          const found = await call(
            () => r.effect.list({ search }),
            () => r.promise.list({ search }),
            through
          )
          if (found.ok) counts.noteWordFound += (found.value as { readonly items: ReadonlyArray<unknown> }).items.length
        }
        for (const search of ["printer", "vpn"]) {
          const found = await call(
            () => r.effect.list({ search }),
            () => r.promise.list({ search }),
            through
          )
          if (found.ok && (found.value as { readonly items: ReadonlyArray<unknown> }).items.length > 0)
            counts.publicSearchHits++
        }
      }
    }
    for (const ticket of tickets) {
      const got = await exec(helpdesk.asSystem("canary").get(ticket))
      if (Result.isFailure(got)) continue
      if (JSON.stringify(got.success).includes(canary)) counts.ticketsWithCanary++
      counts.ruleNotes += got.success.messages.filter((m) => m.author._tag === "system").length
    }
  } finally {
    await facade.close()
  }
}

/**
 * The property's verdict: no leak, no note-only word found; and everything it meant to exercise
 * (merges and their undo, splits opening with a note and of notes only, follow-ups, rule notes,
 * hidden tickets, working public search) really happened.
 */
export const expectNoLeak = ({ counts, failure }: Awaited<ReturnType<typeof run>>): void => {
  expect(failure, "a run that leaked (shrunk)").toBeUndefined()
  expect(counts.leaks, "results holding the canary").toBe(0)
  expect(counts.canaryFound, "tickets a canary search found").toBe(0)
  expect(counts.noteWordFound, "tickets a note-only word found").toBe(0)
  for (const key of [
    "operations",
    "notes",
    "ruleNotes",
    "escalations",
    "merges",
    "undoneMerges",
    "splits",
    "splitsOpeningWithNote",
    "splitsOfNotesOnly",
    "followUps",
    "hiddenTickets",
    "ticketsWithCanary",
    "publicSearchHits"
  ] as const) {
    expect(counts[key], key).toBeGreaterThan(0)
  }
}
