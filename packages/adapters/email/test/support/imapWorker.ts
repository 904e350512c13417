/**
 * The IMAP poller in a process of its own, for the kill test: one poll of the mailbox with a
 * handler that is idempotent by Message-ID, as intake is. It records each Message-ID it takes in a
 * file (one line each, appended before the handler returns) and each one it was handed again after
 * taking it before, then waits a while before succeeding, which leaves a window for a SIGKILL
 * between the handling and the marking.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs"
import { Effect } from "effect"
import { ImapSource } from "../../src/index.js"
import { text } from "./smtp.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const taken = env("WORKER_TAKEN")
const again = env("WORKER_AGAIN")
const pauseMillis = Number(process.env.WORKER_PAUSE_MS ?? "0")

const report = await Effect.runPromise(
  ImapSource.poll(
    {
      host: "127.0.0.1",
      port: Number(env("WORKER_PORT")),
      secure: false,
      auth: { user: env("WORKER_USER"), pass: env("WORKER_PASS") },
      workspaceId: "acme"
    },
    (raw) =>
      Effect.gen(function* () {
        const message = yield* Effect.promise(() => text(raw))
        const id = /^Message-ID:\s*<([^>]+)>/im.exec(message)?.[1] ?? "(none)"
        const known = existsSync(taken) ? readFileSync(taken, "utf8").split("\n") : []
        if (known.includes(id)) {
          appendFileSync(again, `${id}\n`)
          return
        }
        appendFileSync(taken, `${id}\n`)
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, pauseMillis)))
      })
  )
)
console.log(JSON.stringify(report))
