/**
 * The worker of `test/host-promises.integration.test.ts`: one OS process that uses a help desk
 * on `--url` as an application would (the Promise client), and prints whether the process's
 * promises carry async hooks before and after: `executionAsyncId()` in a promise's continuation
 * is 0 while no promise hook is installed, and a fresh id for every promise once one is (an
 * `AsyncLocalStorage` in use does that on Node 20). Prints one JSON line, `{"type":"probed", ...}`.
 */
import { executionAsyncId } from "node:async_hooks"
import { writeSync } from "node:fs"
import { parseArgs } from "node:util"
import { createHelpdesk, IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Layer } from "effect"

const { values: args } = parseArgs({ options: { url: { type: "string" } }, strict: true })
const url = args.url ?? ""
if (url === "") throw new Error("worker: --url is required")

/** The async id a promise continuation runs under, a few times over. */
const probe = async (): Promise<ReadonlyArray<number>> => {
  const ids: Array<number> = []
  for (let i = 0; i < 3; i++) {
    await Promise.resolve()
    ids.push(executionAsyncId())
  }
  return ids
}

const before = await probe()
const helpdesk = await createHelpdesk({
  workspaceId: "host",
  layer: Layer.merge(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered)
})
let operations = 0
try {
  const ticket = await helpdesk.open({
    requester: { email: "jane@example.com", name: "Jane" },
    subject: "Promises of the host",
    channel: "web",
    text: "Does the store slow my app down?"
  })
  operations += 1
  await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
  operations += 1
  await helpdesk.note({ ticket: ticket.id, by: { _tag: "agent", id: "mary" }, text: "Checking." })
  operations += 1
  const reads = helpdesk.asSystem("probe")
  await reads.list({ status: ["new", "open"] })
  operations += 1
  await reads.list({ search: "promises" })
  operations += 1
  await reads.get(ticket.id)
  operations += 1
} finally {
  await helpdesk.close()
}
const after = await probe()
writeSync(1, `${JSON.stringify({ type: "probed", before, after, operations })}\n`)
