/**
 * Observability: the help desk's spans (`Helpdesk.open`, `Helpdesk.reply`, ...) and logs sent to
 * OpenTelemetry through `@effect/opentelemetry`, once from the Effect API and once from the
 * Promise facade. The exporters are the caller's choice: OTLP over HTTP to a collector when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, the console otherwise, in-memory ones in the test.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
// #region imports
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchLogRecordProcessor, ConsoleLogRecordExporter, type LogRecordExporter } from "@opentelemetry/sdk-logs"
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { Actor, createHelpdesk, Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Effect } from "effect"
// #endregion

// #region telemetry
/** Where the spans and the log records go. */
export interface Exporters {
  readonly spans: SpanExporter
  readonly logs: LogRecordExporter
}

/**
 * Effect's tracer and loggers, backed by the OpenTelemetry SDK: every span and every `Effect.log*`
 * of the program, the help desk's included, is exported in batches; releasing the layer flushes
 * what is left and shuts the SDK down.
 */
export const telemetry = (exporters: Exporters) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "helpdesk", serviceVersion: "1.0.0" },
    spanProcessor: new BatchSpanProcessor(exporters.spans),
    logRecordProcessor: new BatchLogRecordProcessor({ exporter: exporters.logs })
  }))
// #endregion

// #region exporters
/** OTLP over HTTP when a collector is configured (the exporters read the `OTEL_*` variables), the console otherwise. */
export const exportersFromEnv = (): Exporters =>
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
    ? { spans: new ConsoleSpanExporter(), logs: new ConsoleLogRecordExporter() }
    : { spans: new OTLPTraceExporter(), logs: new OTLPLogExporter() }
// #endregion

const mary = Actor.agent("mary")
const jane = { email: "jane.sharpe@example.com", name: "Jane Sharpe" }

// #region effect-api
/** Mary's first ticket of the day: each help desk call is a span under `triage`. */
export const triage = Effect.gen(function* () {
  const helpdesk = yield* Helpdesk.Helpdesk
  yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
  const ticket = yield* helpdesk.open({
    requester: jane,
    subject: "Charged twice for May",
    text: "My card was charged twice for the May invoice.",
    channel: "email"
  })
  yield* Effect.logInfo(`ticket ${ticket.publicId} opened`).pipe(Effect.annotateLogs("tessera.ticket", ticket.publicId))
  yield* helpdesk.reply({ ticket: ticket.publicId, text: "Refunded, sorry about that.", by: mary })
  return ticket.publicId
}).pipe(Effect.withSpan("triage"))

/** Runs `triage` on an in-memory help desk, its spans and logs going to `exporters`. */
export const withEffect = (exporters: Exporters): Promise<number> =>
  Effect.runPromise(
    triage.pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" })), Effect.provide(telemetry(exporters)))
  )
// #endregion

// #region promise-facade
/** The same story through the Promise facade: the `observability` option takes the same layer. */
export const withPromises = async (exporters: Exporters): Promise<number> => {
  const helpdesk = await createHelpdesk({ workspaceId: "acme", observability: telemetry(exporters) })
  try {
    await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    const ticket = await helpdesk.open({
      requester: jane,
      subject: "Charged twice for June",
      text: "Again, two charges for the June invoice.",
      channel: "email"
    })
    await helpdesk.reply({ ticket: ticket.publicId, text: "Refunded as well.", by: mary })
    return ticket.publicId
  } finally {
    await helpdesk.close() // flushes the spans and logs still in the batch
  }
}
// #endregion

/** Both stories, exported where the environment says. */
export const main = async (): Promise<void> => {
  await withEffect(exportersFromEnv())
  await withPromises(exportersFromEnv())
}

// Run when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
