/**
 * The access policy of a help desk: who a principal is (a customer with the organizations whose
 * tickets they share, an agent with a role and a scope, the system), which tickets they see,
 * what of a ticket they see, and which commands they may give. Operations ask it at their entry
 * (authorise before deciding) and exit (the view after); the pipeline in between is unchanged.
 * An unauthorised read fails exactly as a missing ticket does.
 */
import { Clock, Effect, Option } from "effect"
import type { AgentRole } from "../directory/Directory.js"
import * as Lru from "../internal/lru.js"
import type * as TicketQuery from "../query/TicketQuery.js"
import * as Visibility from "../query/Visibility.js"
import * as Ticket from "../ticket/Ticket.js"
import { NotPermitted, TicketNotFound } from "../ticket/TicketError.js"
import { type TicketEvent, TicketOpened } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import * as CustomField from "../values/CustomField.js"
import type { AgentId, ContactId, OrganizationId } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import { publicEvents } from "./RequesterEvents.js"
import * as SystemAccess from "./SystemAccess.js"

/**
 * A principal as the policy knows it, from the directory.
 *
 * @category models
 * @since 0.1.0
 */
export type Viewer =
  | { readonly _tag: "System" }
  | {
      readonly _tag: "Customer"
      readonly contact: ContactId
      /** The contact's organization when it shares its tickets. */
      readonly organizations: ReadonlyArray<OrganizationId>
    }
  | {
      readonly _tag: "Agent"
      readonly agent: AgentId
      readonly role: AgentRole
      readonly visibility: Visibility.Agent | Visibility.Everything
    }
  /** An agent the directory does not know, or a deactivated one: sees no ticket. */
  | { readonly _tag: "Nobody" }

/**
 * A principal: who acts or reads. A system actor counts only when the help desk's
 * `SystemAccess` issued it.
 *
 * @category models
 * @since 0.1.0
 */
export type Principal = Actor.Actor

/** How many principals an instance remembers at most. */
const capacity = 10_000

/**
 * The policy of one help desk instance.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, system: SystemAccess.SystemAccess, millis: number) => {
  const { ws, directory } = deps
  /** Viewers found lately, with when they stop counting; any directory write forgets them all. */
  const seen = Lru.make<string, { readonly until: number; readonly viewer: Viewer }>(millis === 0 ? 0 : capacity)

  const refuse = (principal: Principal, action: string) => new NotPermitted({ actor: Actor.label(principal), action })

  /** The system actor is this help desk's own, or `NotPermitted`. */
  const checkSystem = (principal: Principal): Op<void> =>
    principal._tag !== "system" || SystemAccess.isIssuedBy(system, principal)
      ? Effect.void
      : Effect.fail(refuse(principal, "act as the system"))

  const lookUp = (principal: Actor.AgentActor | Actor.ContactActor): Op<Viewer> =>
    principal._tag === "contact"
      ? Effect.gen(function* () {
          const contact = yield* directory.getContact(ws, principal.id)
          const organization = Option.isSome(contact) ? contact.value.organization : undefined
          const shared =
            organization === undefined
              ? false
              : Option.match(yield* directory.getOrganization(ws, organization), {
                  onNone: () => false,
                  onSome: (o) => o.sharedTickets
                })
          return {
            _tag: "Customer",
            contact: principal.id,
            organizations: shared && organization !== undefined ? [organization] : []
          } as const
        })
      : Effect.gen(function* () {
          const found = yield* directory.getAgent(ws, principal.id)
          if (Option.isNone(found) || !found.value.active) return { _tag: "Nobody" } as const
          const agent = found.value
          const role = agent.role ?? "agent"
          const hiddenGroups =
            role === "admin"
              ? []
              : (yield* directory.listGroups(ws))
                  .filter((g) => g.restricted === true && !agent.groups.includes(g.id))
                  .map((g) => g.id)
          const scoped = agent.scope === "groups"
          return {
            _tag: "Agent",
            agent: agent.id,
            role,
            visibility:
              !scoped && hiddenGroups.length === 0
                ? Visibility.everything
                : { _tag: "Agent", agent: agent.id, groups: scoped ? agent.groups : undefined, hiddenGroups }
          } as const
        })

  /** Who `principal` is for the policy; a system actor this help desk did not issue is refused. */
  const viewer = (principal: Principal): Op<Viewer> => {
    if (principal._tag === "system") return Effect.as(checkSystem(principal), { _tag: "System" } as const)
    if (millis === 0) return lookUp(principal)
    const key = Actor.label(principal)
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const known = seen.peek(key)
      if (known !== undefined && now < known.until) return Effect.succeed(known.viewer)
      return Effect.tap(lookUp(principal), (found) =>
        Effect.sync(() => seen.set(key, { until: now + millis, viewer: found }))
      )
    })
  }

  return {
    viewer,
    checkSystem,
    refuse,
    /** Forgets every viewer: a directory record changed. */
    forget: () => seen.clear()
  }
}

/**
 * The access policy of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type Access = ReturnType<typeof make>

/**
 * Whether a viewer may see a ticket: the system always; a customer their own (requested or
 * followed) and their sharing organization's; an agent what `Visibility.allows`.
 *
 * @category predicates
 * @since 0.1.0
 */
export const canSee = (viewer: Viewer, ticket: Ticket.Ticket): boolean => {
  const visibility = visibilityOf(viewer)
  return visibility !== undefined && Visibility.allows(visibility, ticket)
}

/**
 * The store filter for a viewer's queues and searches (`undefined`: nothing at all).
 *
 * @category combinators
 * @since 0.1.0
 */
export const visibilityOf = (viewer: Viewer): Visibility.Visibility | undefined => {
  switch (viewer._tag) {
    case "System":
      return Visibility.everything
    case "Nobody":
      return undefined
    case "Customer":
      return { _tag: "Customer", contact: viewer.contact, organizations: viewer.organizations }
    case "Agent":
      return viewer.visibility
  }
}

/**
 * What a viewer sees of a ticket: a customer its public view, without the values of the fields
 * `fields` declares internal; everyone else all of it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const view = (
  viewer: Viewer,
  ticket: Ticket.Ticket,
  fields: ReadonlyArray<CustomField.FieldDefinition> = []
): Ticket.Ticket => (viewer._tag === "Customer" ? customerView(ticket, fields) : ticket)

/**
 * A ticket as a customer sees it: its public view (`Ticket.publicView`) without the values of
 * the fields declared internal.
 *
 * @category combinators
 * @since 0.1.0
 */
export const customerView = (
  ticket: Ticket.Ticket,
  fields: ReadonlyArray<CustomField.FieldDefinition>
): Ticket.Ticket => {
  const seen = Ticket.publicView(ticket)
  const customFields = CustomField.publicValues(fields, seen.customFields)
  return customFields === seen.customFields ? seen : { ...seen, customFields }
}

/**
 * What a viewer sees of a ticket's history: a customer its public events only, without the
 * changes of internal fields (nor their values in the opening).
 *
 * @category combinators
 * @since 0.1.0
 */
export const events = (
  viewer: Viewer,
  log: ReadonlyArray<TicketEvent>,
  fields: ReadonlyArray<CustomField.FieldDefinition> = []
): ReadonlyArray<TicketEvent> => (viewer._tag === "Customer" ? customerEvents(log, fields) : log)

/** A customer's events: the public ones, the internal fields taken out. */
const customerEvents = (
  log: ReadonlyArray<TicketEvent>,
  fields: ReadonlyArray<CustomField.FieldDefinition>
): ReadonlyArray<TicketEvent> =>
  publicEvents(log).flatMap((event): ReadonlyArray<TicketEvent> => {
    if (event._tag === "CustomFieldChanged") return CustomField.isInternal(fields, event.key) ? [] : [event]
    if (event._tag !== "TicketOpened") return [event]
    const customFields = CustomField.publicValues(fields, event.customFields)
    return customFields === event.customFields ? [event] : [new TicketOpened({ ...event, customFields })]
  })

/**
 * A summary as a viewer sees it in a queue: a customer's without the SLA due time nor the values
 * of internal fields.
 *
 * @category combinators
 * @since 0.1.0
 */
export const summary = (
  viewer: Viewer,
  item: TicketQuery.TicketSummary,
  fields: ReadonlyArray<CustomField.FieldDefinition> = []
): TicketQuery.TicketSummary => {
  if (viewer._tag !== "Customer") return item
  const { slaDueAt: _slaDueAt, ...rest } = item
  return { ...rest, customFields: CustomField.publicValues(fields, rest.customFields) }
}

/**
 * Whether a command's raw input sets a field declared internal (`setCustomField` on one, or an
 * `open` with a value for one): what a customer may not do.
 *
 * @category predicates
 * @since 0.1.0
 */
export const setsInternalField = (
  fields: ReadonlyArray<CustomField.FieldDefinition>,
  operation: string,
  raw: unknown
): boolean => {
  if (typeof raw !== "object" || raw === null) return false
  const input = raw as { readonly key?: unknown; readonly customFields?: unknown }
  if (operation === "setCustomField") return typeof input.key === "string" && CustomField.isInternal(fields, input.key)
  if (operation !== "open" || typeof input.customFields !== "object" || input.customFields === null) return false
  return Object.keys(input.customFields).some((key) => CustomField.isInternal(fields, key))
}

/**
 * Whether a viewer may give a command (by its operation's name): a light agent adds internal
 * notes only; customers, agents and the system everything else `decide` lets them.
 *
 * @category predicates
 * @since 0.1.0
 */
export const mayCommand = (viewer: Viewer, operation: string): boolean =>
  viewer._tag !== "Agent" || viewer.role !== "light" || operation === "note"

/**
 * Whether a viewer may use a directory operation (by its name): the system and admins every
 * one; agents, light agents included, the reads (contacts, agents, groups) they work with;
 * customers and unknown agents none.
 *
 * @category predicates
 * @since 0.1.0
 */
export const mayUseDirectory = (viewer: Viewer, operation: string): boolean => {
  switch (viewer._tag) {
    case "System":
      return true
    case "Agent":
      return viewer.role === "admin" || directoryReads.has(operation)
    case "Customer":
    case "Nobody":
      return false
  }
}

/**
 * Whether a viewer sees every ticket: the system, and agents neither scoped to groups nor kept out
 * of a restricted one (admins among them); not customers, nor agents who see only some tickets.
 * Only they may read reports (`Scoped.report`), which count every ticket, and their reads need no
 * check ticket by ticket.
 *
 * @category predicates
 * @since 0.1.0
 */
export const seesEverything = (viewer: Viewer): boolean =>
  viewer._tag === "System" || (viewer._tag === "Agent" && viewer.visibility._tag === "Everything")

/** The directory operations that only read. */
const directoryReads: ReadonlySet<string> = new Set(["getContact", "findContactByEmail", "listAgents", "listGroups"])

/**
 * The error of a read the viewer may not make: the very error a missing ticket gives.
 *
 * @category errors
 * @since 0.1.0
 */
export const notFound = (ref: string | number): TicketNotFound => new TicketNotFound({ ticketId: ref })
