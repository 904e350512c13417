/**
 * Child processes for the fault test, bundled and started by the workspace's shared harness
 * (`test/support/children.ts`) from this package's directory; their stdout is read and dropped.
 */
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Children from "../../../../../test/support/children.js"

export type { Child } from "../../../../../test/support/children.js"

const children = Children.make(join(dirname(fileURLToPath(import.meta.url)), "..", ".."))

/** Starts `node <bundle of entry> ...args` from this package. */
export const start = (entry: string, args: ReadonlyArray<string>) => children.start(entry, args, { stdout: "collect" })
