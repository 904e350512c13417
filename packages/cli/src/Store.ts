/**
 * The stored tickets as the command line reads them: a database URL opened with `@tessera/sql`,
 * and only the reading half of the ticket store port (a ticket's history, a public number, the
 * tickets active in a period). The command line never builds a `Helpdesk` and never holds an
 * `append`, so it cannot write: no migration runs, and a SQLite file that does not exist is
 * refused rather than created.
 *
 * @since 0.1.0
 */
import { existsSync } from "node:fs"
import type { DirectoryStore, Ids, StoreError, TicketEvent, TicketStore } from "@tessera/core"
import { Connection, SqlDirectoryStore, SqlTicketStore } from "@tessera/sql"
import { type DateTime, Effect, Option, Result, Schema, type Scope } from "effect"

/**
 * The database could not be opened, or is not a Tessera database (no tables: run
 * `tessera-sql migrate` first).
 *
 * @category errors
 * @since 0.1.0
 */
export class DatabaseFailed extends Schema.TaggedError<DatabaseFailed>()("DatabaseFailed", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Cannot read ${this.url}: ${this.reason}`
  }
}

/**
 * No ticket of the workspace has this reference.
 *
 * @category errors
 * @since 0.1.0
 */
export class NoSuchTicket extends Schema.TaggedError<NoSuchTicket>()("NoSuchTicket", {
  /** The ticket as the command line named it (a public number or an internal id). */
  reference: Schema.String,
  workspaceId: Schema.String
}) {
  override get message() {
    return `No ticket ${this.reference} in workspace ${this.workspaceId}`
  }
}

/**
 * A ticket as a period's listing gives it: its id and public number.
 *
 * @category models
 * @since 0.1.0
 */
export interface Listed {
  readonly id: Ids.TicketId
  readonly publicId: number
}

/**
 * What the command line reads from a database.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reader {
  /** The URL, its password masked. */
  readonly url: string
  readonly workspaceId: Ids.WorkspaceId
  /** A ticket's events, in order. */
  readonly history: (id: Ids.TicketId) => Effect.Effect<ReadonlyArray<TicketEvent.TicketEvent>, DatabaseFailed>
  /** The ticket a reference names: `69369` or `#69369` (a public number) or an internal id. */
  readonly resolve: (ref: string) => Effect.Effect<Ids.TicketId, NoSuchTicket | DatabaseFailed>
  /**
   * The tickets that may have units of work in `[from, to)`: created before `to` and updated on or
   * after `from`, oldest first. An SLA milestone does not update a ticket, so a ticket whose only
   * events since `from` are milestones is not among them.
   */
  readonly activeIn: (from: DateTime.Utc, to: DateTime.Utc) => Effect.Effect<ReadonlyArray<Listed>, DatabaseFailed>
  /** A contact's customer tier in the directory (none for an unknown contact). */
  readonly contactTier: (id: Ids.ContactId) => Effect.Effect<string | undefined, DatabaseFailed>
  /** An organization's customer tier in the directory. */
  readonly organizationTier: (id: Ids.OrganizationId) => Effect.Effect<string | undefined, DatabaseFailed>
}

/**
 * Opens the database of a URL for reading, closed with the scope. A `sqlite:` path must exist.
 *
 * @category constructors
 * @since 0.1.0
 */
export const open = (url: string, workspaceId: Ids.WorkspaceId): Effect.Effect<Reader, DatabaseFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const shown = Connection.redact(url)
    const failed = (e: { readonly message: string }) => new DatabaseFailed({ url: shown, reason: e.message })
    const target = Connection.parse(url)
    if (Result.isFailure(target)) return yield* failed(target.failure)
    const path = target.success.dialect === "sqlite" ? target.success.path : undefined
    if (path !== undefined && path !== ":memory:" && !existsSync(path))
      return yield* new DatabaseFailed({ url: shown, reason: "no such file (the command line never creates one)" })
    const connection = yield* Connection.scoped(url).pipe(Effect.mapError(failed))
    const store = (yield* SqlTicketStore.make({ db: connection.db, dialect: connection.dialect })).tickets
    const directory = yield* SqlDirectoryStore.make({ db: connection.db, dialect: connection.dialect })
    return reader(shown, workspaceId, store, directory)
  })

const PublicNumber = /^#?(\d{1,15})$/

const reader = (
  url: string,
  workspaceId: Ids.WorkspaceId,
  store: TicketStore.Shape,
  directory: DirectoryStore.DirectoryStore["Service"]
): Reader => {
  const failed = (e: StoreError.StoreError | { readonly message: string }) =>
    new DatabaseFailed({
      url,
      reason: /no such table|does not exist|doesn't exist/i.test(e.message)
        ? `${e.message} (is this a Tessera database? \`tessera-sql migrate --url ...\` creates the tables)`
        : e.message
    })
  const history = (id: Ids.TicketId) => Effect.map(Effect.mapError(store.read(id), failed), (stream) => stream.events)
  const resolve = (ref: string) =>
    Effect.gen(function* () {
      const number = PublicNumber.exec(ref.trim())
      const notFound = new NoSuchTicket({ reference: ref, workspaceId })
      if (number !== null) {
        const found = yield* Effect.mapError(store.resolve(workspaceId, Number(number[1]) as Ids.PublicId), failed)
        if (Option.isNone(found)) return yield* notFound
        return found.value
      }
      const id = ref.trim() as Ids.TicketId
      const events = yield* history(id)
      const opened = events[0]
      if (opened === undefined || opened._tag !== "TicketOpened" || opened.workspaceId !== workspaceId)
        return yield* notFound
      return id
    })
  const activeIn = (from: DateTime.Utc, to: DateTime.Utc) =>
    Effect.gen(function* () {
      const found: Array<Listed> = []
      let cursor: string | undefined
      do {
        const page = yield* Effect.mapError(
          store.query(workspaceId, {
            createdTo: to,
            updatedFrom: from,
            sort: "created",
            direction: "asc",
            limit: 500,
            ...(cursor === undefined ? {} : { cursor })
          }),
          failed
        )
        for (const t of page.items) found.push({ id: t.id, publicId: t.publicId })
        cursor = page.nextCursor
      } while (cursor !== undefined)
      return found
    })
  const contactTier = (id: Ids.ContactId) =>
    Effect.map(Effect.mapError(directory.getContact(workspaceId, id), failed), (found) =>
      Option.isSome(found) ? found.value.tier : undefined
    )
  const organizationTier = (id: Ids.OrganizationId) =>
    Effect.map(Effect.mapError(directory.getOrganization(workspaceId, id), failed), (found) =>
      Option.isSome(found) ? found.value.tier : undefined
    )
  return { url, workspaceId, history, resolve, activeIn, contactTier, organizationTier }
}
