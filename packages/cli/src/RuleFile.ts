/**
 * Reading a rule file: its text parsed as JSON and decoded by `@tessera/rules`' public decoder,
 * with every problem and its path. This is the only module of the command line that decodes
 * rules, so a change to the decoder's API is met here alone. Checking the decoded rules is
 * `Check`'s job; running them is `Explain`'s and `DryRun`'s.
 *
 * @since 0.1.0
 */
import { readFile } from "node:fs/promises"
import { Rule } from "@tessera/rules"
import { Effect, Result, Schema } from "effect"

/**
 * One problem of a rule file: where (a JSON path, starting at the rule's index) and what.
 *
 * @category models
 * @since 0.1.0
 */
export interface Problem {
  readonly path: Rule.Path
  readonly message: string
}

/**
 * A rule file as read: its rules (decoded, in order), or every problem that kept it from decoding.
 * `ids` are the rule ids the file names, by index, as far as they can be read (for messages).
 *
 * @category models
 * @since 0.1.0
 */
export type Decoded =
  | { readonly _tag: "Decoded"; readonly rules: Rule.RuleSet; readonly ids: ReadonlyArray<string | undefined> }
  | {
      readonly _tag: "Invalid"
      readonly problems: ReadonlyArray<Problem>
      readonly ids: ReadonlyArray<string | undefined>
    }

/**
 * The rule file could not be read at all (missing, a directory, no permission).
 *
 * @category errors
 * @since 0.1.0
 */
export class FileUnreadable extends Schema.TaggedError<FileUnreadable>()("FileUnreadable", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Cannot read the rule file ${this.path}: ${this.reason}`
  }
}

/** `JSON.parse`'s complaint, with the line and column of the position it names. */
const jsonProblem = (text: string, error: unknown): Problem => {
  const raw = error instanceof Error ? error.message : String(error)
  const position = /at position (\d+)/.exec(raw)
  if (position === null || /\(line \d+ column \d+\)/.test(raw)) return { path: [], message: `Not valid JSON: ${raw}` }
  const before = text.slice(0, Number(position[1]))
  const line = before.split("\n").length
  const column = before.length - before.lastIndexOf("\n")
  return { path: [], message: `Not valid JSON: ${raw} (line ${line} column ${column})` }
}

const idsOf = (input: unknown): ReadonlyArray<string | undefined> =>
  Array.isArray(input)
    ? input.map((r: unknown) =>
        typeof r === "object" && r !== null && "id" in r && typeof r.id === "string" ? r.id : undefined
      )
    : []

/**
 * Decodes the text of a rule file: JSON, then `Rule.decodeRuleSet`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (text: string): Decoded => {
  let input: unknown
  try {
    input = JSON.parse(text)
  } catch (error) {
    return { _tag: "Invalid", problems: [jsonProblem(text, error)], ids: [] }
  }
  const ids = idsOf(input)
  const decoded = Rule.decodeRuleSet(input)
  return Result.isSuccess(decoded)
    ? { _tag: "Decoded", rules: decoded.success, ids }
    : { _tag: "Invalid", problems: decoded.failure.problems, ids }
}

/**
 * Reads and decodes a rule file.
 *
 * @category constructors
 * @since 0.1.0
 */
export const read = (path: string): Effect.Effect<Decoded, FileUnreadable> =>
  Effect.map(
    Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (cause) =>
        new FileUnreadable({
          path,
          reason:
            typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ENOENT"
              ? "no such file"
              : cause instanceof Error
                ? cause.message
                : String(cause)
        })
    }),
    decode
  )
