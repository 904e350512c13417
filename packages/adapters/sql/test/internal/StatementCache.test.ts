/**
 * `StatementCache` compiles a shape once and runs it with each call's values (issue 14): counted
 * by a kysely plugin, which sees every compilation, and checked against what the database then
 * holds. Shapes past the capacity are forgotten least recently used first, and compiled again
 * when they come back. On an in-memory SQLite database.
 */
import SqliteDatabase from "better-sqlite3"
import { Kysely, type KyselyPlugin, SqliteDialect, sql } from "kysely"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { Database } from "../../src/Database.js"
import * as StatementCache from "../../src/internal/StatementCache.js"

let db: Kysely<Database>
let compilations = 0

/** Counts the queries kysely compiles (every compilation passes through `transformQuery`). */
const counting: KyselyPlugin = {
  transformQuery: ({ node }) => {
    compilations += 1
    return node
  },
  transformResult: async ({ result }) => result
}

beforeEach(async () => {
  compilations = 0
  db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SqliteDatabase(":memory:") }),
    plugins: [counting]
  })
  await sql`create table ticket_tags (workspace_id text, ticket_id text, tag text, primary key (ticket_id, tag))`.execute(
    db
  )
  compilations = 0
})

afterEach(async () => {
  await db.destroy()
})

const insertTags = (cache: StatementCache.StatementCache, ticket: string, tags: ReadonlyArray<string>) =>
  cache.execute(
    db,
    `insert tags ${tags.length}`,
    (on, $) =>
      on
        .insertInto("ticket_tags")
        .values(tags.map((_, i) => ({ workspace_id: $<string>(0), ticket_id: $<string>(1), tag: $<string>(i + 2) }))),
    ["acme", ticket, ...tags]
  )

const tagsOf = async (ticket: string) =>
  (await db.selectFrom("ticket_tags").select("tag").where("ticket_id", "=", ticket).orderBy("tag").execute()).map(
    (row) => row.tag
  )

describe("StatementCache", () => {
  it("compiles a shape once and runs it with each call's values", async () => {
    const cache = StatementCache.make(8)
    for (let i = 0; i < 20; i++) await insertTags(cache, `t${i}`, [`a${i}`, `b${i}`])
    expect(compilations).toBe(1)
    expect(cache.stats()).toEqual({ compiled: 1, reused: 19, shapes: 1 })
    expect(await tagsOf("t7")).toEqual(["a7", "b7"])
    expect(await tagsOf("t19")).toEqual(["a19", "b19"])
  })

  it("a placeholder used twice binds the same value, and constants stay as they were built", async () => {
    const cache = StatementCache.make(8)
    for (const ticket of ["x", "y"]) {
      await cache.execute(
        db,
        "tag named after its ticket",
        (on, $) =>
          on
            .insertInto("ticket_tags")
            .values({ workspace_id: "acme", ticket_id: $<string>(0), tag: sql<string>`${$<string>(0)} || ${"-tag"}` }),
        [ticket]
      )
    }
    const rows = await db.selectFrom("ticket_tags").selectAll().orderBy("ticket_id").execute()
    expect(rows).toEqual([
      { workspace_id: "acme", ticket_id: "x", tag: "x-tag" },
      { workspace_id: "acme", ticket_id: "y", tag: "y-tag" }
    ])
    expect(cache.stats().compiled).toBe(1)
  })

  it("keeps the most recently used shapes up to its capacity, and compiles a forgotten one again", async () => {
    const cache = StatementCache.make(2)
    await insertTags(cache, "t", ["a"])
    await insertTags(cache, "t", ["b", "c"])
    await insertTags(cache, "t", ["d"]) // the one-tag shape is the most recent now
    await insertTags(cache, "t", ["e", "f", "g"]) // forgets the two-tag shape
    expect(cache.stats()).toEqual({ compiled: 3, reused: 1, shapes: 2 })
    await insertTags(cache, "t", ["h"])
    expect(cache.stats().compiled).toBe(3)
    await insertTags(cache, "t", ["i", "j"])
    expect(cache.stats().compiled).toBe(4)
    expect(await tagsOf("t")).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
  })

  it("a call with fewer values than its shape has placeholders fails without running", async () => {
    const cache = StatementCache.make(2)
    await insertTags(cache, "t", ["a", "b"])
    const short = cache.execute(
      db,
      "insert tags 2",
      (on) => on.insertInto("ticket_tags").values({ workspace_id: "never", ticket_id: "never", tag: "never" }),
      ["acme", "u", "c"]
    )
    await expect(short).rejects.toThrow(/has no value 3/)
    expect(await tagsOf("u")).toEqual([])
  })
})
