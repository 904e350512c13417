/**
 * The `Helpdesk` service's contract: every operation an application calls, and the tag it is
 * found under. `Helpdesk.make` implements it; it lives apart from that implementation so that
 * the modules the implementation builds on (the requester's side) can name it.
 */
import { Context, type Option } from "effect"
import type { Agent, Contact, Group, Organization } from "../directory/Directory.js"
import type * as Duplicates from "../links/Duplicates.js"
import type { TicketPage } from "../query/TicketQuery.js"
import type * as Report from "../reporting/Report.js"
import type * as Sla from "../sla/Sla.js"
import type * as Status from "../ticket/Status.js"
import type * as Ticket from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type * as Actor from "../values/Actor.js"
import type { FieldDefinition } from "../values/CustomField.js"
import type { TicketRef as TicketRefSchema } from "../values/Ids.js"
import type * as Conversation from "./Conversation.js"
import type { HelpdeskError, Op } from "./HelpdeskError.js"
import type * as In from "./HelpdeskInput.js"
import type * as NotificationRecords from "./NotificationRecords.js"
import type { RequesterService } from "./RequesterService.js"
import type * as SystemAccess from "./SystemAccess.js"
import type * as Triggers from "./Triggers.js"

/**
 * The operations of a help desk on one workspace.
 *
 * @category models
 * @since 0.1.0
 */
export interface Service {
  readonly config: {
    readonly workspaceId: In.Config["workspaceId"]
    readonly workflow: Status.Workflow
    readonly customFields: ReadonlyArray<FieldDefinition>
  }
  /** Opens a ticket from any channel; opened by a contact, it returns the public view. */
  readonly open: (input: In.OpenInput) => Op<Ticket.Ticket>
  /**
   * Adds a public reply. A requester writing on a closed ticket (or on one solved longer ago
   * than the group's reopen window) gets a follow-up ticket: that ticket is returned. A contact
   * gets the public view back (`Ticket.publicView`), as from every command.
   */
  readonly reply: (input: In.MessageInput) => Op<Ticket.Ticket>
  /** Adds an internal note (agents only). */
  readonly note: (input: In.MessageInput) => Op<Ticket.Ticket>
  /**
   * Moves a ticket to another status of the workflow; a move the workflow forbids is refused.
   * Solving a problem solves its incidents (`Config.solveIncidents`) and tells their requesters
   * once (see `openProblem`).
   */
  readonly changeStatus: (input: In.StatusInput) => Op<Ticket.Ticket>
  /** Assigns a ticket to an agent and/or a group (`null` clears either). */
  readonly assign: (input: In.AssignInput) => Op<Ticket.Ticket>
  /** Sets a ticket's priority. */
  readonly setPriority: (input: In.PriorityInput) => Op<Ticket.Ticket>
  /** Sets a ticket's type (question, incident, problem, task). */
  readonly setType: (input: In.TypeInput) => Op<Ticket.Ticket>
  /** Sets a ticket's complexity (simple, standard, complex): agents and rules. */
  readonly setComplexity: (input: In.ComplexityInput) => Op<Ticket.Ticket>
  /**
   * Records a customer's answer to a satisfaction survey (CSAT good/bad or 1-5, NPS 0-10, with
   * an optional comment) from their survey link's token, which `Options.surveys` checks; the
   * token's recipient (the requester, or a contact following the ticket) is who rates. One
   * rating per survey: answering again replaces it (`SatisfactionRated` with `previous`), the
   * same answer again changes nothing. Any refused link fails with `SurveyRefused`, never naming
   * the ticket. Returns the ticket as the rater may see it.
   */
  readonly rate: (input: In.RateInput) => Op<Ticket.Ticket>
  /**
   * Opens a problem ticket (type `problem`) for some incidents and links each to it (kind
   * `incident`), in one call; returns the problem. When the problem is then solved through
   * `changeStatus`, every incident's requester is told once (template `problem_solved`, in their
   * language, through the outbox) and the incident records it (`ProblemSolvedAnnounced`).
   */
  readonly openProblem: (input: In.ProblemInput) => Op<Ticket.Ticket>
  /** Escalates a ticket to a higher support level, with a reason. */
  readonly escalate: (input: In.EscalateInput) => Op<Ticket.Ticket>
  /** Sets (or, with `null`, clears) a custom field the workspace defines. */
  readonly setCustomField: (input: In.CustomFieldInput) => Op<Ticket.Ticket>
  /** Adds and removes tags, normalised and checked against the tag policy. */
  readonly tag: (input: In.TagsInput) => Op<Ticket.Ticket>
  /** Adds a follower (an agent or a contact) who is told about the ticket's changes. */
  readonly addFollower: (input: In.FollowerInput) => Op<Ticket.Ticket>
  /** Removes a follower; one who is not following changes nothing. */
  readonly removeFollower: (input: In.FollowerInput) => Op<Ticket.Ticket>
  /**
   * Links a ticket to another (`to` is the ticket's `kind`), recorded on both in one append;
   * returns the ticket. The same link again changes nothing; see `Relations.link` for what is
   * refused (self-links, a second parent, parent/child and duplicate cycles, ...).
   */
  readonly link: (input: In.LinkInput) => Op<Ticket.Ticket>
  /** Removes a link from both tickets; returns the ticket. A link that is not there changes nothing. */
  readonly unlink: (input: In.LinkInput) => Op<Ticket.Ticket>
  /**
   * Merges sources into a target, every ticket involved changed in one append (see
   * `Relations.merge`); returns the target. A source's public number then leads to the target,
   * and a later message to a source lands on the target.
   */
  readonly merge: (input: In.MergeInput) => Op<Ticket.Ticket>
  /** Undoes a merge (see `Relations.undoMerge`); returns the source, restored. */
  readonly undoMerge: (input: In.UndoMergeInput) => Op<Ticket.Ticket>
  /** Moves chosen messages into a new ticket, linked both ways; returns the new ticket. */
  readonly split: (input: In.SplitInput) => Op<Ticket.Ticket>
  /**
   * Fires the timers that are due (closing solved tickets, recording SLA warnings and breaches),
   * at most `limit` (1 to 10,000; default 100); returns how many did something.
   */
  readonly runDueTimers: (limit?: number) => Op<number>
  /**
   * Checks a ticket's SLAs now: records the warnings and breaches that are due and sets the timer
   * for the next one; returns how many it recorded. For after a policy or calendar change (the
   * tickets `Sla.whatIf` lists): commands and timers recompute by themselves. 0 without SLAs.
   */
  readonly recomputeSla: (ticket: typeof TicketRefSchema.Encoded) => Op<number>
  /**
   * Records what became of a notification (from the outbox worker): `NotificationDelivered` or
   * `NotificationFailed` on its ticket, by the system, once per notification and attempt (and
   * error); answers whether it recorded it (`false`: already in the log). The ticket is not
   * updated, no trigger runs, and the requester never sees it.
   */
  readonly recordNotification: (input: NotificationRecords.NotificationOutcomeInput) => Op<boolean>
  /**
   * Records a batch of outcomes (at most `NotificationRecords.maxOutcomes`, any tickets) as
   * `recordNotification` records each, in one cross-ticket append: what an outbox worker does
   * with the outcomes of a claimed batch. Answers, outcome by outcome, whether it recorded it.
   * A failure (a ticket not found, the store) records none of them, unless the tickets named
   * exceed the store's `maxBatch`: then each store batch is all or nothing, the earlier ones stay
   * recorded, and reporting the batch again records nothing twice.
   */
  readonly recordNotifications: (
    inputs: ReadonlyArray<NotificationRecords.NotificationOutcomeInput>
  ) => Op<ReadonlyArray<boolean>>
  /**
   * Runs rules on a ticket as it stands, outside any command: automations on a schedule. Each
   * rule is asked what it wants, pass after pass as triggers are (see `Triggers`), its events
   * naming it; the help desk's triggers then follow, all in one append. Returns the ticket. When
   * these rules fail, only a `RulesFailed` naming them is written; when the triggers after them
   * fail, the rules' changes stay and the triggers' give way to a `RulesFailed`.
   */
  readonly applyRules: (
    ticket: typeof TicketRefSchema.Encoded,
    rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>
  ) => Op<Ticket.Ticket>
  /**
   * This help desk as one principal sees and acts on it (see `Access`): what request code gets,
   * never the root service. Reads show only the tickets the principal may see (others fail with
   * `TicketNotFound`, exactly as missing ones), a customer the public view; commands act as the
   * principal. A system actor must come from this help desk's `system` handle.
   */
  readonly as: (principal: Actor.Actor) => Scoped
  /**
   * `as(system.actor(reason))`: the host acting as the system, seeing everything, on purpose. The
   * service for a reason is made once and handed out again (cheap to call per message or request).
   */
  readonly asSystem: (reason: string) => Scoped
  /**
   * The handle that issues this help desk's system actors: the one given in `Options.system`, or
   * one of its own. Only the holder of the root service reaches it.
   */
  readonly system: SystemAccess.SystemAccess
  /**
   * The requester's side of this help desk, acting as one contact (see `Requester`): what a
   * customer portal calls. It checks nothing until it is used; a contact that does not exist
   * sees no ticket.
   */
  readonly forRequester: (contact: string) => RequesterService
  /** Creates or replaces a contact of the directory. */
  readonly saveContact: (input: In.ContactInput) => Op<Contact>
  /** Creates or replaces an organization of the directory. */
  readonly saveOrganization: (input: In.OrganizationInput) => Op<Organization>
  /** Creates or replaces an agent of the directory. */
  readonly saveAgent: (input: In.AgentInput) => Op<Agent>
  /** Creates or replaces a group of the directory. */
  readonly saveGroup: (input: In.GroupInput) => Op<Group>
  /** A contact by id; fails with `NotInDirectory` when there is none. */
  readonly getContact: (id: string) => Op<Contact>
  /** The contact that owns an email (case-insensitive), if any. */
  readonly findContactByEmail: (email: string) => Op<Option.Option<Contact>>
  /** The agents of the directory, or of one group (`NotInDirectory` when there is no such group). */
  readonly listAgents: (group?: string) => Op<ReadonlyArray<Agent>>
  /** The groups of the directory. */
  readonly listGroups: () => Op<ReadonlyArray<Group>>
}

/**
 * The directory's operations: on the root service, and on a scoped one for the principals the
 * policy lets (`Access.mayUseDirectory`: admins and the system all of them, agents the reads).
 *
 * @category models
 * @since 0.1.0
 */
export type DirectoryOperation =
  | "saveContact"
  | "saveOrganization"
  | "saveAgent"
  | "saveGroup"
  | "getContact"
  | "findContactByEmail"
  | "listAgents"
  | "listGroups"

/**
 * A command's input on a scoped service: `by` is the principal, and may be left out.
 *
 * @category models
 * @since 0.1.0
 */
export type ScopedInput<I> = Omit<I, "by"> & { readonly by?: Actor.Actor }

/**
 * The operations of a help desk for one principal (`Service.as`): the commands, acting as the
 * principal (a `by` naming anyone else is refused with `NotPermitted`), the reads, showing
 * only what the principal may see, and the directory's operations, for those the policy lets
 * use them (admins and the system; agents read; anyone else gets `NotPermitted`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Scoped extends Pick<Service, DirectoryOperation> {
  /** Who every operation acts as and reads for. */
  readonly principal: Actor.Actor
  /** `Service.open` as the principal. */
  readonly open: (input: ScopedInput<In.OpenInput>) => Op<Ticket.Ticket>
  /** `Service.reply` as the principal. */
  readonly reply: (input: ScopedInput<In.MessageInput>) => Op<Ticket.Ticket>
  /** `Service.note` as the principal (agents, light agents included). */
  readonly note: (input: ScopedInput<In.MessageInput>) => Op<Ticket.Ticket>
  /** `Service.changeStatus` as the principal. */
  readonly changeStatus: (input: ScopedInput<In.StatusInput>) => Op<Ticket.Ticket>
  /** `Service.assign` as the principal. */
  readonly assign: (input: ScopedInput<In.AssignInput>) => Op<Ticket.Ticket>
  /** `Service.setPriority` as the principal. */
  readonly setPriority: (input: ScopedInput<In.PriorityInput>) => Op<Ticket.Ticket>
  /** `Service.setType` as the principal. */
  readonly setType: (input: ScopedInput<In.TypeInput>) => Op<Ticket.Ticket>
  /** `Service.setComplexity` as the principal. */
  readonly setComplexity: (input: ScopedInput<In.ComplexityInput>) => Op<Ticket.Ticket>
  /** `Service.openProblem` as the principal. */
  readonly openProblem: (input: ScopedInput<In.ProblemInput>) => Op<Ticket.Ticket>
  /** `Service.escalate` as the principal. */
  readonly escalate: (input: ScopedInput<In.EscalateInput>) => Op<Ticket.Ticket>
  /** `Service.setCustomField` as the principal. */
  readonly setCustomField: (input: ScopedInput<In.CustomFieldInput>) => Op<Ticket.Ticket>
  /** `Service.tag` as the principal. */
  readonly tag: (input: ScopedInput<In.TagsInput>) => Op<Ticket.Ticket>
  /** `Service.addFollower` as the principal. */
  readonly addFollower: (input: ScopedInput<In.FollowerInput>) => Op<Ticket.Ticket>
  /** `Service.removeFollower` as the principal. */
  readonly removeFollower: (input: ScopedInput<In.FollowerInput>) => Op<Ticket.Ticket>
  /** `Service.link` as the principal. */
  readonly link: (input: ScopedInput<In.LinkInput>) => Op<Ticket.Ticket>
  /** `Service.unlink` as the principal. */
  readonly unlink: (input: ScopedInput<In.LinkInput>) => Op<Ticket.Ticket>
  /** `Service.merge` as the principal. */
  readonly merge: (input: ScopedInput<In.MergeInput>) => Op<Ticket.Ticket>
  /** `Service.undoMerge` as the principal. */
  readonly undoMerge: (input: ScopedInput<In.UndoMergeInput>) => Op<Ticket.Ticket>
  /** `Service.split` as the principal. */
  readonly split: (input: ScopedInput<In.SplitInput>) => Op<Ticket.Ticket>
  /**
   * Open tickets that are likely the same issue as this one, ranked, with a score and reasons
   * (`Duplicates.suggest`). Candidates come from the store: the requester's and the
   * organization's open tickets within the window, and open tickets sharing the subject's words.
   */
  readonly suggestDuplicates: (input: In.DuplicatesInput) => Op<ReadonlyArray<Duplicates.Suggestion>>
  /**
   * The current state of a ticket, by public number or internal id. The number of a ticket
   * merged into another leads to that other ticket (as it does for every command but `link`,
   * `unlink`, `merge`, `undoMerge` and `split`); its id still reads the merged ticket.
   */
  readonly get: (ticket: typeof TicketRefSchema.Encoded) => Op<Ticket.Ticket>
  /** The conversation of a ticket, page by page (see `Conversation.page`): how to read a long one. */
  readonly messages: (ticket: typeof TicketRefSchema.Encoded, page?: In.MessagePageInput) => Op<Conversation.Page>
  /** The event log of a ticket: its complete history. */
  readonly history: (ticket: typeof TicketRefSchema.Encoded) => Op<ReadonlyArray<TicketEvent>>
  /** A page of the tickets the principal sees (see `TicketQuery`), filtered in the store;
   * without a query, the first page. A customer searches public text only, without SLA due times.
   */
  readonly list: (query?: In.TicketQueryInput) => Op<TicketPage>
  /**
   * Why each SLA due time of a ticket is what it is, now (`Sla.explainDue` on every metric
   * instance of its SLA state): the target and its policy, the opening hours counted, the
   * holidays skipped and the pauses, in data and in sentences. Empty without SLAs.
   */
  readonly explainDue: (ticket: typeof TicketRefSchema.Encoded) => Op<ReadonlyArray<Sla.Explanation>>
  /**
   * The ticket on which a message with the email `Message-ID` `messageId` was first recorded
   * (`TicketIndex.findByEmailId`; the id compared exactly as given), if any: a merge does not
   * change it, so follow `mergedInto` to where the conversation went. Email intake threads
   * replies with it, and takes a mail in once: `open`, `reply` and `note` refuse an id already
   * recorded with `EmailMessageRecorded`.
   */
  readonly findByEmailId: (messageId: string) => Op<Option.Option<Ticket.Ticket>>
  /**
   * The report over a period (`Report.Report`), computed from the store's feed by a
   * `Report.Projection` the help desk keeps (see `Reports`) and caught up on each call. Business
   * time counts in a configured SLA calendar (`input.calendar`, else `"business_hours"`, else the
   * only one). Only those who see every ticket (the system, admins) may report: others are
   * refused with `NotPermitted`. Bad dates, an unknown dimension or calendar, or `to` not after
   * `from` fail with `InvalidInput`.
   */
  readonly report: (input: In.ReportInput) => Op<Report.Report>
}

/**
 * The help desk service.
 *
 * @category services
 * @since 0.1.0
 */
export class Helpdesk extends Context.Service<Helpdesk, Service>()("@tessera/core/Helpdesk") {}
