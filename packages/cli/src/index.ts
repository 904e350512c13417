/**
 * @tessera/cli: the `tessera` command for the people who write rules, and the modules behind it
 * for programs that want the same reports: `Check` (a rule file's problems), `Explain` (a rule set
 * on one stored ticket) and `DryRun` (a rule set over a period's tickets, writing nothing).
 *
 * @since 0.1.0
 * @module @tessera/cli
 */

export * as Check from "./Check.js"
export * as Cli from "./Cli.js"
export * as Describe from "./Describe.js"
export * as DryRun from "./DryRun.js"
export * as Explain from "./Explain.js"
export * as HelpdeskConfig from "./HelpdeskConfig.js"
export * as Progress from "./Progress.js"
export * as Replay from "./Replay.js"
export * as RuleFile from "./RuleFile.js"
export * as Store from "./Store.js"
export * as Tiers from "./Tiers.js"
