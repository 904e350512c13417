/**
 * The scope a store runs its queries in (#12): only clients that can cancel a statement (the
 * PostgreSQL pools of `Connection.open`) get one, since async context slows every promise of
 * the process once in use; their queries see the calling fiber's signal across awaits. `runner`
 * does the same in one effect, with a signal lighter than an `AbortController` (issue 14).
 */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import * as QueryScope from "../../src/internal/QueryScope.js"

describe("QueryScope.of", () => {
  it("leaves the queries of an unregistered client as they are: no signal, no scope", () => {
    const query = async () => QueryScope.current()
    expect(QueryScope.of({})(query)).toBe(query)
  })

  it("runs the queries of a registered client inside the caller's signal, across awaits", async () => {
    const db = {}
    QueryScope.register(db)
    const seen: Array<QueryScope.Signal | undefined> = []
    const query = async () => {
      seen.push(QueryScope.current())
      await new Promise((resolve) => setTimeout(resolve, 5))
      seen.push(QueryScope.current())
      return 1
    }
    const exit = await Effect.runPromiseExit(Effect.tryPromise({ try: QueryScope.of(db)(query), catch: String }))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(seen).toHaveLength(2)
    expect(seen[0]).toBeInstanceOf(AbortSignal)
    expect(seen[1]).toBe(seen[0])
    expect(QueryScope.current()).toBeUndefined()
  })

  it("aborts that signal when the caller is interrupted", async () => {
    const db = {}
    QueryScope.register(db)
    let signal: QueryScope.Signal | undefined
    const query = () =>
      new Promise<number>(() => {
        signal = QueryScope.current()
      })
    await Effect.runPromiseExit(
      Effect.tryPromise({ try: QueryScope.of(db)(query), catch: String }).pipe(Effect.timeout("10 millis"))
    )
    expect(signal?.aborted).toBe(true)
  })
})

describe("QueryScope.runner", () => {
  it("runs the queries of an unregistered client without a scope, failing with the caller's error", async () => {
    const run = QueryScope.runner({})
    expect(await Effect.runPromise(run(async () => QueryScope.current(), String))).toBeUndefined()
    const failed = await Effect.runPromiseExit(
      run(
        () => Promise.reject(new Error("down")),
        (cause) => `failed: ${cause}`
      )
    )
    expect(failed).toEqual(Exit.fail("failed: Error: down"))
  })

  it("runs the queries of a registered client inside one signal, across awaits, and only there", async () => {
    const db = {}
    QueryScope.register(db)
    const seen: Array<QueryScope.Signal | undefined> = []
    const query = async () => {
      seen.push(QueryScope.current())
      await new Promise((resolve) => setTimeout(resolve, 5))
      seen.push(QueryScope.current())
      return 1
    }
    expect(await Effect.runPromise(QueryScope.runner(db)(query, String))).toBe(1)
    expect(seen).toHaveLength(2)
    expect(seen[0]?.aborted).toBe(false)
    expect(seen[1]).toBe(seen[0])
    expect(QueryScope.current()).toBeUndefined()
  })

  it("fails with the caller's error whether the query rejects or throws before its promise", async () => {
    const db = {}
    QueryScope.register(db)
    const run = QueryScope.runner(db)
    const onFailure = (cause: unknown) => `failed: ${(cause as Error).message}`
    expect(await Effect.runPromiseExit(run(() => Promise.reject(new Error("late")), onFailure))).toEqual(
      Exit.fail("failed: late")
    )
    const throwing = (): Promise<number> => {
      throw new Error("early")
    }
    expect(await Effect.runPromiseExit(run(throwing, onFailure))).toEqual(Exit.fail("failed: early"))
  })

  it("raises the signal when the caller is interrupted, calling the listeners still registered once", async () => {
    const db = {}
    QueryScope.register(db)
    let signal: QueryScope.Signal | undefined
    const heard: Array<string> = []
    const query = () =>
      new Promise<number>(() => {
        signal = QueryScope.current()
        const removed = () => heard.push("removed")
        signal?.addEventListener("abort", () => heard.push("first"), { once: true })
        signal?.addEventListener("abort", removed, { once: true })
        signal?.addEventListener("abort", () => heard.push("second"), { once: true })
        signal?.removeEventListener("abort", removed)
      })
    const exit = await Effect.runPromiseExit(QueryScope.runner(db)(query, String).pipe(Effect.timeout("10 millis")))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(signal?.aborted).toBe(true)
    expect(heard).toEqual(["first", "second"])
  })
})
