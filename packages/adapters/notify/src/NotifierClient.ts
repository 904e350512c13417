/**
 * The notifier for Promise users: `createNotifier` builds `Notifier.make` in its own runtime, on
 * the services of the help desk client it is given (or over a layer of them), and answers with
 * Promises (`drainOnce`, `start`, `stop`, `close`). Failures reject with the Effect API's tagged
 * errors.
 */
import { type DirectoryStore, type Helpdesk, Outbox, PromiseHelpdesk, type TicketStore } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Cause, Context, Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import * as Controls from "./internal/controls.js"
import * as Notifier from "./Notifier.js"
import type * as Worker from "./Worker.js"

/**
 * The help desk a notifier serves: the client `createHelpdesk` made (the notifier then runs on
 * its very services: in memory too), or a layer providing `Helpdesk` and its stores
 * (`Helpdesk.layer` over `@tessera/sql`: the application's help desk and the notifier share the
 * database; an in-memory layer here would be a second, empty help desk).
 *
 * @category models
 * @since 0.1.0
 */
export type HelpdeskOf =
  | PromiseHelpdesk.HelpdeskClient
  | Layer.Layer<Helpdesk.Helpdesk | DirectoryStore.DirectoryStore | TicketStore.TicketStore | Outbox.Outbox, unknown>

/**
 * The notifier's configuration (`Notifier.Config`), the help desk it serves, and its signing keys:
 * `keys` as `Signature.keys` made them, or `secrets` (newest first) to make them from.
 *
 * @category models
 * @since 0.1.0
 */
export type NotifierOptions = Keyed & { readonly helpdesk: HelpdeskOf }

/** The configuration with keys, or with the secrets to make them from. */
type Keyed =
  | Notifier.Config
  | (Omit<Notifier.Config, "keys"> & { readonly secrets: ReadonlyArray<string | Uint8Array> })

/** The layer of the services the notifier runs on. */
type ServicesLayer = Exclude<HelpdeskOf, PromiseHelpdesk.HelpdeskClient>

/**
 * The running notifier.
 *
 * @category models
 * @since 0.1.0
 */
export interface NotifierClient {
  /** Claims one batch and settles every message of it. */
  readonly drainOnce: () => Promise<Worker.Report>
  /** Starts draining in the background; a second call does nothing. */
  readonly start: () => void
  /** Stops draining (messages being sent come back after their lease, under the same keys). */
  readonly stop: () => Promise<void>
  /** Stops, closes the SMTP pool and webhook connections, and releases the runtime. */
  readonly close: () => Promise<void>
}

/** The configuration with its keys: `secrets` made into keys, rejecting with `InvalidKeys`. */
const configOf = async (given: Keyed): Promise<Notifier.Config> => {
  if (!("secrets" in given)) return given
  const { secrets, ...rest } = given
  const keys = await Effect.runPromiseExit(Signature.keys(Array.isArray(secrets) ? secrets : []))
  if (Exit.isFailure(keys)) throw Cause.squash(keys.cause)
  return { ...rest, keys: keys.value }
}

/** The notifier's services: the layer as given, or a client's own services (its outbox checked). */
const layerOf = async (helpdesk: HelpdeskOf): Promise<ServicesLayer> => {
  if (Layer.isLayer(helpdesk)) return helpdesk as ServicesLayer
  const services = await PromiseHelpdesk.servicesOf(helpdesk)
  if (services === undefined) {
    throw new Notifier.InvalidNotifierConfig({
      reason: "helpdesk: give the client createHelpdesk made, or a layer of the help desk's services"
    })
  }
  // A store of the user's own (`createHelpdesk({ layer })`) may have no outbox.
  const outbox = Context.getOption(services, Outbox.Outbox)
  if (outbox._tag === "None") {
    throw new Notifier.InvalidNotifierConfig({ reason: "helpdesk: its store keeps no outbox to deliver from" })
  }
  return Layer.succeedContext(services as Context.Context<PromiseHelpdesk.Services | Outbox.Outbox>)
}

/**
 * Builds the notifier (`Notifier.make`) beside a help desk: the client `createHelpdesk` made, or
 * a layer of its services. Rejects with `InvalidNotifierConfig` when the configuration cannot work
 * (checked before any mail: keys, addresses, SMTP options, templates, webhook endpoints), with
 * `InvalidKeys` when `secrets` are unusable, or with the layer's error when it cannot start.
 * Closing the notifier leaves the help desk client open.
 *
 * @example
 * const helpdesk = await createHelpdesk({ database: "sqlite:helpdesk.db", triggers: { rules: NotifyTriggers.rules() } })
 * const notifier = await createNotifier({
 *   helpdesk,
 *   mail: { smtp: { host: "smtp.acme.test", port: 587 } },
 *   from: { address: "support@acme.test", name: "Acme Support" },
 *   secrets: [process.env.MAIL_KEY!]
 * })
 * notifier.start()
 *
 * @category constructors
 * @since 0.1.0
 */
export const createNotifier = async (options: NotifierOptions): Promise<NotifierClient> => {
  const { helpdesk, ...given } = options
  const config = await configOf(given as Keyed)
  const runtime = ManagedRuntime.make(await layerOf(helpdesk))
  const scope = Scope.makeUnsafe()
  const built = await runtime.runPromiseExit(Notifier.make(config).pipe(Scope.provide(scope)))
  if (Exit.isFailure(built)) {
    await runtime.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
    return Promise.reject(Cause.squash(built.cause))
  }
  const notifier = built.value
  return Controls.make(runtime, notifier.drainOnce, notifier.run, async () => {
    await runtime.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
  })
}
