// A real webhook receiver on 127.0.0.1 (node:http, a free port) for the sender's tests: `/hook`
// verifies every request with the package's own helper and answers 204, or 400/401 with the
// refusal's tag in `x-refusal`; other paths answer with a status, hang, stream without end or
// redirect, so the sender's handling of each can be checked.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as WebhookVerify from "../../src/WebhookVerify.js"

export interface Received {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  /** The helper's verdict for `/hook`: the verified request or the refusal's tag. */
  readonly verdict?:
    | { readonly ok: true; readonly verified: WebhookVerify.Verified }
    | { readonly ok: false; readonly tag: string }
}

export interface Receiver {
  readonly port: number
  readonly url: (path: string) => string
  readonly received: Array<Received>
  /** The verifier `/hook` uses (its seen-set persists across requests). */
  verifier: WebhookVerify.PromiseVerifier
  readonly close: () => Promise<void>
}

const refusalStatus = (tag: string) => (tag === "BadSignature" || tag === "Replayed" ? 401 : 400)

export const startReceiver = async (secrets: ReadonlyArray<string>): Promise<Receiver> => {
  const received: Array<Received> = []
  const sockets = new Set<import("node:net").Socket>()
  const state = { verifier: WebhookVerify.createVerifier({ secrets }) }
  const server: Server = createServer(async (req, res) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const path = req.url ?? "/"
    if (path === "/hook") {
      try {
        const verified = await state.verifier.verify({ headers: req.headers, body })
        received.push({ path, headers: req.headers, body, verdict: { ok: true, verified } })
        res.writeHead(204).end()
      } catch (error) {
        const tag = (error as { _tag?: string })._tag ?? "defect"
        received.push({ path, headers: req.headers, body, verdict: { ok: false, tag } })
        res.writeHead(refusalStatus(tag), { "x-refusal": tag, "content-type": "text/plain" }).end(`refused: ${tag}`)
      }
      return
    }
    received.push({ path, headers: req.headers, body })
    const status = /^\/status\/(\d{3})$/.exec(path)
    if (status !== null) {
      const code = Number(status[1])
      res.writeHead(code, code >= 300 && code < 400 ? { location: "/hook" } : {}).end(`answer ${code}`)
    } else if (path === "/hang") {
      // Never answers: the sender's timeout must end it.
    } else if (path === "/flood") {
      res.writeHead(200, { "content-type": "application/octet-stream" })
      const chunk = Buffer.alloc(64 * 1024, 120)
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          // keep the socket's buffer full
        }
        if (!res.destroyed) res.once("drain", pump)
      }
      pump()
    } else {
      res.writeHead(404).end()
    }
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    get verifier() {
      return state.verifier
    },
    set verifier(verifier) {
      state.verifier = verifier
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
