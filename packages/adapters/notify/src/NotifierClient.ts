/**
 * The notifier for Promise users: `createNotifier` builds `Notifier.make` in its own runtime
 * over the layer of the help desk's ports, and answers with Promises (`drainOnce`, `start`,
 * `stop`, `close`). Failures reject with the Effect API's tagged errors.
 */
import type { DirectoryStore, Helpdesk, Outbox, TicketStore } from "@tessera/core"
import { Cause, Exit, type Layer, ManagedRuntime, Scope } from "effect"
import * as Controls from "./internal/controls.js"
import * as Notifier from "./Notifier.js"
import type * as Worker from "./Worker.js"

/**
 * The notifier's configuration, and the help desk it serves: a layer providing `Helpdesk` and
 * its stores (`MemoryHelpdesk.layer`, or `Helpdesk.layer` over `@tessera/sql`). With SQL, the
 * application's own help desk and the notifier share the database; an in-memory layer is only
 * shared with whoever runs in the same runtime.
 *
 * @category models
 * @since 0.1.0
 */
export interface NotifierOptions extends Notifier.Config {
  readonly helpdesk: Layer.Layer<
    Helpdesk.Helpdesk | DirectoryStore.DirectoryStore | TicketStore.TicketStore | Outbox.Outbox,
    unknown
  >
}

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

/**
 * Builds the notifier (`Notifier.make`); rejects with `InvalidNotifierConfig` when the
 * configuration cannot work, or with the layer's error when the help desk cannot start.
 *
 * @example
 * const notifier = await createNotifier({
 *   helpdesk: MemoryHelpdesk.layer({ workspaceId: "acme" }),
 *   mail: { smtp: { host: "smtp.acme.test", port: 587 } },
 *   from: { address: "support@acme.test" },
 *   keys: await Effect.runPromise(Signature.keys([process.env.MAIL_KEY!]))
 * })
 * notifier.start()
 *
 * @category constructors
 * @since 0.1.0
 */
export const createNotifier = async (options: NotifierOptions): Promise<NotifierClient> => {
  const { helpdesk, ...config } = options
  const runtime = ManagedRuntime.make(helpdesk)
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
