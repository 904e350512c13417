import { monitorEventLoopDelay } from "node:perf_hooks"
import { MemoryAttachmentStore } from "@tessera/core"
import { Effect } from "effect"
import { parseInbound } from "../src/Parse.ts"
import { hostile } from "../test/support/messages.ts"
const h = monitorEventLoopDelay({ resolution: 10 }); h.enable()
for (const m of hostile) {
  const t = performance.now()
  const r = await Effect.runPromise(Effect.result(parseInbound(m.raw).pipe(Effect.provide(MemoryAttachmentStore.layer))))
  const ms = performance.now() - t
  const v: any = r._tag === "Success" ? r.success : r.failure
  console.log(m.name, ms.toFixed(0), r._tag, v._tag ?? "", v.problems ?? "", v.attachments?.map((a: any) => [a.fileName, a.inline]) ?? "", (v.text ?? "").slice(0, 40), (v.html ?? "").length)
}
h.disable(); console.log("max delay ms", h.max / 1e6)
