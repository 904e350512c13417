/**
 * Decoding at the edge: everything that enters the `Helpdesk` (commands, queries, configuration,
 * stored or received events) is decoded with its Schema first, and anything malformed becomes
 * one `InvalidInput` error listing every problem with its path. Nothing throws.
 */
import { Effect, Schema, type SchemaIssue } from "effect"
import { TicketCommand } from "../ticket/TicketCommand.js"
import { TicketEvent } from "../ticket/TicketEvent.js"
import * as ConfigError from "../values/ConfigError.js"

/**
 * One problem in an input: where (a path of keys and indexes) and what. The same shape as a
 * configuration problem (`ConfigError.Problem`).
 *
 * @category models
 * @since 0.1.0
 */
export const Problem = ConfigError.Problem
/** @category models @since 0.1.0 */
export type Problem = ConfigError.Problem

/**
 * An input did not decode: `problems` lists each one with its path.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  /** What was being decoded (`open`, `query`, `event`, ...). */
  input: Schema.String,
  problems: Schema.Array(Problem)
}) {
  /** The same input is refused again: correct it first. */
  get retryable() {
    return false
  }
  override get message() {
    // A problem of the whole value (a ticket reference, a limit) needs no path before it.
    return `Invalid ${this.input}: ${this.problems.map((p) => (p.path.length === 0 ? p.message : ConfigError.describe([p]))).join("; ")}`
  }
}

/**
 * Turns a schema issue into problems with paths.
 *
 * @category constructors
 * @since 0.1.0
 */
export const problems: (issue: SchemaIssue.Issue) => ReadonlyArray<Problem> = ConfigError.problems

/**
 * Decodes unknown input strictly (extra keys are errors too) and collects every problem.
 *
 * @category combinators
 * @since 0.1.0
 */
export const decode = <S extends Schema.Decoder<unknown>>(schema: S, input: string) => {
  const parse = Schema.decodeUnknownEffect(schema, strict)
  return (value: unknown): Effect.Effect<S["Type"], InvalidInput, S["DecodingServices"]> =>
    // A schema that needs no service decodes at once (an `Exit`): the result is then at hand too.
    Effect.mapErrorEager(parse(value), (error) => new InvalidInput({ input, problems: problems(error.issue) }))
}

/** How input is decoded: every problem collected, and extra keys are problems too. */
const strict = { errors: "all", onExcessProperty: "error" } as const

/**
 * Decodes a command from its JSON form (as sent by an API client or a queue).
 *
 * @category combinators
 * @since 0.1.0
 */
export const decodeCommand: (value: unknown) => Effect.Effect<TicketCommand, InvalidInput> = decode(
  TicketCommand,
  "command"
)

/**
 * Decodes an event from its JSON form (as stored or received).
 *
 * @category combinators
 * @since 0.1.0
 */
export const decodeEvent: (value: unknown) => Effect.Effect<TicketEvent, InvalidInput> = decode(TicketEvent, "event")
