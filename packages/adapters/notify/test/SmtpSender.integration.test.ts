/**
 * The SMTP sender against a real listener on loopback: a delivery arrives once with its key,
 * a 4xx refusal or a refused connection is worth another attempt, a 5xx is not, and the pooled
 * transport closes its connections with its scope.
 */
import { Effect } from "effect"
import { simpleParser } from "mailparser"
import { describe, expect, it } from "vitest"
import * as SmtpSender from "../src/SmtpSender.js"
import { delivery, emailBody } from "./support/mail.js"
import { sink, smtpTo } from "./support/smtp.js"

const run = <A, E>(effect: Effect.Effect<A, E, import("effect").Scope.Scope>) =>
  Effect.runPromise(Effect.scoped(effect))

describe("SmtpSender over a real SMTP listener", () => {
  it("delivers once, with the delivery key in a header, and reports the server's answer", async () => {
    const { receipt, received } = await run(
      Effect.gen(function* () {
        const smtp = yield* sink
        const sender = yield* SmtpSender.make({ smtp: smtpTo(smtp.port) })
        const receipt = yield* sender.send(delivery(emailBody()))
        return { receipt, received: smtp.received }
      })
    )
    expect(receipt.acceptedBy).toMatch(/^250/)
    expect(received).toHaveLength(1)
    expect(received[0]?.to).toEqual(["jane@example.com"])
    const parsed = await simpleParser(received[0]?.raw ?? Buffer.alloc(0))
    expect(parsed.headers.get("x-tessera-delivery")).toBe("notification:tkt_1:3/jane@example.com")
    console.log(`delivered: ${received.length}`)
  })

  it("a temporary refusal (451) is retryable, a permanent one (550) is not", async () => {
    const [greylisted, nobody] = await run(
      Effect.gen(function* () {
        const smtp = yield* sink
        const sender = yield* SmtpSender.make({ smtp: smtpTo(smtp.port) })
        const send = (address: string) =>
          Effect.flip(sender.send(delivery(emailBody({ to: { address } }), `k/${address}`)))
        return [yield* send("greylisted@example.com"), yield* send("nobody@example.com")] as const
      })
    )
    expect(greylisted).toMatchObject({ _tag: "DeliveryFailed", channel: "email", retryable: true })
    expect(greylisted.reason).toContain("451")
    expect(nobody).toMatchObject({ _tag: "DeliveryFailed", retryable: false })
    expect(nobody.reason).toContain("550")
  })

  it("a server that is not there is worth another attempt", async () => {
    const failure = await run(
      Effect.gen(function* () {
        // A port that was free a moment ago: the listener is closed before the send.
        const port = yield* Effect.scoped(Effect.map(sink, (s) => s.port))
        const sender = yield* SmtpSender.make({ smtp: { ...smtpTo(port), connectionTimeout: 2000 } })
        return yield* Effect.flip(sender.send(delivery(emailBody())))
      })
    )
    expect(failure).toMatchObject({ _tag: "DeliveryFailed", retryable: true })
  })

  it("the pooled transport closes its connections when its scope closes", async () => {
    const connections = await run(
      Effect.gen(function* () {
        const smtp = yield* sink
        yield* Effect.scoped(
          Effect.gen(function* () {
            const sender = yield* SmtpSender.make({ smtp: smtpTo(smtp.port) })
            yield* Effect.forEach([1, 2, 3], (i) => sender.send(delivery(emailBody(), `k/${i}`)))
          })
        )
        // The server hears the QUIT a moment later.
        for (let i = 0; i < 100 && smtp.connections.closed < smtp.connections.opened; i++)
          yield* Effect.sleep("20 millis")
        expect(smtp.received).toHaveLength(3)
        return smtp.connections
      })
    )
    expect(connections.opened).toBeGreaterThan(0)
    expect(connections.closed).toBe(connections.opened)
  })
})
