/**
 * The handle that lets a caller act as the system (imports, integrations, jobs): a value the
 * host creates on purpose with `make` and gives to its help desk, which accepts a system actor
 * only when this very handle issued it. An actor literal (`{ _tag: "system", ... }`), from a
 * request body or anywhere else, is refused: the check is by identity, not by shape.
 */
import type * as Actor from "../values/Actor.js"

/**
 * A capability to act as the system on the help desks built with it.
 *
 * @category models
 * @since 0.1.0
 */
export interface SystemAccess {
  /**
   * A system actor with a reason (`"import"`, `"email"`), for `by` or `Helpdesk.as`: accepted by
   * the help desks built with this handle, refused by every other.
   */
  readonly actor: (reason: string) => Actor.SystemActor
}

/** Which handle issued each system actor: looked up by the actor object itself. */
const issued = new WeakMap<object, SystemAccess>()

/**
 * A new handle: call it where the host builds its help desk, pass it in the help desk's options
 * (`system`), and keep it from code that should not act as the system.
 *
 * @example
 * ```ts
 * const system = SystemAccess.make()
 * const helpdesk = yield* Helpdesk.make({ workspaceId: "acme" }, { system })
 * yield* helpdesk.note({ ticket: 1, by: system.actor("import"), text: "Imported from Zendesk" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (): SystemAccess => {
  const access: SystemAccess = {
    actor: (reason) => {
      const actor: Actor.SystemActor = Object.freeze({ _tag: "system", reason })
      issued.set(actor, access)
      return actor
    }
  }
  return access
}

/**
 * Whether `actor` is a system actor `access` issued (the same object, not a copy).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isIssuedBy = (access: SystemAccess, actor: unknown): boolean =>
  typeof actor === "object" && actor !== null && issued.get(actor) === access
