/**
 * The hot-ticket scenario of issue 12, shared by its test and its worker processes: many writers
 * sending commands to one ticket through the Promise facade, none passing `expectedVersion`, and
 * a ticket store that counts the version conflicts the help desk met (and retried) underneath.
 */
import { type PromiseHelpdesk, TicketStore } from "@tessera/core"
import { Context, Effect, Layer } from "effect"

/** A decorator of the ticket store that counts the `VersionConflict`s its appends answer. */
export const countingConflicts = () => {
  let conflicts = 0
  const count = (error: { readonly _tag: string }) =>
    Effect.sync(() => {
      if (error._tag === "VersionConflict") conflicts++
    })
  return {
    wrap: (store: TicketStore.TicketStore["Service"]): TicketStore.TicketStore["Service"] =>
      TicketStore.TicketStore.of({
        ...store,
        append: (...args) => Effect.tapError(store.append(...args), count),
        appendAll: (...args) => Effect.tapError(store.appendAll(...args), count)
      }),
    conflicts: () => conflicts
  }
}

/** The ports of `layer`, with its ticket store counted by `counter`. */
export const withCounted = <A, E>(
  layer: Layer.Layer<A | TicketStore.TicketStore, E>,
  counter: ReturnType<typeof countingConflicts>
): Layer.Layer<A | TicketStore.TicketStore, E> =>
  Layer.effectContext(
    Effect.map(Effect.context<A | TicketStore.TicketStore>(), (services) =>
      Context.add(services, TicketStore.TicketStore, counter.wrap(Context.get(services, TicketStore.TicketStore)))
    )
  ).pipe(Layer.provide(layer))

/** What the writers of one process saw: the marker of each accepted command, failures by tag. */
export interface Outcomes {
  readonly accepted: ReadonlyArray<string>
  readonly failures: Readonly<Record<string, number>>
}

/** The marker command `i` of writer `w` leaves in the ticket: a message's text, or a tag. */
export const marker = (label: string, w: number, i: number): string => `${label}_w${w}_c${i}`

/**
 * `writers` concurrent writers, each sending `perWriter` commands in turn to the ticket (a reply,
 * a note, a tag, ...), as Mary, without `expectedVersion`.
 */
export const writeHot = async (
  helpdesk: PromiseHelpdesk.HelpdeskClient,
  ticket: string,
  label: string,
  writers: number,
  perWriter: number
): Promise<Outcomes> => {
  const by = { _tag: "agent", id: "mary" } as const
  const accepted: Array<string> = []
  const failures: Record<string, number> = {}
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const text = marker(label, w, i)
        try {
          if (i % 3 === 0) await helpdesk.reply({ ticket, by, text })
          else if (i % 3 === 1) await helpdesk.note({ ticket, by, text })
          else await helpdesk.tag({ ticket, by, add: [text] })
          accepted.push(text)
        } catch (error) {
          const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"
          failures[tag] = (failures[tag] ?? 0) + 1
        }
      }
    })
  )
  return { accepted, failures }
}
