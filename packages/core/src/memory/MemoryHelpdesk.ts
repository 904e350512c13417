/**
 * The all-in-memory help desk: the `Helpdesk` service over the in-memory stores, timers and
 * outbox, with sequential or time-ordered ids. For tests, demos and small tools; nothing
 * survives the process.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import * as Helpdesk from "../helpdesk/Helpdesk.js"
import type * as In from "../helpdesk/HelpdeskInput.js"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import { layerSequential, layerTimeOrdered } from "../ports/IdGenerator.js"
import type { Outbox } from "../ports/Outbox.js"
import type { TicketStore } from "../ports/TicketStore.js"
import type * as Timer from "../ports/Timers.js"
import type { InvalidConfig } from "../values/ConfigError.js"
import * as MemoryDirectoryStore from "./MemoryDirectoryStore.js"
import * as MemoryTicketStore from "./MemoryTicketStore.js"
/**
 * Options of the all-in-memory help desk.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends MemoryTicketStore.Options, Helpdesk.Options {
  /** `sequential` ids (`tkt_1`) for tests and demos; time-ordered random ids by default. */
  readonly ids?: "sequential" | "timeOrdered"
}

/**
 * A help desk with every port in memory: for tests, demos and small tools. The stores are
 * exposed too, so tests can look underneath.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  config: typeof In.Config.Encoded,
  options: Options = {}
): Layer.Layer<Helpdesk.Helpdesk | TicketStore | DirectoryStore | Timer.Timers | Outbox, InvalidConfig> =>
  Helpdesk.layer(config, options).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        MemoryTicketStore.layer(options),
        MemoryDirectoryStore.layer,
        options.ids === "sequential" ? layerSequential : layerTimeOrdered
      )
    )
  )
