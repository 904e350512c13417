/**
 * The `DirectoryStore` port on SQL: each record is its schema-encoded JSON in a `data` column of
 * `contacts`, `organizations`, `agents` or `groups`, keyed by (workspace, id). `contact_emails`
 * holds each contact's normalised emails under a (workspace, email) primary key, so the database
 * itself keeps an email to one contact per workspace; `agent_groups` answers "members of a group".
 * Migrations are not run here (see `Migrations.migrate`).
 */
import { Directory, DirectoryError, DirectoryStore, Lru, StoreError } from "@tessera/core"
import { Data, Effect, Layer, Option, Schema } from "effect"
import type { Kysely, Transaction } from "kysely"
import type { Database, Dialect } from "./Database.js"
import type { SqlDialect } from "./dialect/Dialect.js"
import * as Dialects from "./dialect/index.js"
import * as DriverError from "./internal/DriverError.js"
import * as QueryScope from "./internal/QueryScope.js"

/**
 * What the store runs on: the user's kysely client (never closed here) and its dialect.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
}

type RecordTable = "contacts" | "organizations" | "agents" | "groups"

type Store = DirectoryStore.DirectoryStore["Service"]

/** Another transaction wrote the same email at the same time: the save runs again and sees it. */
class Contended extends Data.TaggedError("Contended")<{ readonly cause: unknown }> {}

/** Reads and writes one kind of record as JSON, through its schema. */
const codec = <A>(
  kind: string,
  schema: Schema.Codec<A, string>
): {
  readonly encode: (record: A) => Effect.Effect<string>
  readonly decode: (
    operation: string,
    row: { readonly workspace_id: string; readonly id: string; readonly data: string }
  ) => Effect.Effect<A, StoreError.StoreUnavailable>
} => {
  const encode = Schema.encodeEffect(schema)
  const decode = Schema.decodeUnknownEffect(schema)
  // Decoding is a pure function of the stored JSON: the records read most (the agent behind
  // every command) are decoded once while their JSON stays the same. Bounded, least recently used out.
  const decoded = Lru.make<string, A>(1_000)
  const remember = (data: string, record: A): A => {
    decoded.set(data, record)
    return record
  }
  return {
    // The port's types promise a valid record; one that does not encode is a bug in the caller.
    encode: (record) => Effect.orDie(encode(record)),
    decode: (operation, row) => {
      const known = decoded.get(row.data)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.mapError(
        Effect.map(decode(row.data), (record) => remember(row.data, record)),
        (error) =>
          new StoreError.StoreUnavailable({
            operation,
            reason: `${kind} ${row.id} of workspace ${row.workspace_id} does not decode: ${error.message}`,
            cause: error
          })
      )
    }
  }
}

const contacts = codec("contact", Schema.fromJsonString(Directory.Contact))
const organizations = codec("organization", Schema.fromJsonString(Directory.Organization))
const agents = codec("agent", Schema.fromJsonString(Directory.Agent))
const groups = codec("group", Schema.fromJsonString(Directory.Group))

const upsert = (
  dialect: SqlDialect,
  db: Kysely<Database> | Transaction<Database>,
  table: RecordTable,
  row: { readonly workspace_id: string; readonly id: string; readonly data: string }
) => dialect.upsert(db.insertInto(table).values(row), ["workspace_id", "id"], { data: row.data }).execute()

/**
 * Builds the directory store on a migrated database.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Store> =>
  Effect.sync(() => {
    const client = options.db
    const dialect = Dialects.of(options.dialect)
    const runQuery = QueryScope.runner(client)
    /**
     * Runs a query, turning a driver failure into `StoreUnavailable` (or `ValueTooLarge` for a
     * value the database cannot hold); interrupting it cancels it. The query runs its statements
     * on the client it is given (see `QueryScope`).
     */
    const attempt = <A>(
      operation: string,
      query: (db: Kysely<Database>) => Promise<A>
    ): Effect.Effect<A, StoreError.StoreUnavailable | StoreError.ValueTooLarge> =>
      runQuery(query, (cause) => DriverError.failure(operation, cause))
    // A key the database cannot hold (PostgreSQL: U+0000) is in no stored record: it matches
    // nothing, and asking the server would only fail.
    const storable = (...keys: ReadonlyArray<string>) => keys.every(dialect.storable)
    // Ids in code-unit order, as JavaScript sorts them, whatever the database's collation.
    const byId = dialect.binaryOrder("id")

    const getRecord = <A>(
      operation: string,
      table: RecordTable,
      recordCodec: ReturnType<typeof codec<A>>,
      ws: string,
      id: string
    ): Effect.Effect<Option.Option<A>, StoreError.StoreUnavailable | StoreError.ValueTooLarge> =>
      storable(ws, id)
        ? attempt(operation, (db) =>
            db
              .selectFrom(table)
              .select(["workspace_id", "id", "data"])
              .where("workspace_id", "=", ws)
              .where("id", "=", id)
              .executeTakeFirst()
          ).pipe(
            Effect.flatMap((row) =>
              row === undefined
                ? Effect.succeedNone
                : Effect.map(recordCodec.decode(operation, row), (record) => Option.some(record))
            )
          )
        : Effect.succeedNone

    const saveRecord = <A extends { readonly workspaceId: string; readonly id: string }>(
      operation: string,
      table: RecordTable,
      recordCodec: ReturnType<typeof codec<A>>,
      record: A
    ) =>
      Effect.flatMap(recordCodec.encode(record), (data) =>
        attempt(operation, (db) =>
          upsert(dialect, db, table, { workspace_id: record.workspaceId, id: record.id, data })
        )
      ).pipe(Effect.asVoid)

    /** One attempt at saving a contact: check its emails, then rewrite its email rows and its record. */
    const saveContactOnce = (contact: Directory.Contact, data: string) =>
      Effect.tryPromise({
        try: () =>
          dialect.transact(client, async (trx) => {
            const ws = contact.workspaceId
            const emails = contact.emails.map((email) => ({ email, key: Directory.normalizeEmail(email) }))
            const keys = Array.from(new Set(emails.map((e) => e.key)))
            if (keys.length > 0) {
              const owned = await trx
                .selectFrom("contact_emails")
                .select(["email", "contact_id"])
                .where("workspace_id", "=", ws)
                .where("email", "in", keys)
                .where("contact_id", "<>", contact.id)
                .execute()
              const owners = new Map(owned.map((row) => [row.email, row.contact_id]))
              for (const { email, key } of emails) {
                const owner = owners.get(key)
                if (owner !== undefined) return new DirectoryError.EmailTaken({ email, contactId: owner })
              }
            }
            await trx
              .deleteFrom("contact_emails")
              .where("workspace_id", "=", ws)
              .where("contact_id", "=", contact.id)
              .execute()
            if (keys.length > 0) {
              await trx
                .insertInto("contact_emails")
                .values(keys.map((email) => ({ workspace_id: ws, email, contact_id: contact.id })))
                .execute()
            }
            await upsert(dialect, trx, "contacts", { workspace_id: ws, id: contact.id, data })
            return undefined
          }),
        catch: (cause) =>
          DriverError.isUniqueViolation(cause) ? new Contended({ cause }) : DriverError.failure("saveContact", cause)
      }).pipe(Effect.flatMap((taken) => (taken === undefined ? Effect.void : Effect.fail(taken))))

    return DirectoryStore.DirectoryStore.of({
      getContact: (ws, id) => getRecord("getContact", "contacts", contacts, ws, id),

      findContactByEmail: (ws, email) => {
        const key = Directory.normalizeEmail(email)
        if (!storable(ws, key)) return Effect.succeedNone
        return attempt("findContactByEmail", (db) =>
          db
            .selectFrom("contact_emails as e")
            .innerJoin("contacts as c", (join) =>
              join.onRef("c.workspace_id", "=", "e.workspace_id").onRef("c.id", "=", "e.contact_id")
            )
            .select(["c.workspace_id", "c.id", "c.data"])
            .where("e.workspace_id", "=", ws)
            .where("e.email", "=", key)
            .executeTakeFirst()
        ).pipe(
          Effect.flatMap((row) =>
            row === undefined
              ? Effect.succeedNone
              : Effect.map(contacts.decode("findContactByEmail", row), (contact) => Option.some(contact))
          )
        )
      },

      saveContact: (contact) =>
        Effect.flatMap(contacts.encode(contact), (data) =>
          saveContactOnce(contact, data).pipe(
            Effect.retry({ while: (error) => error._tag === "Contended", times: 3 }),
            Effect.catchTag("Contended", (contended) =>
              Effect.fail(DriverError.unavailable("saveContact", contended.cause))
            )
          )
        ),

      getOrganization: (ws, id) => getRecord("getOrganization", "organizations", organizations, ws, id),
      saveOrganization: (organization) => saveRecord("saveOrganization", "organizations", organizations, organization),

      getAgent: (ws, id) => getRecord("getAgent", "agents", agents, ws, id),

      saveAgent: (agent) =>
        Effect.flatMap(agents.encode(agent), (data) =>
          attempt("saveAgent", (db) =>
            dialect.transact(db, async (trx) => {
              const ws = agent.workspaceId
              await upsert(dialect, trx, "agents", { workspace_id: ws, id: agent.id, data })
              await trx
                .deleteFrom("agent_groups")
                .where("workspace_id", "=", ws)
                .where("agent_id", "=", agent.id)
                .execute()
              const memberOf = Array.from(new Set(agent.groups))
              if (memberOf.length > 0) {
                await trx
                  .insertInto("agent_groups")
                  .values(memberOf.map((group_id) => ({ workspace_id: ws, agent_id: agent.id, group_id })))
                  .execute()
              }
            })
          )
        ),

      listAgents: (ws, group) => {
        if (!storable(ws, group ?? "")) return Effect.succeed([])
        const query = (db: Kysely<Database>) =>
          group === undefined
            ? db.selectFrom("agents").select(["workspace_id", "id", "data"]).where("workspace_id", "=", ws)
            : db
                .selectFrom("agents")
                .select(["workspace_id", "id", "data"])
                .where("workspace_id", "=", ws)
                .where((eb) =>
                  eb.exists(
                    eb
                      .selectFrom("agent_groups as g")
                      .select("g.agent_id")
                      .where("g.workspace_id", "=", ws)
                      .where("g.group_id", "=", group)
                      .whereRef("g.agent_id", "=", "agents.id")
                  )
                )
        return attempt("listAgents", (db) => query(db).orderBy(byId).execute()).pipe(
          Effect.flatMap((rows) => Effect.forEach(rows, (row) => agents.decode("listAgents", row)))
        )
      },

      getGroup: (ws, id) => getRecord("getGroup", "groups", groups, ws, id),
      saveGroup: (group) => saveRecord("saveGroup", "groups", groups, group),

      listGroups: (ws) => {
        if (!storable(ws, "")) return Effect.succeed([])
        return attempt("listGroups", (db) =>
          db
            .selectFrom("groups")
            .select(["workspace_id", "id", "data"])
            .where("workspace_id", "=", ws)
            .orderBy(byId)
            .execute()
        ).pipe(Effect.flatMap((rows) => Effect.forEach(rows, (row) => groups.decode("listGroups", row))))
      }
    })
  })

/**
 * The directory store as a layer, on the user's client.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<DirectoryStore.DirectoryStore> =>
  Layer.effect(DirectoryStore.DirectoryStore, make(options))
