/**
 * The access policy at the edges of a help desk's operations: `authorise` runs before a command
 * is decided (a system actor must be the help desk's own, a light agent only notes, a ticket the
 * actor may not see is not found), and `make` builds the service one principal gets
 * (`Helpdesk.as`): commands acting as the principal, reads filtered by the policy (in the
 * store for queues and search), and the directory for those the policy lets use it. The command
 * pipeline between entry and exit is left as it is.
 */
import { DateTime, Effect, Option } from "effect"
import * as TicketQuery from "../query/TicketQuery.js"
import type * as Ticket from "../ticket/Ticket.js"
import type * as Actor from "../values/Actor.js"
import type { TicketId, TicketRef as TicketRefSchema } from "../values/Ids.js"
import * as Access from "./Access.js"
import * as Conversation from "./Conversation.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import { nameOperations } from "./nameOperations.js"
import * as Reports from "./Reports.js"
import type { DirectoryOperation, Scoped, Service } from "./Service.js"
import type * as Streams from "./Streams.js"

type Ref = typeof TicketRefSchema.Encoded

/** The commands of the root service, by name: what `authorise` guards and `make` scopes. */
export const commandNames = [
  "open",
  "reply",
  "note",
  "changeStatus",
  "assign",
  "setPriority",
  "setType",
  "setComplexity",
  "openProblem",
  "escalate",
  "setCustomField",
  "tag",
  "addFollower",
  "removeFollower",
  "link",
  "unlink",
  "merge",
  "undoMerge",
  "split"
] as const

/** A command of the root service. */
export type CommandName = (typeof commandNames)[number]

/**
 * The directory's operations, by name: on a scoped service for those the policy lets
 * (`Access.mayUseDirectory`). None takes a `by`: the scoped service checks its own principal.
 */
export const directoryNames = [
  "saveContact",
  "saveOrganization",
  "saveAgent",
  "saveGroup",
  "getContact",
  "findContactByEmail",
  "listAgents",
  "listGroups"
] as const satisfies ReadonlyArray<DirectoryOperation>

// Every directory operation is in the list: a new one must be given its policy here.
type Missing = Exclude<DirectoryOperation, (typeof directoryNames)[number]>
const _complete: [Missing] extends [never] ? true : never = true

/** The tickets a command's raw input names (before decoding: what the policy checks first). */
const refsOf = (name: CommandName, raw: Record<string, unknown>): ReadonlyArray<unknown> => {
  switch (name) {
    case "open":
      return []
    case "link":
    case "unlink":
      return [raw.ticket, raw.to]
    case "merge":
      return [raw.target, ...(Array.isArray(raw.sources) ? raw.sources : [])]
    case "undoMerge":
      return [raw.target, raw.source]
    case "openProblem":
      return Array.isArray(raw.incidents) ? raw.incidents : []
    default:
      return [raw.ticket]
  }
}

/** What the reads of a scoped service are built on: the root's unchecked reads. */
export interface Reads {
  readonly suggestDuplicates: Scoped["suggestDuplicates"]
  readonly findByEmailId: Scoped["findByEmailId"]
}

/**
 * The policy at the edges of one help desk's operations.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, access: Access.Access, streams: Streams.Streams) => {
  const { ws, store, customFields: fields } = deps
  const report = Reports.make(deps)

  /**
   * The ticket a reference leads to, if the viewer may see it; else what a missing one gives.
   * Reads load it fresh, as they always did; a command's check (`remembered`) takes the state
   * the instance remembers when it has one (`StateCache`), so a command costs no more reads than
   * before, and the pipeline still decides on fresh state.
   */
  const seeTicket = (
    viewer: Access.Viewer,
    raw: unknown,
    remembered = false
  ): Op<{ readonly id: TicketId; readonly ticket: Ticket.Ticket }> =>
    Effect.flatMap(streams.resolveRef(raw as Ref), ({ id, ref }) => {
      const known = remembered ? deps.states.recall(id) : undefined
      return Effect.flatMap(known === undefined ? streams.load(id, ref) : Effect.succeed(known), ({ state }) =>
        Access.canSee(viewer, state) ? Effect.succeed({ id, ticket: state }) : Effect.fail(Access.notFound(ref))
      )
    })

  /**
   * The policy's checks before a command by `raw.by` is decided. An actor the directory does not
   * know (or an inactive agent) passes here: the pipeline refuses them as it always did.
   */
  const authorise = (name: CommandName, raw: unknown): Op<void> =>
    Effect.gen(function* () {
      const by = typeof raw === "object" && raw !== null ? (raw as { readonly by?: unknown }).by : undefined
      if (typeof by !== "object" || by === null) return
      const principal = by as Actor.Actor
      if (principal._tag === "system") return yield* access.checkSystem(principal)
      if (principal._tag !== "agent" && principal._tag !== "contact") return
      const viewer = yield* access.viewer(principal)
      if (viewer._tag === "Nobody") return
      // Visibility first: a refusal must not tell that a ticket the actor may not see exists.
      if (viewer._tag !== "Agent" || viewer.visibility._tag !== "Everything") {
        for (const ref of refsOf(name, raw as Record<string, unknown>)) yield* seeTicket(viewer, ref, true)
      }
      if (!Access.mayCommand(viewer, name)) return yield* Effect.fail(access.refuse(principal, name))
      // Internal fields are the team's: a customer neither sets nor learns them.
      if (viewer._tag === "Customer" && Access.setsInternalField(fields, name, raw)) {
        return yield* Effect.fail(access.refuse(principal, name))
      }
    })

  /** The root's commands, each authorised first. */
  const guard = <O extends Pick<Service, CommandName>>(operations: O): O => {
    const guarded: Record<string, (raw: unknown) => Op<unknown>> = {}
    for (const name of commandNames) {
      const run = operations[name] as (raw: unknown) => Op<unknown>
      guarded[name] = (raw) => Effect.andThen(authorise(name, raw), run(raw))
    }
    return { ...operations, ...guarded }
  }

  /** The service for one principal, over the root's (guarded) commands and unchecked reads. */
  const scoped = (
    root: Pick<Service, CommandName | DirectoryOperation>,
    reads: Reads,
    principal: Actor.Actor
  ): Scoped => {
    const viewer = access.viewer(principal)
    const same = (by: unknown) =>
      by === undefined ||
      by === principal ||
      (principal._tag !== "system" &&
        typeof by === "object" &&
        by !== null &&
        (by as Actor.Actor)._tag === principal._tag &&
        (by as { readonly id?: unknown }).id === principal.id)
    const command =
      (name: CommandName) =>
      (raw: { readonly by?: unknown }): Op<Ticket.Ticket> =>
        same(raw?.by)
          ? Effect.map((root[name] as (input: unknown) => Op<Ticket.Ticket>)({ ...raw, by: principal }), (ticket) =>
              // A contact gets the public view back from the root; the internal fields go too.
              principal._tag === "contact" ? Access.customerView(ticket, fields) : ticket
            )
          : Effect.fail(access.refuse(principal, `${name} as another actor`))
    const commands = Object.fromEntries(commandNames.map((name) => [name, command(name)])) as unknown as Pick<
      Scoped,
      CommandName
    >
    // The root's directory operations (with their spans), for whom the policy lets use them.
    const directory = Object.fromEntries(
      directoryNames.map((name) => [
        name,
        (...args: ReadonlyArray<unknown>) =>
          Effect.flatMap(viewer, (v) =>
            Access.mayUseDirectory(v, name)
              ? (root[name] as (...input: ReadonlyArray<unknown>) => Op<unknown>)(...args)
              : Effect.fail(access.refuse(principal, name))
          )
      ])
    ) as unknown as Pick<Scoped, DirectoryOperation>

    const get = (raw: Ref): Op<Ticket.Ticket> =>
      Effect.flatMap(viewer, (v) => Effect.map(seeTicket(v, raw), ({ ticket }) => Access.view(v, ticket, fields)))

    // The reads get their spans here (`Helpdesk.get`, ...); the commands have the root's.
    const named = nameOperations<Omit<Scoped, "principal" | CommandName | DirectoryOperation>>(ws, {
      get,
      messages: (raw, page) => Conversation.read(get(raw), page),
      history: (raw) =>
        Effect.gen(function* () {
          const v = yield* viewer
          const { id } = yield* seeTicket(v, raw)
          return Access.events(v, (yield* store.read(id)).events, fields)
        }),
      list: (raw = {}) =>
        Effect.gen(function* () {
          const query = yield* decode(TicketQuery.TicketQuery, "query")(raw)
          const v = yield* viewer
          const visibility = Access.visibilityOf(v)
          if (visibility === undefined) {
            // Nothing visible; a bad cursor still fails as it would with tickets to page through.
            if (query.cursor !== undefined) {
              const { sort, direction } = TicketQuery.ordering(query)
              yield* TicketQuery.decodeCursor(query.cursor, sort, direction)
            }
            return { items: [], nextCursor: undefined }
          }
          const page = yield* store.query(
            ws,
            v._tag === "Customer" ? { ...query, searchIn: "public" } : query,
            visibility._tag === "Everything" ? undefined : visibility
          )
          return v._tag === "Customer"
            ? { ...page, items: page.items.map((item) => Access.summary(v, item, fields)) }
            : page
        }),
      suggestDuplicates: (raw) =>
        Effect.gen(function* () {
          const v = yield* viewer
          // Who sees everything needs no check: the suggestion reads the ticket itself, once.
          if (Access.seesEverything(v)) return yield* reads.suggestDuplicates(raw)
          yield* seeTicket(v, raw?.ticket)
          if (v._tag === "Customer") return yield* Effect.fail(access.refuse(principal, "suggestDuplicates"))
          const found = yield* reads.suggestDuplicates(raw)
          const seen = yield* Effect.forEach(found, (s) =>
            Effect.map(Effect.result(seeTicket(v, s.ticketId)), (r) => r._tag === "Success")
          )
          return found.filter((_, i) => seen[i])
        }),
      explainDue: (raw) =>
        Effect.gen(function* () {
          const v = yield* viewer
          const { ticket } = yield* seeTicket(v, raw)
          // SLA due times are the team's business, as in a customer's queue.
          if (v._tag === "Customer") return yield* Effect.fail(access.refuse(principal, "explainDue"))
          return yield* deps.effects.explainDue(ticket, yield* DateTime.now)
        }),
      report: (raw) =>
        Effect.flatMap(viewer, (v) =>
          Access.seesEverything(v) ? report(raw) : Effect.fail(access.refuse(principal, "report"))
        ),
      findByEmailId: (messageId) =>
        Effect.gen(function* () {
          const v = yield* viewer
          const found = yield* reads.findByEmailId(messageId)
          return Option.isSome(found) && Access.canSee(v, found.value)
            ? Option.some(Access.view(v, found.value, fields))
            : Option.none()
        })
    })
    return { principal, ...commands, ...directory, ...named }
  }

  return { authorise, guard, scoped, seeTicket }
}
