/**
 * The rule-loop case of issue 12: customers open tickets and reply while the help desk's trigger
 * rules loop (two rules undo each other) or fail (an `assign` whose assigner throws). Before, the
 * customer's own command was refused with `TriggerLoop` and the message lost; now it is written,
 * the rules' changes are dropped, and a `RulesFailed` event records why. Shared by the in-process
 * stores' test and the PostgreSQL one.
 */
import {
  type DirectoryStore,
  Helpdesk,
  IdGenerator,
  type TicketEvent,
  type TicketStore,
  type Timers
} from "@tessera/core"
import { Builder, Rule, RuleTriggers } from "@tessera/rules"
import { Effect, Layer, Result } from "effect"

const { field, text } = Builder

const rules = Result.getOrThrow(
  Rule.decodeRuleSet([
    Builder.trigger("raise", 1).when(field("priority").is("normal")).do(Builder.set("priority", "high")),
    Builder.trigger("lower", 1).when(field("priority").is("high")).do(Builder.set("priority", "normal")),
    Builder.trigger("refunds-round-robin", 3)
      .on("created", "requester_replied")
      .when(text("message").containsAny(["refund"]))
      .do(Builder.assign("round_robin"))
  ])
)

const triggers = RuleTriggers.make(rules, {
  assign: () => {
    throw new Error("roster unavailable")
  }
})

/** What the scenario tried and found. */
export interface Counts {
  readonly store: string
  readonly opens: number
  readonly replies: number
  readonly acknowledged: number
  readonly refused: number
  readonly messagesKept: number
  readonly rulesFailedLoop: number
  readonly rulesFailedAction: number
  readonly ruleChangesWritten: number
  readonly [key: string]: string | number
}

/** The stores a help desk needs, on any back end. */
export type StoreLayer = Layer.Layer<TicketStore.TicketStore | DirectoryStore.DirectoryStore | Timers.Timers, unknown>

/**
 * `customers` customers each open a ticket and reply once on a help desk over `stores` whose
 * rules loop on every unit of work, and fail with an action on half of them (the messages about
 * a refund); then every ticket's history is read back.
 */
export const run = (store: string, stores: StoreLayer, customers: number): Promise<Counts> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      let acknowledged = 0
      let refused = 0
      const written: Array<{ readonly ticket: string; readonly text: string }> = []
      const attempt = <A extends { readonly id: string }>(command: Effect.Effect<A, unknown>, text: string) =>
        Effect.map(Effect.result(command), (result) => {
          if (Result.isFailure(result)) {
            refused++
            return undefined
          }
          acknowledged++
          written.push({ ticket: result.success.id, text })
          return result.success
        })
      const opened: Array<{ readonly id: string; readonly contact: string }> = []
      for (let i = 0; i < customers; i++) {
        const text = i % 2 === 0 ? `Where is my refund, order ${i}?` : `The app crashes on start, device ${i}.`
        const ticket = yield* attempt(
          helpdesk.open({
            requester: { email: `customer${i}@example.com`, name: `Customer ${i}` },
            subject: `Order ${i}`,
            text,
            channel: "email"
          }),
          text
        )
        if (ticket !== undefined) opened.push({ id: ticket.id, contact: ticket.requester })
      }
      for (const [i, t] of opened.entries()) {
        const text = i % 2 === 0 ? "Still no refund." : "Still crashing."
        yield* attempt(helpdesk.reply({ ticket: t.id, text, by: { _tag: "contact", id: t.contact } }), text)
      }
      let messagesKept = 0
      const failures: Array<TicketEvent.RulesFailed> = []
      let ruleChangesWritten = 0
      for (const t of opened) {
        const history = yield* helpdesk.asSystem("canary").history(t.id)
        const texts = new Set(history.flatMap((e) => ("message" in e ? [e.message.text] : [])))
        messagesKept += written.filter((w) => w.ticket === t.id && texts.has(w.text)).length
        for (const e of history) {
          if (e._tag === "RulesFailed") failures.push(e)
          else if (e.rule !== undefined) ruleChangesWritten++
        }
      }
      return {
        store,
        opens: customers,
        replies: opened.length,
        acknowledged,
        refused,
        messagesKept,
        rulesFailedLoop: failures.filter((f) => f.reason === "loop").length,
        rulesFailedAction: failures.filter((f) => f.reason === "action_failed").length,
        ruleChangesWritten
      }
    }).pipe(
      Effect.provide(
        Helpdesk.layer({ workspaceId: "reliability" }, { triggers }).pipe(
          Layer.provide(Layer.merge(stores, IdGenerator.layerTimeOrdered))
        )
      )
    )
  )
