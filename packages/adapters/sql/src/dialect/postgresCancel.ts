/**
 * Cancelling a PostgreSQL statement on the server when the fiber that sent it is interrupted:
 * PostgreSQL's cancel protocol, a 16-byte request on a new socket carrying the backend's key,
 * which needs no login and no free connection slot (a pool busy with the very query to cancel
 * has none). `guard` wraps one statement of a pool client of `postgresConnection`, with the
 * signal of the operation the pool lent that client to (`QueryScope`).
 */
import { connect, type Socket } from "node:net"
import { NotSent, type Signal, sends } from "../internal/QueryScope.js"

/** A pg `Client`: where it connected to. */
interface Client {
  readonly host: string
  readonly port: number
}

/** What a pg `Client` also knows of its backend (fields pg's types leave out). */
interface Backend extends Client {
  readonly processID?: number | null
  readonly secretKey?: number | null
  readonly connection?: { readonly stream?: { readonly remoteAddress?: string; readonly remotePort?: number } }
}

/** `CancelRequest`: length 16, code 80877102, then the backend's process id and secret key. */
const cancelRequest = (processID: number, secretKey: number): Uint8Array => {
  const packet = new DataView(new ArrayBuffer(16))
  packet.setInt32(0, 16)
  packet.setInt32(4, 80877102)
  packet.setInt32(8, processID)
  packet.setInt32(12, secretKey)
  return new Uint8Array(packet.buffer)
}

/** How long a cancel may take before the client is handed back all the same. */
const CANCEL_WAIT_MS = 5_000

/**
 * Sends a cancel request for the statement `backend` runs, unless `stillRunning` says it is done
 * by the time the socket is open. Resolves once the server has closed the cancel connection (it
 * has signalled the backend by then), or on any failure: a cancel is best effort, the statement
 * timeout bounds the statement anyway.
 */
const sendCancel = (backend: Backend, stillRunning: () => boolean): Promise<void> => {
  const { processID, secretKey } = backend
  if (typeof processID !== "number" || typeof secretKey !== "number") return Promise.resolve()
  // The address the client's socket actually reached (a host name may resolve to several).
  const stream = backend.connection?.stream
  let socket: Socket
  try {
    socket = backend.host.startsWith("/")
      ? connect(`${backend.host}/.s.PGSQL.${backend.port}`)
      : connect({ host: stream?.remoteAddress ?? backend.host, port: stream?.remotePort ?? backend.port })
  } catch {
    return Promise.resolve()
  }
  return new Promise<void>((resolve) => {
    const done = () => {
      socket.destroy()
      resolve()
    }
    socket.setTimeout(CANCEL_WAIT_MS, done)
    socket.once("error", done)
    socket.once("close", done)
    socket.once("connect", () => {
      if (stillRunning()) socket.write(cancelRequest(processID, secretKey))
      else done()
    })
  })
}

/**
 * Sends one statement (`send`) of `client`, bound to the calling fiber: if that fiber is
 * interrupted while the statement runs, the server cancels it, and the statement's promise
 * settles only after the cancel request went through, so that a late cancel can never hit the
 * next statement of the connection. Once the fiber is interrupted, later statements of its query
 * are not sent at all, except `rollback`. Outside a store's operation (no `signal`), `send` runs
 * as it is.
 *
 * @category combinators
 * @since 0.1.0
 */
export const guard = <A>(
  client: Client,
  signal: Signal | undefined,
  text: string,
  send: () => Promise<A>
): Promise<A> => {
  if (signal === undefined) return send()
  if (signal.aborted) return sends(signal, text) ? send() : Promise.reject(new NotSent())
  let running = true
  let cancelled: Promise<void> | undefined
  const onAbort = () => {
    cancelled = sendCancel(client as Backend, () => running)
  }
  signal.addEventListener("abort", onAbort, { once: true })
  /** The statement is done: the cancel to wait for, if one was sent. */
  const settle = (): Promise<void> | undefined => {
    running = false
    signal.removeEventListener("abort", onAbort)
    return cancelled
  }
  return send().then(
    (result) => {
      const cancelling = settle()
      return cancelling === undefined ? result : cancelling.then(() => result)
    },
    (error: unknown) => {
      const cancelling = settle()
      if (cancelling === undefined) throw error
      return cancelling.then(() => {
        throw error
      })
    }
  )
}
