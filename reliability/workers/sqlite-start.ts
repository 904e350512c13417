/**
 * The worker of the start-up scenarios (`test/sqlite-start.integration.test.ts`): one OS process
 * that opens a database through `@tessera/sql` as an application would. Every mode prints
 * `{"type":"ready"}` once its modules are loaded and waits for `go` on stdin, so that the parent
 * starts many of them at the same moment; it then prints one JSON line per step.
 *
 * - `migrate --url sqlite:<file>`: opens the file and migrates it one statement at a time: after
 *   each it prints a `statement` line and waits for `next`, so the parent kills it at a point of
 *   its choosing inside the migration; then `migrated`.
 * - `start --url <url> --workspace <ws>`: opens, migrates (printing what it applied) and opens one
 *   ticket, as a process starting up would; then `started`, or `failed` with the error.
 * - `requesters --url <url> --workspace <ws> --prefix <p> --count <n> --fibers <f>`: opens `n`
 *   tickets, each for a requester `<p><i>@example.com` not seen before, `f` at a time; then
 *   `opened` with every refusal and its error.
 */
import { writeSync } from "node:fs"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { Connection, Migrations, SqlDirectoryStore, SqlStore } from "@tessera/sql"
import { Cause, Effect, Exit, Layer } from "effect"
import type { KyselyPlugin } from "kysely"

const { positionals, values: args } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    workspace: { type: "string", default: "ws_start" },
    prefix: { type: "string", default: "requester" },
    count: { type: "string", default: "100" },
    fibers: { type: "string", default: "4" }
  },
  strict: true
})

const mode = positionals[0]
const url = args.url ?? ""
if (url === "") throw new Error("worker: --url is required")

/** One JSON line on stdout, written at once (a kill may follow). */
const print = (message: Record<string, unknown>): void => {
  writeSync(1, `${JSON.stringify(message)}\n`)
}

/** The parent's lines on stdin, one at a time, in order. */
const stdinLines = (() => {
  const queued: Array<string> = []
  const waiting: Array<(line: string) => void> = []
  const lines = createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    const waiter = waiting.shift()
    if (waiter === undefined) queued.push(line.trim())
    else waiter(line.trim())
  })
  // The parent is gone: nothing will tell this worker to go on.
  lines.on("close", () => process.exit(3))
  return {
    next: (): Promise<string> => {
      const line = queued.shift()
      return line === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(line)
    },
    close: () => {
      lines.removeAllListeners("close")
      lines.close()
      process.stdin.destroy()
    }
  }
})()

/** Waits until the parent sends `expected`. */
const waitFor = async (expected: string): Promise<void> => {
  for (;;) if ((await stdinLines.next()) === expected) return
}

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : "Defect"

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Runs a migration one statement at a time: after each statement it prints `statement` (its
 * number and first words) and waits for the parent's `next`, so the parent chooses the statement
 * after which it kills this process.
 */
const stepByStep = (): KyselyPlugin => {
  let n = 0
  const described = new WeakMap<object, string>()
  return {
    transformQuery: (args) => {
      const node = args.node
      described.set(args.queryId, node.kind === "RawNode" ? node.sqlFragments.join("?").trim().slice(0, 40) : node.kind)
      return node
    },
    transformResult: async (args) => {
      n += 1
      print({ type: "statement", n, sql: described.get(args.queryId) ?? "?" })
      await waitFor("next")
      return args.result
    }
  }
}

const helpdeskOn = (connection: Connection.Connection, workspace: string) =>
  Helpdesk.make({ workspaceId: workspace }).pipe(
    Effect.provide(
      Layer.mergeAll(
        SqlStore.layer({ db: connection.db, dialect: connection.dialect, migrate: false }),
        SqlDirectoryStore.layer({ db: connection.db, dialect: connection.dialect }),
        IdGenerator.layerTimeOrdered
      )
    )
  )

const migrateMode = Effect.scoped(
  Effect.gen(function* () {
    const connection = yield* Connection.scoped(url)
    const db = connection.db.withPlugin(stepByStep())
    print({ type: "migrating" })
    const applied = yield* Migrations.migrate(db, connection.dialect)
    print({ type: "migrated", applied })
  })
)

const startMode = Effect.scoped(
  Effect.gen(function* () {
    const connection = yield* Connection.scoped(url)
    const applied = yield* Migrations.migrate(connection.db, connection.dialect)
    const helpdesk = yield* helpdeskOn(connection, args.workspace)
    const ticket = yield* helpdesk.open({
      requester: { email: `starter-${process.pid}@example.com` },
      subject: "Started",
      text: "This process started on a shared file.",
      channel: "web"
    })
    print({ type: "started", applied, ticket: ticket.id })
  })
)

const requestersMode = Effect.scoped(
  Effect.gen(function* () {
    const count = Number(args.count)
    const fibers = Number(args.fibers)
    const connection = yield* Connection.scoped(url)
    const helpdesk = yield* helpdeskOn(connection, args.workspace)
    const refused: Array<{ readonly email: string; readonly error: string; readonly message: string }> = []
    let opened = 0
    yield* Effect.forEach(
      Array.from({ length: count }, (_, i) => `${args.prefix}${i}@example.com`),
      (email) =>
        Effect.exit(
          helpdesk.open({ requester: { email }, subject: `From ${email}`, text: "First contact.", channel: "email" })
        ).pipe(
          Effect.tap((exit) =>
            Effect.sync(() => {
              if (Exit.isSuccess(exit)) opened += 1
              else {
                const error = Cause.squash(exit.cause)
                refused.push({ email, error: tagOf(error), message: messageOf(error) })
              }
            })
          )
        ),
      { concurrency: fibers, discard: true }
    )
    print({ type: "opened", opened, refused })
  })
)

const modes = { migrate: migrateMode, start: startMode, requesters: requestersMode } as const

const main = async (): Promise<void> => {
  const program = modes[mode as keyof typeof modes]
  if (program === undefined) throw new Error(`worker: unknown mode ${JSON.stringify(mode)}`)
  print({ type: "ready" })
  await waitFor("go")
  // `migrate` goes on reading (`next` after each statement); the other modes need no more input.
  if (mode !== "migrate") stdinLines.close()
  const exit = await Effect.runPromiseExit(program)
  if (mode === "migrate") stdinLines.close()
  if (Exit.isFailure(exit)) {
    const error = Cause.squash(exit.cause)
    print({ type: "failed", error: tagOf(error), message: messageOf(error) })
  }
}

main().catch((error: unknown) => {
  print({ type: "failed", error: "Defect", message: messageOf(error) })
})
