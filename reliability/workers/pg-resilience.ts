/**
 * A help desk on PostgreSQL that keeps serving while its test terminates its connections and
 * restarts the server (issue 12). Four loops open tickets and reply to them, each command with a
 * marker of its own; every command prints one JSON line, `{ ack }` when it succeeded or `{ fail }`
 * with the error's tag, retryability and reason when it did not. A line `stop` on stdin ends the
 * loops, then the worker prints `{ done }` and exits 0: any other ending is a crash.
 *
 * Usage: pg-resilience.ts <postgres url>
 */
import { createInterface } from "node:readline"
import { createHelpdesk, IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Layer } from "effect"

const url = process.argv[2]
if (url === undefined) throw new Error("usage: pg-resilience.ts <postgres url>")

const print = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`)

const helpdesk = await createHelpdesk({
  workspaceId: "acme",
  layer: Layer.merge(
    SqlStore.layerUrl({ url, connections: 4, statementTimeout: "5 seconds" }),
    IdGenerator.layerTimeOrdered
  )
})

let stopping = false
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "stop") stopping = true
})

const failureOf = (error: unknown) => {
  const tagged = error as { readonly _tag?: unknown; readonly retryable?: unknown; readonly reason?: unknown }
  return {
    tag: typeof tagged._tag === "string" ? tagged._tag : "defect",
    retryable: tagged.retryable === true,
    reason: typeof tagged.reason === "string" ? tagged.reason : String(error)
  }
}

const tickets: Array<{ readonly id: string; readonly requester: string }> = []
let sequence = 0

/** One command: the requester's reply to a known ticket, or (every fifth, and before there is one) a new ticket. */
const command = async (loop: number): Promise<void> => {
  sequence += 1
  // Between `#`s, so that no marker is a prefix of another in the stored events.
  const marker = `m-${loop}-${sequence}`
  const ticket = tickets[sequence % Math.max(1, tickets.length)]
  try {
    if (ticket === undefined || sequence % 5 === 0) {
      const opened = await helpdesk.open({
        requester: { email: `customer-${loop}@example.com` },
        subject: `Order ${marker}`,
        text: `Opened with #${marker}#`,
        channel: "email"
      })
      tickets.push({ id: opened.id, requester: opened.requester })
      print({ ack: { kind: "open", ticket: opened.id, marker } })
    } else {
      await helpdesk.reply({
        ticket: ticket.id,
        by: { _tag: "contact", id: ticket.requester },
        text: `Reply #${marker}#`
      })
      print({ ack: { kind: "reply", ticket: ticket.id, marker } })
    }
  } catch (error) {
    print({ fail: { ...failureOf(error), marker } })
    // The server is away: do not spin while it comes back.
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const loop = async (n: number): Promise<void> => {
  while (!stopping) await command(n)
}

print({ ready: { pid: process.pid } })
await Promise.all([0, 1, 2, 3].map(loop))
await helpdesk.close()
print({ done: { commands: sequence } })
process.exit(0)
