/**
 * The example's stories, exported to OpenTelemetry's in-memory exporters: the help desk's spans
 * arrive with their names, parents and attributes, failures with status ERROR, and a log record
 * with the trace it was written in, from the Effect API and from the Promise facade.
 */
import { context, SpanStatusCode, trace } from "@opentelemetry/api"
import { SeverityNumber } from "@opentelemetry/api-logs"
import { InMemoryLogRecordExporter } from "@opentelemetry/sdk-logs"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node"
import { createHelpdesk, Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { type Exporters, telemetry, withEffect, withPromises } from "../src/main.js"

// Releasing the layer shuts the exporters down, and the in-memory ones then forget what they
// received: these keep it for the assertions.
class KeptSpans extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve()
  }
}
class KeptLogs extends InMemoryLogRecordExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const exporters = () => {
  const spans = new KeptSpans()
  const logs = new KeptLogs()
  return { spans, logs, exporters: { spans, logs } satisfies Exporters }
}

const only = (spans: ReadonlyArray<ReadableSpan>, name: string): ReadableSpan => {
  const found = spans.filter((span) => span.name === name)
  expect(found.map((span) => span.name)).toEqual([name])
  return found[0] as ReadableSpan
}

describe("observability example: traces and logs exported to OpenTelemetry", () => {
  it("from the Effect API: Helpdesk.open and Helpdesk.reply under the caller's span, the log record in its trace", async () => {
    const { spans, logs, exporters: to } = exporters()
    const number = await withEffect(to)
    const finished = spans.getFinishedSpans()
    const triage = only(finished, "triage")
    const open = only(finished, "Helpdesk.open")
    const reply = only(finished, "Helpdesk.reply")
    for (const span of [open, reply]) {
      expect(span.parentSpanContext?.spanId).toBe(triage.spanContext().spanId)
      expect(span.spanContext().traceId).toBe(triage.spanContext().traceId)
      expect(span.attributes["tessera.workspace"]).toBe("acme")
      expect(span.status.code).toBe(SpanStatusCode.UNSET)
      expect(span.resource.attributes["service.name"]).toBe("helpdesk")
    }
    expect(open.attributes["tessera.ticket_number"]).toBe(number)
    expect(reply.attributes["tessera.ticket"]).toBe(number)

    const [record, ...others] = logs.getFinishedLogRecords()
    expect(others).toEqual([])
    expect(record?.body).toBe(`ticket ${number} opened`)
    expect(record?.severityNumber).toBe(SeverityNumber.INFO)
    expect(record?.attributes["tessera.ticket"]).toBe(number)
    expect(record?.spanContext?.spanId).toBe(triage.spanContext().spanId)
    expect(record?.spanContext?.traceId).toBe(triage.spanContext().traceId)
  })

  it("from the Promise facade: closing the help desk flushes its spans, each with the workspace", async () => {
    const { spans, exporters: to } = exporters()
    const number = await withPromises(to)
    const finished = spans.getFinishedSpans()
    expect(finished.map((span) => span.name)).toEqual(["Helpdesk.saveAgent", "Helpdesk.open", "Helpdesk.reply"])
    for (const span of finished) {
      expect(span.attributes["tessera.workspace"]).toBe("acme")
      expect(span.parentSpanContext, "no caller span: each call is a trace of its own").toBeUndefined()
    }
    expect(only(finished, "Helpdesk.open").attributes["tessera.ticket_number"]).toBe(number)
  })

  it("a failed operation arrives with status ERROR, the exception and error.type", async () => {
    const { spans, exporters: to } = exporters()
    const error = await Effect.runPromise(
      Effect.flip(Effect.flatMap(Helpdesk.Helpdesk, (helpdesk) => helpdesk.asSystem("test").get(4242 as never))).pipe(
        Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" })),
        Effect.provide(telemetry(to))
      )
    )
    expect(error._tag).toBe("TicketNotFound")
    const get = only(spans.getFinishedSpans(), "Helpdesk.get")
    expect(get.status.code).toBe(SpanStatusCode.ERROR)
    expect(get.attributes).toMatchObject({
      "tessera.workspace": "acme",
      "tessera.ticket": 4242,
      "error.type": "TicketNotFound"
    })
    expect(get.events.map((event) => event.name)).toContain("exception")
  })

  describe("with an OpenTelemetry span active in the caller's context", () => {
    afterEach(() => {
      trace.disable()
      context.disable()
    })

    it("a facade call becomes its child (an HTTP server's span, say)", async () => {
      // What an instrumented application has: a registered provider and context manager.
      new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }).register()
      const { spans, exporters: to } = exporters()
      const helpdesk = await createHelpdesk({ workspaceId: "acme", observability: telemetry(to) })
      const request = await trace.getTracer("http").startActiveSpan("GET /tickets/1", async (span) => {
        await expect(helpdesk.asSystem("test").get(1)).rejects.toMatchObject({ _tag: "TicketNotFound" })
        span.end()
        return span.spanContext()
      })
      await helpdesk.close()
      const get = only(spans.getFinishedSpans(), "Helpdesk.get")
      expect(get.parentSpanContext?.spanId).toBe(request.spanId)
      expect(get.spanContext().traceId).toBe(request.traceId)
    })
  })
})
