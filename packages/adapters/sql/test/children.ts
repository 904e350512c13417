/**
 * The child processes of this package's multi-process tests (the concurrency workers, the feed
 * writers), bundled and started by the workspace's shared harness (`test/support/children.ts`)
 * from this package's directory, so installed packages resolve from here.
 */
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Children from "../../../../test/support/children.js"

export { type Child, killAll, withTimeout } from "../../../../test/support/children.js"

const children = Children.make(join(dirname(fileURLToPath(import.meta.url)), ".."))

/** `entry` bundled into one ES module, once per test process. */
export const bundled = children.bundled

/** Starts `node <bundle of entry> ...args` from this package, collecting its stderr. */
export const start = (entry: string, args: ReadonlyArray<string>, nodeArgs: ReadonlyArray<string> = []) =>
  children.start(entry, args, { nodeArgs })
