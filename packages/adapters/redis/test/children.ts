/**
 * Child processes of this package's multi-process tests, bundled and started by the workspace's
 * shared harness (`test/support/children.ts`) from this package's directory; their stdout is
 * collected, since the timer workers report progress there.
 */
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Children from "../../../../test/support/children.js"

export { type Child, killAll } from "../../../../test/support/children.js"

const children = Children.make(join(dirname(fileURLToPath(import.meta.url)), ".."))

/** Starts `node <bundle of entry> ...args` from this package, collecting stdout and stderr. */
export const start = (entry: string, args: ReadonlyArray<string>) => children.start(entry, args, { stdout: "collect" })

/** The exit code (or signal) of a child. */
export const exited = (child: Children.Child): Promise<number | string> => child.exited
