/**
 * The `tessera` command line: reads the arguments (`node:util`'s `parseArgs`), runs `check`,
 * `explain` or `dry-run`, prints text for people or JSON for scripts, and answers with an exit
 * code CI can use. Every failure ends as a message and a code here, never as a stack trace; the
 * process itself (signals, `process.exitCode`) is `bin/tessera.ts`'s.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { Ids } from "@tessera/core"
import { Classifier, type RuleTriggers } from "@tessera/rules"
import { Connection } from "@tessera/sql"
import { Cause, DateTime, Effect, Exit, Option, Result, Schema } from "effect"
import * as Check from "./Check.js"
import * as DryRun from "./DryRun.js"
import * as Explain from "./Explain.js"
import * as HelpdeskConfig from "./HelpdeskConfig.js"
import * as Progress from "./Progress.js"
import * as RuleFile from "./RuleFile.js"
import * as Store from "./Store.js"
import * as Tiers from "./Tiers.js"

/**
 * The exit codes: `ok` (0), `problems` (1: the rule file has errors, or a dry run would loop or
 * fail), `usage` (2: the command line is wrong), `failed` (3: a file, the configuration or the
 * database cannot be read, no such ticket), `interrupted` (130: Ctrl-C).
 *
 * @category models
 * @since 0.1.0
 */
export const ExitCode = { ok: 0, problems: 1, usage: 2, failed: 3, interrupted: 130 } as const

/**
 * One of the exit codes.
 *
 * @category models
 * @since 0.1.0
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The usage text `tessera --help` prints.
 *
 * @category models
 * @since 0.1.0
 */
export const usage = `Usage: tessera <command> RULES_FILE [options]

Commands:
  check RULES_FILE                 decode the rule file and run the static checks; every
                                   problem is printed with its JSON path
  explain RULES_FILE --db URL --ticket REF
                                   explain the rule set on one stored ticket: which rules
                                   match and why, which do not and why not
  dry-run RULES_FILE --db URL --from DATE --to DATE
                                   replay the rule set over the stored tickets of a period:
                                   what would change, how often each rule would fire, which
                                   tickets would loop; nothing is written (trigger rules:
                                   automations run on a schedule, see explain --now)

Options:
  --json                 print one JSON document on stdout, for scripts
  --db URL               sqlite:<path>, postgres://user@host/db or mysql://user@host/db
                         (read only: no migration runs, a missing SQLite file is not created)
  --workspace ID         the help desk's workspace (default: the --config file's, or "default")
  --config FILE          the help desk's JSON configuration: its workflow and custom fields
                         (default: the default workflow, no custom fields)
  --ticket REF           explain: a public number (69369 or #69369) or an internal id
  --event N              explain: the unit of work at event N of the ticket (default: the latest)
  --now TIME             explain: the instant automations are asked at (default: now)
  --from DATE --to DATE  dry-run: the period, start included, end excluded; a day (2025-05-01,
                         UTC midnight) or an ISO time (2025-05-01T08:00:00+02:00)
  --show N               dry-run: how many changes the text lists (default 20; --json lists all)
  --classify             judge sentiment and urgency with the built-in classifier (Classifier)
  --strict               check: warnings fail too
  --progress             dry-run: draw the progress bar even when stderr is not a terminal
  --no-progress          dry-run: never draw it (default: drawn when stderr is a terminal)
  -h, --help             print this help

Customer tiers come from the directory stored with the tickets. Ctrl-C stops a dry run after
the current ticket and prints what it found so far.

Exit codes:
  0    ok: no errors (check), explained (explain), no loop or failure (dry-run)
  1    problems found: the rule file has errors (with --strict, warnings too), or a dry run
       found tickets on which the rules would loop or fail
  2    usage error: unknown command or option, a missing or malformed argument
  3    could not run: the rule file, the configuration or the database cannot be read, no
       such ticket
  130  interrupted (Ctrl-C); a dry run prints its partial summary first`

/**
 * What the command line talks to: stdout, stderr (where the progress bar goes), and Ctrl-C.
 *
 * @category models
 * @since 0.1.0
 */
export interface Io {
  /** Writes the command's output (text, or the `--json` document). */
  readonly stdout: (text: string) => void
  readonly stderr: Progress.Sink & { readonly isTTY?: boolean | undefined }
  /**
   * Called when a run that can stop cleanly starts: from then on Ctrl-C should only be noted, and
   * the answer tells whether it was pressed. Left out, a run is never interrupted.
   */
  readonly trapInterrupt?: () => () => boolean
}

/** A command line that cannot be run as given. */
class Usage extends Schema.TaggedError<Usage>()("Usage", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

const options = {
  json: { type: "boolean" },
  db: { type: "string" },
  workspace: { type: "string" },
  config: { type: "string" },
  ticket: { type: "string" },
  event: { type: "string" },
  now: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  show: { type: "string" },
  classify: { type: "boolean" },
  strict: { type: "boolean" },
  progress: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"]

/** The options each command accepts (besides `--json` and `--help`). */
const accepted: Record<string, ReadonlyArray<keyof typeof options>> = {
  check: ["strict"],
  explain: ["db", "workspace", "config", "ticket", "event", "now", "classify"],
  "dry-run": ["db", "workspace", "config", "from", "to", "show", "classify", "progress"]
}

const parse = (args: ReadonlyArray<string>) =>
  Effect.try({
    try: () => parseArgs({ args: [...args], options, allowPositionals: true, strict: true, allowNegative: true }),
    catch: (e) => new Usage({ reason: e instanceof Error ? e.message : String(e) })
  })

const required = (values: Values, name: "db" | "ticket" | "from" | "to") => {
  const value = values[name]
  return value === undefined || value === ""
    ? Effect.fail(new Usage({ reason: `missing --${name}` }))
    : Effect.succeed(value)
}

const instant = (name: string, text: string) =>
  Option.match(DateTime.make(text), {
    onNone: () => Effect.fail(new Usage({ reason: `--${name} ${JSON.stringify(text)} is not a date or an ISO time` })),
    onSome: (t) => Effect.succeed(DateTime.toUtc(t))
  })

const count = (name: string, text: string | undefined, fallback: number | undefined) => {
  if (text === undefined) return Effect.succeed(fallback)
  return /^\d{1,9}$/.test(text)
    ? Effect.succeed(Number(text))
    : Effect.fail(new Usage({ reason: `--${name} expects a whole number, not ${JSON.stringify(text)}` }))
}

/** The help desk's configuration file, when `--config` names one. */
const configOf = (values: Values) =>
  values.config === undefined ? Effect.succeed(undefined) : HelpdeskConfig.read(values.config)

const workspaceOf = (values: Values, config: HelpdeskConfig.HelpdeskConfig | undefined) => {
  const raw = values.workspace ?? config?.workspaceId ?? "default"
  const decoded = Schema.decodeUnknownResult(Ids.WorkspaceId)(raw)
  return Result.isSuccess(decoded)
    ? Effect.succeed(decoded.success)
    : Effect.fail(new Usage({ reason: `--workspace ${JSON.stringify(raw)} is not a workspace id` }))
}

const json = (io: Io, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`)
const lines = (io: Io, text: ReadonlyArray<string>) => io.stdout(`${text.join("\n")}\n`)

/** The rule file decoded, or its problems printed and exit code 1. */
const rulesOf = (io: Io, file: string, asJson: boolean) =>
  Effect.map(RuleFile.read(file), (decoded) => {
    if (decoded._tag === "Decoded") return decoded.rules
    const report = Check.check(file, decoded)
    if (asJson) json(io, { error: "the rule file does not decode", check: report })
    else io.stderr.write(`${Check.render(report).join("\n")}\n`)
    return undefined
  })

const ruleOptionsOf = (values: Values, tiers: Tiers.Tiers): RuleTriggers.Options => ({
  ...tiers.options,
  ...(values.classify === true ? { classify: (text: string) => Classifier.classify(text) } : {})
})

const check = (io: Io, file: string, values: Values) =>
  Effect.map(RuleFile.read(file), (decoded): ExitCode => {
    const report = Check.check(file, decoded)
    if (values.json === true) json(io, report)
    else lines(io, Check.render(report))
    return report.errors > 0 || (values.strict === true && report.warnings > 0) ? ExitCode.problems : ExitCode.ok
  })

const explain = (io: Io, file: string, values: Values) =>
  Effect.gen(function* () {
    const db = yield* required(values, "db")
    const ref = yield* required(values, "ticket")
    const config = yield* configOf(values)
    const workspace = yield* workspaceOf(values, config)
    const event = yield* count("event", values.event, undefined)
    const now = values.now === undefined ? undefined : yield* instant("now", values.now)
    const rules = yield* rulesOf(io, file, values.json === true)
    if (rules === undefined) return ExitCode.problems
    const report = yield* Effect.scoped(
      Effect.gen(function* () {
        const reader = yield* Store.open(db, workspace)
        const tiers = Tiers.make(reader)
        return yield* Explain.explain(reader, rules, ref, {
          ...(event === undefined ? {} : { event }),
          ...(now === undefined ? {} : { now }),
          ...(config === undefined ? {} : { settings: config.settings }),
          ruleOptions: ruleOptionsOf(values, tiers),
          prefetch: tiers.prefetch
        })
      })
    )
    if (values.json === true) json(io, report)
    else lines(io, Explain.render(report))
    return ExitCode.ok
  })

const dryRun = (io: Io, file: string, values: Values) =>
  Effect.gen(function* () {
    const db = yield* required(values, "db")
    const from = yield* Effect.flatMap(required(values, "from"), (t) => instant("from", t))
    const to = yield* Effect.flatMap(required(values, "to"), (t) => instant("to", t))
    if (!DateTime.isLessThan(from, to)) return yield* new Usage({ reason: "--from must come before --to" })
    const config = yield* configOf(values)
    const workspace = yield* workspaceOf(values, config)
    const show = (yield* count("show", values.show, 20)) ?? 20
    const rules = yield* rulesOf(io, file, values.json === true)
    if (rules === undefined) return ExitCode.problems
    const bar = yield* Progress.make(io.stderr, values.progress ?? io.stderr.isTTY === true)
    const interrupted = io.trapInterrupt?.() ?? (() => false)
    const summary = yield* Effect.scoped(
      Effect.gen(function* () {
        const reader = yield* Store.open(db, workspace)
        const tiers = Tiers.make(reader)
        return yield* DryRun.run(reader, rules, {
          from,
          to,
          ...(config === undefined ? {} : { settings: config.settings }),
          ruleOptions: ruleOptionsOf(values, tiers),
          prefetch: tiers.prefetch,
          progress: bar.update,
          stop: interrupted
        })
      })
    ).pipe(Effect.ensuring(bar.clear))
    if (values.json === true) json(io, { file, db: Connection.redact(db), ...summary })
    else lines(io, DryRun.render(summary, { rules: file, db: Connection.redact(db) }, show))
    if (summary.interrupted) return ExitCode.interrupted
    return summary.tickets.looped > 0 || summary.tickets.failed > 0 ? ExitCode.problems : ExitCode.ok
  })

const dispatch = (io: Io, args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { values, positionals } = yield* parse(args)
    const [command, file, ...extra] = positionals
    if (values.help === true || command === undefined || command === "help") {
      io.stdout(`${usage}\n`)
      return ExitCode.ok
    }
    const allowed = accepted[command]
    if (allowed === undefined) return yield* new Usage({ reason: `unknown command ${JSON.stringify(command)}` })
    if (file === undefined) return yield* new Usage({ reason: `${command} needs a rule file` })
    if (extra.length > 0) return yield* new Usage({ reason: `unexpected argument ${JSON.stringify(extra[0])}` })
    for (const name of Object.keys(values) as ReadonlyArray<keyof typeof options>)
      if (name !== "json" && name !== "help" && !allowed.includes(name))
        return yield* new Usage({ reason: `${command} does not take --${name}` })
    switch (command) {
      case "check":
        return yield* check(io, file, values)
      case "explain":
        return yield* explain(io, file, values)
      default:
        return yield* dryRun(io, file, values)
    }
  })

/**
 * Runs the command line on its arguments (without `node` and the script) and answers with the
 * exit code; it never fails. Usage errors print the problem and the usage on stderr; other
 * failures print one line.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (args: ReadonlyArray<string>, io: Io): Effect.Effect<ExitCode> =>
  Effect.map(Effect.exit(dispatch(io, args)), (exit): ExitCode => {
    if (Exit.isSuccess(exit)) return exit.value
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isNone(error)) {
      io.stderr.write(`tessera: unexpected failure (a bug)\n${Cause.pretty(exit.cause)}\n`)
      return ExitCode.failed
    }
    if (error.value._tag === "Usage") {
      io.stderr.write(`tessera: ${error.value.message}\n\n${usage}\n`)
      return ExitCode.usage
    }
    io.stderr.write(`tessera: ${error.value.message}\n`)
    return ExitCode.failed
  })
