/**
 * The help desk's configuration, checked once when it is built: its JSON configuration decoded
 * (every problem with its path), the workflow's own rules, and the SLA options given beside it
 * (their policies, and the business calendars those policies count in). Everything wrong is
 * one `InvalidConfig`, so a policy naming a missing calendar fails here, not on every command.
 */
import { Effect, Result, Schema } from "effect"
import { field } from "../internal/loose.js"
import * as SlaPolicy from "../sla/SlaPolicy.js"
import * as Status from "../ticket/Status.js"
import * as ConfigError from "../values/ConfigError.js"
import type { SlaOptions } from "./AppendEffects.js"
import * as In from "./HelpdeskInput.js"

/**
 * A configuration that holds: the decoded JSON, and the workflow it gives (the default one when
 * it gives none).
 *
 * @category models
 * @since 0.1.0
 */
export interface Checked {
  readonly config: In.Config
  readonly workflow: Status.Workflow
}

/** The workflow's problems, when it decodes (a workflow that does not is the schema's problem). */
const workflowProblems = (raw: unknown): ReadonlyArray<ConfigError.Problem> => {
  if (raw === undefined) return []
  const decoded = Schema.decodeUnknownResult(Status.Workflow)(raw)
  return Result.isFailure(decoded)
    ? []
    : Status.problems(decoded.success).map((message) => ({ path: ["workflow"], message }))
}

/**
 * The problems of SLA options, with paths into the policy set: the set checked as
 * `SlaPolicy.decodePolicySet` checks JSON (a set built in code may hold two policies with one
 * id), and every calendar its policies need (`SlaPolicy.missingCalendars`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const slaProblems = (sla: SlaOptions): ReadonlyArray<ConfigError.Problem> => {
  const decoded = SlaPolicy.decodePolicySet(sla.policies)
  return [
    ...(Result.isFailure(decoded) ? decoded.failure.problems : []),
    ...SlaPolicy.missingCalendars(sla.policies, sla.calendars)
  ]
}

/**
 * Checks a help desk's configuration and its SLA options. Problems in the configuration are an
 * `InvalidConfig` for `"helpdesk"` (with the SLA options' problems after them, at
 * `["sla", "policies", ...]`); problems in the SLA options alone are one for `"sla-policies"`,
 * with paths into the policy set (`["policies", 0, "calendar"]`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const check = (
  config: unknown,
  options: { readonly sla?: SlaOptions | undefined }
): Effect.Effect<Checked, ConfigError.InvalidConfig> => {
  const decoded = Schema.decodeUnknownResult(In.Config)(config, { errors: "all", onExcessProperty: "error" })
  const own = [
    ...(Result.isFailure(decoded) ? ConfigError.problems(decoded.failure.issue) : []),
    ...workflowProblems(field(config, "workflow"))
  ]
  const sla = options.sla === undefined ? [] : slaProblems(options.sla)
  if (Result.isFailure(decoded) || own.length > 0) {
    const found = own.length > 0 ? own : [{ path: [], message: "does not decode" }]
    const nested = ConfigError.invalid("sla-policies", sla, ["sla", "policies"]).problems
    return Effect.fail(ConfigError.invalid("helpdesk", [...found, ...nested]))
  }
  if (sla.length > 0) return Effect.fail(ConfigError.invalid("sla-policies", sla))
  return Effect.succeed({ config: decoded.success, workflow: decoded.success.workflow ?? Status.defaultWorkflow })
}
