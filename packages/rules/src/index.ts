/**
 * @tessera/rules: triggers and automations as data or code, compiled once, explained; assignment
 * strategies and a classifier for routing.
 *
 * @since 0.1.0
 * @module @tessera/rules
 */

export * as Analysis from "./Analysis.js"
export * as Assignment from "./Assignment.js"
export * as AssignmentState from "./AssignmentState.js"
export * as Automations from "./Automations.js"
export * as Builder from "./Builder.js"
export * as Classifier from "./Classifier.js"
export * as Compile from "./Compile.js"
export * as Facts from "./Facts.js"
export * as Interpreter from "./Interpreter.js"
export * as Lexicon from "./Lexicon.js"
export * as Pattern from "./Pattern.js"
export * as Reads from "./Reads.js"
export * as Rule from "./Rule.js"
export * as RuleTriggers from "./RuleTriggers.js"
