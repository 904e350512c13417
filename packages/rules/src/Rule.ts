/**
 * The rule document: plain JSON, described by Schemas, so that rules stored in a database and
 * rules written with the `Builder` go through one decoder and one compiler. A rule says when it
 * runs (`kind`, `on`), what must hold (`if`, a tree of conditions) and what to do (`then`, core
 * commands to emit). This namespace gathers the conditions (`rule/Condition.ts`), the actions
 * (`rule/Action.ts`), the document (`rule/Document.ts`) and its decoder (`rule/decode.ts`).
 * Evaluating conditions is the `Interpreter`'s and `Compile`'s job; running actions is not here.
 *
 * @since 0.1.0
 */
export * from "./rule/Action.js"
export * from "./rule/Condition.js"
export { type Path, Rule, RuleId, type RuleSet } from "./rule/Document.js"
export { checkRuleSet, decodeRule, decodeRuleSet, Problem } from "./rule/decode.js"
