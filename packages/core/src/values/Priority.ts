/**
 * Ticket priority: four levels, ordered. What other help desks call "medium" is `normal`. Scoring a priority
 * from urgency, impact and modifiers is `PriorityScore`'s job; this module only names and
 * orders the levels.
 */
import { Order, Schema } from "effect"

/**
 * The priority levels, lowest first.
 *
 * @category models
 * @since 0.1.0
 */
export const Priority = Schema.Literals(["low", "normal", "high", "urgent"])
/** @category models @since 0.1.0 */
export type Priority = typeof Priority.Type

/**
 * Every level, lowest first.
 *
 * @category models
 * @since 0.1.0
 */
export const levels: ReadonlyArray<Priority> = Priority.literals

/**
 * The rank of a level: low 0, normal 1, high 2, urgent 3.
 *
 * @category combinators
 * @since 0.1.0
 */
export const rank = (priority: Priority): number => levels.indexOf(priority)

/**
 * Orders priorities from lowest to highest.
 *
 * @category combinators
 * @since 0.1.0
 */
export const order: Order.Order<Priority> = Order.mapInput(Order.Number, rank)

/**
 * The higher of two priorities (a merge keeps it).
 *
 * @category combinators
 * @since 0.1.0
 */
export const max = (a: Priority, b: Priority): Priority => (rank(a) >= rank(b) ? a : b)
