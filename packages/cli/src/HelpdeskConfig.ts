/**
 * The help desk's own configuration file (`--config`), for what the rules depend on beyond the
 * tickets: the workflow a rule's status change is checked against, the custom fields a rule may
 * set, and the workspace. It reads the JSON the application gives `Helpdesk.make` (other keys are
 * left alone), so the same file serves both.
 *
 * @since 0.1.0
 */
import { readFile } from "node:fs/promises"
import { ConfigError, CustomField, Ids, Status } from "@tessera/core"
import { Effect, Result, Schema } from "effect"
import * as Replay from "./Replay.js"

/**
 * The configuration file cannot be read, or does not hold a valid configuration.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidHelpdeskConfig extends Schema.TaggedError<InvalidHelpdeskConfig>()("InvalidHelpdeskConfig", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Cannot use the help desk configuration ${this.path}: ${this.reason}`
  }
}

const File = Schema.Struct({
  workspaceId: Schema.optionalKey(Ids.WorkspaceId),
  workflow: Schema.optionalKey(Status.Workflow),
  customFields: Schema.optionalKey(Schema.Array(CustomField.FieldDefinition))
})

/**
 * What the rules need from a configuration file: the settings they run with, and the workspace
 * when the file names one.
 *
 * @category models
 * @since 0.1.0
 */
export interface HelpdeskConfig {
  readonly settings: Replay.Settings
  readonly workspaceId: Ids.WorkspaceId | undefined
}

/**
 * Reads a help desk configuration file (JSON).
 *
 * @category constructors
 * @since 0.1.0
 */
export const read = (path: string): Effect.Effect<HelpdeskConfig, InvalidHelpdeskConfig> =>
  Effect.gen(function* () {
    const fail = (reason: string) => new InvalidHelpdeskConfig({ path, reason })
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (e) => fail(e instanceof Error ? e.message : String(e))
    })
    const json = yield* Effect.try({ try: (): unknown => JSON.parse(text), catch: () => fail("not valid JSON") })
    const decoded = Schema.decodeUnknownResult(File)(json, { errors: "all" })
    if (Result.isFailure(decoded)) return yield* fail(ConfigError.describe(ConfigError.problems(decoded.failure.issue)))
    const workflow = decoded.success.workflow ?? Status.defaultWorkflow
    const problems = Status.problems(workflow)
    if (problems.length > 0) return yield* fail(`workflow: ${problems.join("; ")}`)
    return {
      settings: { ...Replay.defaults, workflow, customFields: decoded.success.customFields ?? [] },
      workspaceId: decoded.success.workspaceId
    }
  })
