/**
 * One poll of the IMAP poller in a process of its own, taking mail into the help desk on the SQLite
 * file of `WORKER_DB` (parse, intake, acknowledge). It prints one JSON line per message taken and
 * waits `WORKER_PAUSE_MS` after each intake before the poller may mark the message, which leaves a
 * window for a SIGKILL between the handling and the marking.
 */
import { Effect } from "effect"
import { ImapSource } from "../../src/index.js"
import { type Acknowledgement, handler, layer, workspaceId } from "./desk.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const pause = Number(process.env.WORKER_PAUSE_MS ?? "0")
const acknowledgements: Array<Acknowledgement> = []

const report = await Effect.runPromise(
  ImapSource.poll(
    {
      host: "127.0.0.1",
      port: Number(env("WORKER_PORT")),
      secure: false,
      auth: { user: env("WORKER_USER"), pass: env("WORKER_PASS") },
      workspaceId
    },
    handler(acknowledgements, (taken) =>
      Effect.sync(() => console.log(JSON.stringify(taken))).pipe(Effect.andThen(Effect.sleep(pause)))
    )
  ).pipe(Effect.provide(layer(`sqlite:${env("WORKER_DB")}`)))
)
console.log(JSON.stringify({ report }))
