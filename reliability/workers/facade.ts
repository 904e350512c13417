/**
 * A process of the hot-ticket scenario (issue 12): one help desk through the Promise facade on
 * the database of `url`, with `writers` concurrent writers, each sending `perWriter` commands to
 * one ticket without `expectedVersion`. It prints `{"ready":true}`, waits for a line on stdin so
 * that every process starts writing at once, then prints its outcomes and exits.
 *
 * Usage: facade.ts <url> <workspace> <ticketId> <label> <writers> <perWriter>
 */
import { createInterface } from "node:readline"
import { createHelpdesk, IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Layer } from "effect"
import { countingConflicts, withCounted, writeHot } from "../support/hotTicket.js"

const [url, workspace, ticketId, label, writers, perWriter] = process.argv.slice(2)
if (url === undefined || workspace === undefined || ticketId === undefined || label === undefined) {
  throw new Error("usage: facade.ts <url> <workspace> <ticketId> <label> <writers> <perWriter>")
}

const counter = countingConflicts()
const helpdesk = await createHelpdesk({
  workspaceId: workspace,
  layer: Layer.merge(withCounted(SqlStore.layerUrl({ url }), counter), IdGenerator.layerTimeOrdered)
})
console.log(JSON.stringify({ ready: true }))
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()))
const outcomes = await writeHot(helpdesk, ticketId, label, Number(writers), Number(perWriter))
await helpdesk.close()
console.log(JSON.stringify({ done: true, outcomes, storeConflicts: counter.conflicts() }))
// stdin is still open and would keep the process alive.
process.exit(0)
