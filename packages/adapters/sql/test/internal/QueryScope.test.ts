/**
 * The scope a store runs its queries in (#12): only clients that can cancel a statement (the
 * PostgreSQL pools of `Connection.open`) get one, since async context slows every promise of
 * the process once in use; their queries see the calling fiber's signal across awaits.
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
    const seen: Array<AbortSignal | undefined> = []
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
    let signal: AbortSignal | undefined
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
