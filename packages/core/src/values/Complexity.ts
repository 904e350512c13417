/**
 * How much work a ticket is, by the skill and time it takes: `simple` (a known answer),
 * `standard`, `complex` (investigation, several teams). Agents or rules set it; priority scoring
 * reads it as one input and reports break volumes and times down by it.
 */
import { Schema } from "effect"

/**
 * A ticket's complexity.
 *
 * @category models
 * @since 0.1.0
 */
export const Complexity = Schema.Literals(["simple", "standard", "complex"])
/** @category models @since 0.1.0 */
export type Complexity = typeof Complexity.Type
