/**
 * The scope a store runs its queries in (#12): only clients that can cancel a statement (the
 * PostgreSQL pools of `Connection.open`) get one. An operation on such a client runs on a
 * connection of its own, and the pool binds the calling fiber's signal to the connection it lends
 * in the very call that asks for it (`claim`): no async context, which on Node 20 slows every
 * promise of the process once in use. `runner` runs an operation so, in one effect, with a signal
 * lighter than an `AbortController` (issue 14).
 */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import * as QueryScope from "../../src/internal/QueryScope.js"

/**
 * A client as kysely's looks to `QueryScope`: `connection().execute` asks its pool for a
 * connection at once, as kysely's does, and the pool takes what `claim` offers; `lent` records it.
 */
interface Fake {
  readonly connection: () => { readonly execute: <A>(body: (db: Fake) => Promise<A>) => Promise<A> }
  readonly name: string
  readonly lent: Array<QueryScope.Signal | undefined>
}

const fake = (registered: boolean): Fake => {
  const lent: Array<QueryScope.Signal | undefined> = []
  const held: Fake = { name: "held connection", lent, connection: () => ({ execute: (body) => body(held) }) }
  const db: Fake = {
    name: "client",
    lent,
    connection: () => ({
      execute: (body) => {
        lent.push(QueryScope.claim())
        return body(held)
      }
    })
  }
  if (registered) QueryScope.register(db)
  return db
}

describe("QueryScope.runner", () => {
  it("runs the queries of an unregistered client on it, without a signal, failing with the caller's error", async () => {
    const db = fake(false)
    const run = QueryScope.runner(db)
    expect(await Effect.runPromise(run(async (on) => on.name, String))).toBe("client")
    expect(db.lent).toEqual([])
    const failed = await Effect.runPromiseExit(
      run(
        () => Promise.reject(new Error("down")),
        (cause) => `failed: ${cause}`
      )
    )
    expect(failed).toEqual(Exit.fail("failed: Error: down"))
  })

  it("runs the queries of a registered client on one connection lent with one signal, and offers it nowhere else", async () => {
    const db = fake(true)
    const query = async (on: Fake) => {
      // Asked for later (after an await, or a second time): no operation's signal.
      await new Promise((resolve) => setTimeout(resolve, 5))
      return [on.name, QueryScope.claim()]
    }
    expect(await Effect.runPromise(QueryScope.runner(db)(query, String))).toEqual(["held connection", undefined])
    expect(db.lent).toHaveLength(1)
    expect(db.lent[0]?.aborted).toBe(false)
    expect(QueryScope.claim()).toBeUndefined()
  })

  it("fails with the caller's error whether the query rejects or throws before its promise", async () => {
    const db = fake(true)
    const run = QueryScope.runner(db)
    const onFailure = (cause: unknown) => `failed: ${(cause as Error).message}`
    expect(await Effect.runPromiseExit(run(() => Promise.reject(new Error("late")), onFailure))).toEqual(
      Exit.fail("failed: late")
    )
    const throwing = (): Promise<number> => {
      throw new Error("early")
    }
    expect(await Effect.runPromiseExit(run(throwing, onFailure))).toEqual(Exit.fail("failed: early"))
    // A throw leaves no signal on offer for the next connection asked for.
    expect(QueryScope.claim()).toBeUndefined()
  })

  it("raises the signal when the caller is interrupted, calling the listeners still registered once", async () => {
    const db = fake(true)
    const heard: Array<string> = []
    const query = () =>
      new Promise<number>(() => {
        const signal = db.lent[0]
        const removed = () => heard.push("removed")
        signal?.addEventListener("abort", () => heard.push("first"), { once: true })
        signal?.addEventListener("abort", removed, { once: true })
        signal?.addEventListener("abort", () => heard.push("second"), { once: true })
        signal?.removeEventListener("abort", removed)
      })
    const exit = await Effect.runPromiseExit(QueryScope.runner(db)(query, String).pipe(Effect.timeout("10 millis")))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(db.lent[0]?.aborted).toBe(true)
    expect(heard).toEqual(["first", "second"])
  })
})

describe("QueryScope.sends", () => {
  it("lets every statement through until the signal is raised, and then only a rollback", () => {
    const controller = new AbortController()
    expect(QueryScope.sends(controller.signal, "insert into events values (1)")).toBe(true)
    expect(QueryScope.sends(controller.signal, "commit")).toBe(true)
    controller.abort()
    expect(QueryScope.sends(controller.signal, "insert into events values (1)")).toBe(false)
    expect(QueryScope.sends(controller.signal, "commit")).toBe(false)
    expect(QueryScope.sends(controller.signal, "  ROLLBACK")).toBe(true)
    expect(QueryScope.sends(controller.signal, "rollbacks_table")).toBe(false)
  })
})
