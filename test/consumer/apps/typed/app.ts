// A TypeScript application, type-checked with `tsc --strict` and `module: NodeNext` against the
// packages' published declarations: the Promise facade on a SQLite file, and the Effect service
// on in-memory ports. Built with tsc, then run.
import { createHelpdesk, Helpdesk, MemoryHelpdesk, type PromiseHelpdesk } from "@tessera/core"
import { Effect } from "effect"

const helpdesk: PromiseHelpdesk.HelpdeskClient = await createHelpdesk({ database: "sqlite:./typed.db" })
try {
  const ticket: PromiseHelpdesk.TicketJson = await helpdesk.open({
    requester: { email: "lea@example.com" },
    subject: "Password reset",
    text: "The reset link has expired.",
    channel: "web"
  })
  const events: ReadonlyArray<PromiseHelpdesk.TicketEventJson> = await helpdesk
    .asSystem("test")
    .history(ticket.publicId)
  console.log(`promise: #${ticket.publicId} ${ticket.status}, ${events.length} event`)
} finally {
  await helpdesk.close()
}

const opened = Effect.gen(function* () {
  const service = yield* Helpdesk.Helpdesk
  const ticket = yield* service.open({
    requester: { email: "lea@example.com" },
    subject: "Password reset",
    text: "The reset link has expired.",
    channel: "web"
  })
  return ticket.publicId
})
const publicId: number = await Effect.runPromise(
  opened.pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" })))
)
console.log(`effect: #${publicId}`)
