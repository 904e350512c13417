/**
 * The services behind each Promise client of a help desk, for the adapters' Promise clients (the
 * notifier's, say) to run beside it on the very same help desk and stores. An in-memory help desk
 * lives in the runtime that built it: a second runtime built from the same layer would be a
 * second, empty help desk.
 */
import type { Context } from "effect"
import type { Helpdesk } from "../helpdesk/Service.js"
import type { Ports } from "./Options.js"

/**
 * What a client's runtime provides: the help desk and its ports (a store that has an outbox,
 * as the in-memory and SQL stores do, provides its `Outbox` too).
 *
 * @category models
 * @since 0.1.0
 */
export type Services = Helpdesk | Ports

const registered = new WeakMap<object, () => Promise<Context.Context<Services>>>()

/**
 * Records where `client`'s services are read (its runtime's context).
 *
 * @category constructors
 * @since 0.1.0
 */
export const register = (client: object, services: () => Promise<Context.Context<Services>>): void => {
  registered.set(client, services)
}

/**
 * The services of a client `createHelpdesk` made, to run Effect programs beside it (what
 * `createNotifier({ helpdesk: client })` does); `undefined` for any other value. They stay
 * usable until the client is closed.
 *
 * @example
 * const services = await PromiseHelpdesk.servicesOf(helpdesk)
 *
 * @category combinators
 * @since 0.1.0
 */
export const servicesOf = (client: unknown): Promise<Context.Context<Services>> | undefined => {
  const services = typeof client === "object" && client !== null ? registered.get(client) : undefined
  return services?.()
}
