/**
 * A real SMTP listener on loopback (smtp-server, a free port) that keeps every message it is
 * given, raw, and answers RCPT TO for chosen local parts with a temporary (451) or permanent
 * (550) refusal. It counts the connections it saw open and close.
 */
import { Effect, type Scope } from "effect"
import { SMTPServer } from "smtp-server"

export interface Received {
  readonly raw: Buffer
  readonly to: ReadonlyArray<string>
}

export interface Sink {
  readonly port: number
  readonly received: Array<Received>
  readonly connections: { opened: number; closed: number }
}

const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code })

export const sink: Effect.Effect<Sink, never, Scope.Scope> = Effect.acquireRelease(
  Effect.callback<{ server: SMTPServer; sink: Sink }>((resume) => {
    const received: Array<Received> = []
    const connections = { opened: 0, closed: 0 }
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onConnect: (_session, callback) => {
        connections.opened++
        callback()
      },
      onClose: () => {
        connections.closed++
      },
      onRcptTo: (address, _session, callback) => {
        const local = address.address.split("@")[0]
        if (local === "greylisted") return callback(refusal(451, "4.7.1 Greylisted, try again later"))
        if (local === "nobody") return callback(refusal(550, "5.1.1 No such user"))
        return callback()
      },
      onData: (stream, session, callback) => {
        const chunks: Array<Buffer> = []
        stream.on("data", (c: Buffer) => chunks.push(c))
        stream.on("end", () => {
          received.push({ raw: Buffer.concat(chunks), to: session.envelope.rcptTo.map((r) => r.address) })
          callback()
        })
      }
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({ server, sink: { port, received, connections } }))
    })
  }),
  ({ server }) => Effect.promise(() => new Promise<void>((done) => server.close(() => done())))
).pipe(Effect.map(({ sink }) => sink))

/** SMTP options for the sender, to this sink. */
export const smtpTo = (port: number) => ({ host: "127.0.0.1", port, secure: false, ignoreTLS: true })
