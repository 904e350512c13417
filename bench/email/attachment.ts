// One RSS measurement of bench/email, run in its own process so that each variant starts from
// the same clean heap: takes in the message of `--file` (with a 50 MB attachment) and prints
// {"peakGrowthMB": ...}, the highest RSS seen while taking it in, minus the RSS before.
//
// --variant ours: parseInbound + intake, the attachment streamed to a FileAttachmentStore.
// --variant mailparser: mailparser's streaming MailParser class, the attachment piped to a file.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pipeline } from "node:stream/promises"
import { parseArgs } from "node:util"
import { MemoryHelpdesk, MemoryIntakeGuard } from "@tessera/core"
import { FileAttachmentStore, Intake, intake, MemoryReviewQueue, parseInbound, Signature } from "@tessera/email"
import { Effect, Layer } from "effect"
import { type AttachmentStream, MailParser } from "mailparser"

const { values } = parseArgs({ options: { variant: { type: "string" }, file: { type: "string" } } })
const file = values.file ?? ""
const directory = mkdtempSync(join(tmpdir(), "tessera-bench-email-"))
const gc = (globalThis as { gc?: () => void }).gc

const mailparser = () =>
  new Promise<void>((resolve, reject) => {
    const parser = new MailParser()
    parser.on("data", (data: AttachmentStream | { type: "text" }) => {
      if (data.type !== "attachment") return
      const attachment = data as AttachmentStream
      pipeline(attachment.content, createWriteStream(join(directory, "attachment.bin"))).then(
        () => attachment.release?.(),
        reject
      )
    })
    parser.on("end", resolve)
    parser.on("error", reject)
    createReadStream(file).pipe(parser)
  })

const ours = async () => {
  const keys = await Effect.runPromise(Signature.keys(["bench-email-key-0123456789abcdef"]))
  const services = Layer.mergeAll(
    Intake.layer({ keys, own: { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] } }),
    MemoryIntakeGuard.layer,
    MemoryReviewQueue.layer,
    FileAttachmentStore.layer({ directory })
  ).pipe(Layer.provideMerge(MemoryHelpdesk.layer({ workspaceId: "default" })))
  const result = await Effect.runPromise(
    Effect.gen(function* () {
      const message = yield* parseInbound(createReadStream(file), {
        limits: { maxMessageBytes: 100 * 1024 * 1024, maxAttachmentBytes: 60 * 1024 * 1024, maxParseMillis: 120_000 }
      })
      return yield* intake(message)
    }).pipe(Effect.provide(services))
  )
  if (result.outcome._tag !== "Opened") throw new Error(`expected a new ticket, got ${result.outcome._tag}`)
}

gc?.()
await new Promise((resolve) => setTimeout(resolve, 100))
gc?.()
const before = process.memoryUsage().rss
let peak = before
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 5)
const started = performance.now()
await (values.variant === "ours" ? ours() : mailparser())
peak = Math.max(peak, process.memoryUsage().rss)
clearInterval(sampler)
rmSync(directory, { recursive: true, force: true })
process.stdout.write(
  `${JSON.stringify({ peakGrowthMB: (peak - before) / (1024 * 1024), seconds: (performance.now() - started) / 1000 })}\n`
)
