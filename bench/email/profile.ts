// Profiles parseInbound + intake on the bench corpus: `node --cpu-prof --import tsx --conditions=@tessera/source bench/email/profile.ts`.
import { MemoryAttachmentStore, MemoryHelpdesk, MemoryIntakeGuard } from "@tessera/core"
import { Intake, intake, MemoryReviewQueue, parseInbound, Signature } from "@tessera/email"
import { Effect, Layer, ManagedRuntime } from "effect"
import { round } from "./corpus.js"

const keys = await Effect.runPromise(Signature.keys(["bench-email-key-0123456789abcdef"]))
const own = { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] }
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Intake.layer({ keys, own, rateLimit: { perSender: 1_000_000, windowMillis: 60_000 } }),
    MemoryIntakeGuard.layer,
    MemoryReviewQueue.layer,
    MemoryAttachmentStore.layer
  ).pipe(Layer.provideMerge(MemoryHelpdesk.layer({ workspaceId: "default" })))
)
const started = performance.now()
let n = 0
for (let r = 0; r < 10; r++) {
  for (const raw of round(150, r)) {
    await runtime.runPromise(Effect.flatMap(parseInbound(raw), intake))
    n++
  }
}
console.log(`${n} messages, ${(n / ((performance.now() - started) / 1000)).toFixed(1)} msg/s`)
await runtime.dispose()
