import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Helpdesk, type Ids, MemoryHelpdesk, Outbox, TicketCommand, TicketEvent, type Triggers } from "@tessera/core"
import { DateTime, Effect, Exit, Schema } from "effect"
import type { Delivery, DeliveryFailed, Receipt } from "../src/Notification.js"
import type * as Ssrf from "../src/Ssrf.js"
import * as WebhookPayload from "../src/WebhookPayload.js"
import * as WebhookSender from "../src/WebhookSender.js"
import * as WebhookVerify from "../src/WebhookVerify.js"
import { type Receiver, startReceiver } from "./support/receiver.js"

const newSecret = "whsec-2027-0123456789abcdef0123456789abcdef"
const oldSecret = "whsec-2026-0123456789abcdef0123456789abcdef"

let receiver: Receiver
beforeAll(async () => {
  receiver = await startReceiver([newSecret, oldSecret])
})
afterAll(async () => {
  await receiver.close()
})

let sequence = 0
const delivery = (endpoint: string, body: unknown = { n: ++sequence }): Delivery => ({
  key: `notification:tk_1:${++sequence}:webhook:${endpoint}`,
  outboxId: `notification:tk_1:${sequence}`,
  channel: "webhook",
  template: "ticket_opened",
  workspaceId: "acme" as Ids.WorkspaceId,
  ticketId: "tk_1" as Ids.TicketId,
  publicId: 1001,
  recipient: { audience: "integration", address: endpoint, language: "en", timeZone: "UTC", verified: true },
  body
})

type Endpoints = WebhookSender.Options["endpoints"]
const loopback = ["127.0.0.1"]

/** Sends each delivery through a sender built for the call, and gives every outcome. */
const sendAll = (
  options: WebhookSender.Options,
  deliveries: ReadonlyArray<Delivery>
): Promise<ReadonlyArray<Exit.Exit<Receipt, DeliveryFailed>>> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(WebhookSender.make(options), (sender) =>
        Effect.forEach(deliveries, (d) => Effect.exit(sender.send(d)))
      )
    )
  )

const failureOf = (exit: Exit.Exit<Receipt, DeliveryFailed> | undefined): DeliveryFailed | undefined => {
  if (exit === undefined || Exit.isSuccess(exit)) return undefined
  const reason = exit.cause.reasons[0]
  return reason !== undefined && "error" in reason ? (reason.error as DeliveryFailed) : undefined
}

const hooks = (from: number) => receiver.received.slice(from).filter((r) => r.path === "/hook")

describe("WebhookSender against a real receiver on 127.0.0.1 (allowed explicitly)", () => {
  it("the receiver verifies every delivery's signature with the helper; the body is the delivery's JSON", async () => {
    const from = receiver.received.length
    const endpoints: Endpoints = { crm: { url: receiver.url("/hook"), secrets: [newSecret], allow: loopback } }
    const deliveries = Array.from({ length: 25 }, (_, i) => delivery("crm", { i, text: 'Grüße\u2028 "quoted"' }))
    const exits = await sendAll({ endpoints }, deliveries)
    expect(exits.every(Exit.isSuccess)).toBe(true)
    expect(exits.map((e) => Exit.isSuccess(e) && e.value.acceptedBy)).toEqual(deliveries.map(() => "HTTP 204"))
    const got = hooks(from)
    const verified = got.flatMap((r) => (r.verdict?.ok === true ? [r.verdict.verified] : []))
    console.log(
      `webhooks: ${deliveries.length} sent, ${verified.length} verified by the receiver, ${got.length - verified.length} refused`
    )
    expect(verified.map((v) => v.delivery)).toEqual(deliveries.map((d) => d.key))
    expect(verified.map((v) => v.payload)).toEqual(deliveries.map((d) => d.body))
    expect(got[0]?.headers["content-type"]).toBe("application/json")
    expect(got[0]?.headers["user-agent"]).toBe("Tessera-Webhooks/0.1")
  })

  it("a tampered body, a tampered timestamp, a wrong secret and a replayed delivery are refused by the helper", async () => {
    const from = receiver.received.length
    const endpoints: Endpoints = { crm: { url: receiver.url("/hook"), secrets: [newSecret], allow: loopback } }
    const exits = await sendAll({ endpoints }, [delivery("crm", { ticket: 1001, amount: 10 })])
    expect(Exit.isSuccess(exits[0] as never)).toBe(true)
    const original = hooks(from)[0]
    if (original === undefined) throw new Error("the receiver got nothing")
    const signature = String(original.headers["tessera-signature"])
    const replay = (headers: Record<string, string>, body: string | Buffer) =>
      fetch(receiver.url("/hook"), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body
      })
    const genuine = { "tessera-signature": signature, "tessera-delivery": String(original.headers["tessera-delivery"]) }
    const timestamp = Number(/t=(\d+)/.exec(signature)?.[1])
    const attempts = [
      ["tampered body", genuine, original.body.toString().replace('"amount":10', '"amount":10000')],
      [
        "tampered timestamp",
        { ...genuine, "tessera-signature": signature.replace(`t=${timestamp}`, `t=${timestamp + 60}`) },
        original.body
      ],
      ["tampered delivery key", { ...genuine, "tessera-delivery": "notification:tk_9:1:webhook:crm" }, original.body],
      ["replayed as sent", genuine, original.body]
    ] as const
    const outcomes: Array<string> = []
    for (const [, headers, body] of attempts) {
      const response = await replay(headers, body)
      outcomes.push(`${response.status} ${response.headers.get("x-refusal")}`)
    }
    // A wrong secret: another sender, whose secret this receiver does not hold.
    const stranger = "whsec-stranger-0123456789abcdef0123456789ab"
    const wrong = await sendAll(
      { endpoints: { crm: { url: receiver.url("/hook"), secrets: [stranger], allow: loopback } } },
      [delivery("crm")]
    )
    outcomes.push(failureOf(wrong[0])?.reason ?? "delivered")
    console.log(
      `webhooks: refusals ${attempts.map(([name], i) => `${name} -> ${outcomes[i]}`).join("; ")}; wrong secret -> ${outcomes[4]}`
    )
    expect(outcomes).toEqual([
      "401 BadSignature",
      "401 BadSignature",
      "401 BadSignature",
      "401 Replayed",
      "HTTP 401: refused: BadSignature"
    ])
    expect(failureOf(wrong[0])?.retryable).toBe(false)
  })

  it("rotation: the first secret signs; a receiver holding new and old accepts, one holding only the old refuses", async () => {
    const endpoints: Endpoints = {
      crm: { url: receiver.url("/hook"), secrets: [newSecret, oldSecret], allow: loopback }
    }
    const old: Endpoints = { crm: { url: receiver.url("/hook"), secrets: [oldSecret], allow: loopback } }
    expect((await sendAll({ endpoints }, [delivery("crm")])).every(Exit.isSuccess)).toBe(true)
    expect((await sendAll({ endpoints: old }, [delivery("crm")])).every(Exit.isSuccess)).toBe(true)
    const before = receiver.verifier
    receiver.verifier = WebhookVerify.createVerifier({ secrets: [oldSecret] })
    try {
      const refused = await sendAll({ endpoints }, [delivery("crm")])
      expect(failureOf(refused[0])).toMatchObject({ reason: "HTTP 401: refused: BadSignature", retryable: false })
    } finally {
      receiver.verifier = before
    }
  })

  it("the guard refuses 127.0.0.1 in any spelling unless allowed, and nothing reaches the receiver", async () => {
    const from = receiver.received.length
    const p = receiver.port
    const urls = [
      `http://127.0.0.1:${p}/hook`,
      `http://localhost:${p}/hook`,
      `http://2130706433:${p}/hook`,
      `http://0177.0.0.1:${p}/hook`,
      `http://0x7f.1:${p}/hook`,
      `http://127.0.0.1.:${p}/hook`,
      `http://[::ffff:127.0.0.1]:${p}/hook`,
      `http://[::1]:${p}/hook`
    ]
    const endpoints: Endpoints = Object.fromEntries(urls.map((url, i) => [`e${i}`, { url, secrets: [newSecret] }]))
    const exits = await sendAll(
      { endpoints },
      urls.map((_, i) => delivery(`e${i}`))
    )
    const failures = exits.map(failureOf)
    console.log(
      `webhooks: guard refused ${failures.filter((f) => f?.retryable === false).length} of ${urls.length} loopback spellings`
    )
    for (const [i, failure] of failures.entries()) {
      expect(failure?.reason, urls[i]).toMatch(
        /^Webhook target refused \((localhost|127\.0\.0\.1 is loopback|::ffff:7f00:1 is loopback|::1 is loopback)\)/
      )
      expect(failure?.retryable).toBe(false)
    }
    expect(receiver.received.length).toBe(from)
    // Non-http schemes are refused when the endpoint is configured.
    const bad = await Effect.runPromise(
      Effect.scoped(
        Effect.flip(WebhookSender.make({ endpoints: { x: { url: "file:///etc/passwd", secrets: [newSecret] } } }))
      )
    )
    expect(bad).toMatchObject({ _tag: "InvalidEndpoint", reason: "url is not http or https" })
  })

  it("2xx is delivered; 408, 429 and 5xx may be retried; other 4xx and redirects (not followed) may not", async () => {
    const from = receiver.received.length
    const codes = [200, 201, 204, 408, 429, 500, 502, 503, 400, 401, 404, 410, 422, 301, 302, 307, 308]
    const endpoints: Endpoints = Object.fromEntries(
      codes.map((code) => [`s${code}`, { url: receiver.url(`/status/${code}`), secrets: [newSecret], allow: loopback }])
    )
    const exits = await sendAll(
      { endpoints },
      codes.map((code) => delivery(`s${code}`))
    )
    const outcome = exits.map((exit) =>
      Exit.isSuccess(exit) ? "delivered" : failureOf(exit)?.retryable === true ? "retry" : "fail"
    )
    expect(Object.fromEntries(codes.map((code, i) => [code, outcome[i]]))).toEqual({
      200: "delivered",
      201: "delivered",
      204: "delivered",
      408: "retry",
      429: "retry",
      500: "retry",
      502: "retry",
      503: "retry",
      400: "fail",
      401: "fail",
      404: "fail",
      410: "fail",
      422: "fail",
      301: "fail",
      302: "fail",
      307: "fail",
      308: "fail"
    })
    expect(failureOf(exits[13])?.reason).toBe("HTTP 301: redirects are not followed (to /hook)")
    // The redirects pointed at /hook: it was never asked.
    expect(hooks(from)).toEqual([])
    expect(WebhookSender.classifyStatus(199)).toBe("fail")
  })

  it("a receiver that never answers times out (retryable); one that streams without end is cut at the cap", async () => {
    const endpoints: Endpoints = {
      hang: { url: receiver.url("/hang"), secrets: [newSecret], allow: loopback },
      flood: { url: receiver.url("/flood"), secrets: [newSecret], allow: loopback }
    }
    const started = performance.now()
    const [hang, flood] = await sendAll({ endpoints, timeoutMillis: 300, maxResponseBytes: 1024 }, [
      delivery("hang"),
      delivery("flood")
    ])
    expect(failureOf(hang)).toMatchObject({ reason: "no answer within 300 ms", retryable: true })
    expect(flood !== undefined && Exit.isSuccess(flood) && flood.value.acceptedBy).toBe("HTTP 200")
    // Generous: the point is that neither waited for the other side.
    expect(performance.now() - started).toBeLessThan(10_000)
  })

  it("a refused connection and an unknown endpoint fail, the first retryable", async () => {
    const closed = await startReceiver([newSecret])
    await closed.close()
    const exits = await sendAll(
      { endpoints: { gone: { url: closed.url("/hook"), secrets: [newSecret], allow: loopback } } },
      [delivery("gone"), delivery("nobody")]
    )
    expect(failureOf(exits[0])).toMatchObject({ retryable: true })
    expect(failureOf(exits[0])?.reason).toMatch(/^connection failed: .*ECONNREFUSED/)
    expect(failureOf(exits[1])).toMatchObject({ reason: 'no webhook endpoint named "nobody"', retryable: false })
  })

  it("resolves a host name once and connects to the address it checked, whatever DNS says later", async () => {
    const from = receiver.received.length
    const asked: Array<string> = []
    // This name exists nowhere but in this resolver: the delivery arrives only if the connection
    // used the checked address instead of asking the system's DNS again.
    const resolver: Ssrf.Resolver = (name) => {
      asked.push(name)
      return Effect.succeed([{ address: "127.0.0.1", family: 4 }])
    }
    const url = `http://hooks.tessera.test:${receiver.port}/hook`
    const exits = await sendAll({ endpoints: { crm: { url, secrets: [newSecret], allow: loopback } }, resolver }, [
      delivery("crm"),
      delivery("crm")
    ])
    expect(exits.every(Exit.isSuccess)).toBe(true)
    expect(asked).toEqual(["hooks.tessera.test", "hooks.tessera.test"])
    expect(hooks(from).map((r) => r.headers.host)).toEqual([
      `hooks.tessera.test:${receiver.port}`,
      `hooks.tessera.test:${receiver.port}`
    ])
    // A rebinding answer (a private address on the next lookup) is refused before connecting.
    const rebinding: Ssrf.Resolver = () => Effect.succeed([{ address: "10.0.0.8", family: 4 }])
    const refused = await sendAll(
      { endpoints: { crm: { url, secrets: [newSecret], allow: loopback } }, resolver: rebinding },
      [delivery("crm")]
    )
    expect(failureOf(refused[0])).toMatchObject({ retryable: false })
    expect(failureOf(refused[0])?.reason).toContain("10.0.0.8 is private")
  })

  it("refuses endpoint configurations that cannot work", async () => {
    const invalid = (endpoints: Endpoints, allow?: ReadonlyArray<string>) =>
      Effect.runPromise(
        Effect.scoped(Effect.flip(WebhookSender.make({ endpoints, ...(allow === undefined ? {} : { allow }) })))
      )
    expect(await invalid({ "bad name!": { url: receiver.url("/hook"), secrets: [newSecret] } })).toMatchObject({
      _tag: "InvalidEndpoint"
    })
    expect(await invalid({ crm: { url: "::", secrets: [newSecret] } })).toMatchObject({ reason: "url is not a URL" })
    expect(await invalid({ crm: { url: receiver.url("/hook"), secrets: ["short"] } })).toMatchObject({
      reason: "secret 0 is shorter than 32 bytes"
    })
    expect(
      await invalid({ crm: { url: receiver.url("/hook"), secrets: [newSecret], allow: ["10.0.0.0/40"] } })
    ).toMatchObject({
      _tag: "InvalidEndpoint"
    })
    expect(
      await invalid({ crm: { url: receiver.url("/hook"), secrets: [newSecret], headers: { "x-a": "b\r\nx-b: c" } } })
    ).toMatchObject({ _tag: "InvalidEndpoint" })
    expect(await invalid({}, ["not a host!"])).toMatchObject({ _tag: "InvalidEndpoint", endpoint: "*" })
  })

  it("a body that is not JSON, or a key that is not header text, fails for good", async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const endpoints: Endpoints = { crm: { url: receiver.url("/hook"), secrets: [newSecret], allow: loopback } }
    const badKey = { ...delivery("crm"), key: "notification:1\r\nx-injected: yes" }
    const exits = await sendAll({ endpoints }, [delivery("crm", cyclic), delivery("crm", () => 1), badKey])
    expect(exits.map((e) => failureOf(e)?.retryable)).toEqual([false, false, false])
    expect(failureOf(exits[2])?.reason).toBe("the delivery key is not 1 to 512 printable ASCII characters")
  })

  it("end to end: a rule's notification leaves the outbox, is prepared, sent, and verified by the receiver", async () => {
    const from = receiver.received.length
    const rule: Triggers.TriggerRule<Helpdesk.HelpdeskError> = {
      rule: { id: "tell-crm", version: 1 },
      fire: ({ current, events }) =>
        Effect.succeed(
          events.some((e) => e._tag === "TicketOpened")
            ? [
                new TicketCommand.Notify({
                  ticketId: current.id,
                  template: "ticket_opened",
                  to: ["requester", "webhook:crm"]
                })
              ]
            : []
        )
    }
    const endpoints: Endpoints = { crm: { url: receiver.url("/hook"), secrets: [newSecret], allow: loopback } }
    const sent = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const helpdesk = yield* Helpdesk.Helpdesk
          const ticket = yield* helpdesk.open({
            requester: { email: "jane@example.com", name: "Jane" },
            subject: "Printer on fire",
            text: "It is smoking.",
            channel: "email"
          })
          const outbox = yield* Outbox.Outbox
          const messages = yield* outbox.claim("notification", yield* DateTime.now, 10, 60_000)
          const prepare = yield* WebhookPayload.prepare
          const sender = yield* WebhookSender.make({ endpoints })
          const deliveries = (yield* Effect.forEach(messages, prepare)).flat()
          for (const d of deliveries) yield* sender.send(d)
          return { ticket, deliveries }
        }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { triggers: { rules: [rule] } })))
      )
    )
    const got = hooks(from)
    expect(got.map((r) => r.verdict?.ok)).toEqual([true])
    const verdict = got[0]?.verdict
    if (verdict?.ok !== true) throw new Error("not verified")
    expect(verdict.verified.delivery).toBe(`notification:${sent.ticket.id}:2:webhook:crm`)
    const payload = Schema.decodeUnknownSync(WebhookPayload.Payload)(verdict.verified.payload)
    expect(payload.ticket).toEqual({ id: sent.ticket.id, publicId: sent.ticket.publicId })
    expect(payload.events.map((e) => e.event)).toEqual([expect.any(TicketEvent.TicketOpened)])
    console.log(
      `webhooks end to end: ${sent.deliveries.length} delivery prepared, ${got.length} verified by the receiver`
    )
  })
})
