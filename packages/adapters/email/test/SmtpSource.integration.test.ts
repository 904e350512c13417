/**
 * The SMTP listener over real SMTP on loopback (nodemailer as the sending server, or a bare
 * socket where the dialogue itself is under test): routing and refusals at RCPT TO, the size limit
 * announced and enforced while streaming, STARTTLS with a self-signed pair, and the answer that
 * follows the handler: 250 only after it succeeded, 451 to retry, 554 for good.
 */
import { connect } from "node:net"
import type { Readable } from "node:stream"
import { Deferred, Effect, Exit, Scope } from "effect"
import nodemailer from "nodemailer"
import { describe, expect, it } from "vitest"
import { MailSource, SmtpSource } from "../src/index.js"
import { dialogue, selfSigned, text } from "./support/smtp.js"

interface Received {
  readonly envelope: MailSource.Envelope
  readonly body: string
}

/** Runs `body` with a listener on a free port whose handler records what it read. */
const withListener = <A>(
  options: Omit<SmtpSource.Options, "port">,
  body: (listener: SmtpSource.Listener, received: Array<Received>) => Promise<A>,
  handler?: MailSource.Handler
): Promise<A> => {
  const received: Array<Received> = []
  const record: MailSource.Handler = (raw, envelope) =>
    Effect.promise(() => text(raw)).pipe(Effect.map((body) => received.push({ envelope, body })))
  return Effect.runPromise(
    Effect.scoped(
      SmtpSource.make({ ...options, port: 0 }, handler ?? record).pipe(
        Effect.flatMap((listener) => Effect.promise(() => body(listener, received)))
      )
    )
  )
}

const transport = (port: number, extra: Record<string, unknown> = {}) =>
  nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, ...extra })

const mail = {
  from: "jane@customer.test",
  to: "support@acme.test",
  subject: "Printer on fire",
  text: "It is on fire again."
}

const route = { "acme.test": "acme", "help@globex.test": "globex" }

describe("SmtpSource", () => {
  it("hands a routed message to the handler with its envelope and workspace, then answers 250", async () => {
    await withListener({ route }, async ({ port }, received) => {
      const info = await transport(port).sendMail(mail)
      expect(info.response).toMatch(/^250 /)
      expect(received).toHaveLength(1)
      expect(received[0]?.envelope).toEqual({
        from: "jane@customer.test",
        to: ["support@acme.test"],
        workspaceId: "acme"
      })
      expect(received[0]?.body).toContain("Subject: Printer on fire")
      expect(received[0]?.body).toContain("It is on fire again.")
    })
  })

  it("routes by address, by address without its +tag, and by domain; a function route works too", () => {
    expect(SmtpSource.resolve(route, "Help@Globex.test")).toBe("globex")
    expect(SmtpSource.resolve(route, "help+t42.sig@globex.test")).toBe("globex")
    expect(SmtpSource.resolve(route, "anyone@acme.test")).toBe("acme")
    expect(SmtpSource.resolve(route, "sales@globex.test")).toBeUndefined()
    expect(SmtpSource.resolve(route, "x@__proto__")).toBeUndefined()
    expect(SmtpSource.resolve(new Map([["@acme.test", "acme"]]), "a@acme.test")).toBe("acme")
    expect(SmtpSource.resolve((r) => (r.endsWith(".test") ? r : undefined), "A@B.test")).toBe("a@b.test")
  })

  it("refuses an unknown recipient at RCPT TO with 550, and the handler never runs", async () => {
    await withListener({ route }, async ({ port }, received) => {
      const error = await transport(port)
        .sendMail({ ...mail, to: "sales@globex.test" })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ responseCode: 550, command: "RCPT TO" })
      expect(received).toHaveLength(0)
      // The dialogue itself: the refusal comes at RCPT TO, before any data is sent.
      const replies = await dialogue(port, [
        "EHLO client.test\r\n",
        "MAIL FROM:<jane@customer.test>\r\n",
        "RCPT TO:<nobody@globex.test>\r\n",
        "QUIT\r\n"
      ])
      expect(replies[3]).toMatch(/^550 .*nobody@globex\.test/)
    })
  })

  it("takes a recipient of another workspace in its own transaction (452 for it in this one)", async () => {
    await withListener({ route }, async ({ port }, received) => {
      const info = await transport(port).sendMail({ ...mail, to: ["support@acme.test", "help@globex.test"] })
      expect(info.accepted).toEqual(["support@acme.test"])
      expect(info.rejected).toEqual(["help@globex.test"])
      expect(received.map((r) => r.envelope.workspaceId)).toEqual(["acme"])
      await transport(port).sendMail({ ...mail, to: "help@globex.test" })
      expect(received.map((r) => r.envelope.workspaceId)).toEqual(["acme", "globex"])
    })
  })

  it("announces SIZE and refuses a message declared too large at MAIL FROM", async () => {
    await withListener({ route, maxBytes: 10_000 }, async ({ port }, received) => {
      const replies = await dialogue(port, [
        "EHLO client.test\r\n",
        "MAIL FROM:<jane@customer.test> SIZE=20000\r\n",
        "QUIT\r\n"
      ])
      expect(replies[2]).toMatch(/^552 /)
      const error = await transport(port)
        .sendMail({ ...mail, text: "x".repeat(50_000) })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ responseCode: 552 })
      expect(received).toHaveLength(0)
    })
  })

  it("enforces the size limit while the data streams: the handler's stream fails and the answer is 552", async () => {
    const seen: Array<unknown> = []
    let completed = 0
    const handler: MailSource.Handler = (raw: Readable) => {
      raw.on("error", (e) => seen.push(e))
      return Effect.tryPromise({ try: () => text(raw), catch: (e) => e }).pipe(
        Effect.andThen(Effect.sync(() => completed++))
      )
    }
    await withListener(
      { route, maxBytes: 10_000 },
      async ({ port }) => {
        const replies = await dialogue(port, [
          "EHLO client.test\r\n",
          "MAIL FROM:<jane@customer.test>\r\n",
          "RCPT TO:<support@acme.test>\r\n",
          "DATA\r\n",
          `Subject: big\r\n\r\n${"0123456789abcdef\r\n".repeat(5_000)}.\r\n`,
          "QUIT\r\n"
        ])
        expect(replies.slice(1, 5).map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "354"])
        expect(replies[5]).toMatch(/^552 /)
      },
      handler
    )
    // The handler saw the stream fail, and was stopped before it could take a cut message.
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(MailSource.MessageTooLarge)
    expect(completed).toBe(0)
  })

  it("stops the handler, and takes nothing, when the client goes away in the middle of the message", async () => {
    const seen: Array<unknown> = []
    let completed = 0
    let started = 0
    const handler: MailSource.Handler = (raw: Readable) => {
      started++
      raw.on("error", (e) => seen.push(e))
      return Effect.tryPromise({ try: () => text(raw), catch: (e) => e }).pipe(
        Effect.andThen(Effect.sync(() => completed++))
      )
    }
    await withListener(
      { route },
      async ({ port }) => {
        const socket = connect(port, "127.0.0.1")
        const lines = ["EHLO client.test", "MAIL FROM:<jane@customer.test>", "RCPT TO:<support@acme.test>", "DATA"]
        await new Promise<void>((resolve) => {
          socket.on("data", (data: Buffer) => {
            if (data.toString("utf8").startsWith("354")) {
              socket.write("Subject: cut\r\n\r\nThe first half of a message")
              setTimeout(() => {
                socket.destroy()
                resolve()
              }, 100)
            } else if (/^(220|250) /m.test(data.toString("utf8"))) socket.write(`${lines.shift() ?? ""}\r\n`)
          })
        })
        for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      },
      handler
    )
    expect(started).toBe(1)
    expect(String(seen[0])).toMatch(/closed before the message was received/)
    expect(completed).toBe(0)
  })

  it("answers 250 only after the handler succeeded", async () => {
    const gate = Effect.runSync(Deferred.make<void>())
    const events: Array<string> = []
    const handler: MailSource.Handler = (raw) =>
      Effect.promise(() => text(raw)).pipe(
        Effect.andThen(Effect.sync(() => events.push("handler read the message"))),
        Effect.andThen(Deferred.await(gate)),
        Effect.andThen(Effect.sync(() => events.push("handler succeeded")))
      )
    await withListener(
      { route },
      async ({ port }) => {
        const sent = transport(port)
          .sendMail(mail)
          .then((info) => events.push(`client got ${info.response.slice(0, 3)}`))
        while (events.length === 0) await new Promise((r) => setTimeout(r, 10))
        await new Promise((r) => setTimeout(r, 200))
        expect(events).toEqual(["handler read the message"])
        Effect.runSync(Deferred.succeed(gate, undefined))
        await sent
        expect(events).toEqual(["handler read the message", "handler succeeded", "client got 250"])
      },
      handler
    )
  })

  it("answers 451 when the handler fails with a retryable error or dies, 554 when it refuses for good", async () => {
    let mode: "retry" | "die" | "refuse" = "retry"
    const handler: MailSource.Handler = (raw) =>
      Effect.promise(() => text(raw)).pipe(
        Effect.andThen(
          mode === "retry"
            ? Effect.fail({ _tag: "StoreUnavailable", retryable: true })
            : mode === "die"
              ? Effect.die(new Error("bug"))
              : Effect.fail(new MailSource.Rejected({ reason: "spam" }))
        )
      )
    await withListener(
      { route },
      async ({ port }) => {
        const send = () =>
          transport(port)
            .sendMail(mail)
            .catch((e: unknown) => e)
        expect(await send()).toMatchObject({ responseCode: 451 })
        mode = "die"
        expect(await send()).toMatchObject({ responseCode: 451 })
        mode = "refuse"
        expect(await send()).toMatchObject({ responseCode: 554, response: expect.stringContaining("Rejected") })
      },
      handler
    )
  })

  it("offers STARTTLS with the user's self-signed pair, and with required TLS refuses plaintext MAIL FROM", async () => {
    const { key, cert } = selfSigned()
    await withListener({ route, tls: { key, cert, required: true } }, async ({ port }, received) => {
      const info = await transport(port, {
        ignoreTLS: false,
        requireTLS: true,
        tls: { ca: cert, servername: "localhost" }
      }).sendMail(mail)
      expect(info.response).toMatch(/^250 /)
      expect(received).toHaveLength(1)
      const refused = await transport(port)
        .sendMail(mail)
        .catch((e: unknown) => e)
      expect(refused).toMatchObject({ responseCode: 530 })
      expect(received).toHaveLength(1)
      // A client that checks the certificate against another authority refuses the handshake.
      const untrusted = await transport(port, { ignoreTLS: false, requireTLS: true, tls: { servername: "localhost" } })
        .sendMail(mail)
        .catch((e: unknown) => e)
      expect(String(untrusted)).toMatch(/self[- ]signed|certificate/i)
    })
  })

  it("does not offer STARTTLS without the user's key and certificate", async () => {
    await withListener({ route }, async ({ port }) => {
      const replies = await dialogue(port, ["EHLO client.test\r\n", "STARTTLS\r\n", "QUIT\r\n"])
      expect(replies[2]).toMatch(/^5\d\d /)
    })
  })

  it("stops listening when its scope closes, and fails with ListenFailed on a taken port", async () => {
    const scope = Effect.runSync(Scope.make())
    const listener = await Effect.runPromise(
      SmtpSource.make({ port: 0, route }, () => Effect.void).pipe(Scope.provide(scope))
    )
    const taken = await Effect.runPromise(
      Effect.flip(Effect.scoped(SmtpSource.make({ port: listener.port, route }, () => Effect.void)))
    )
    expect(taken).toBeInstanceOf(SmtpSource.ListenFailed)
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const error = await transport(listener.port)
      .sendMail(mail)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: "ESOCKET" })
  })

  it("the Promise facade listens, takes mail through an async handler, and closes", async () => {
    const bodies: Array<string> = []
    const smtp = await SmtpSource.listen({ port: 0, route }, async (raw) => {
      bodies.push(await text(raw))
    })
    await transport(smtp.port).sendMail(mail)
    await smtp.close()
    expect(bodies).toHaveLength(1)
    await expect(
      SmtpSource.listen({ port: smtp.port, host: "192.0.2.1", route }, async () => {})
    ).rejects.toMatchObject({
      _tag: "ListenFailed"
    })
  })
})
