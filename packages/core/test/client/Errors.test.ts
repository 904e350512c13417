/**
 * One guard recognises every error a facade promise may reject with (issue 15): each tag of
 * `PromiseHelpdesk.HelpdeskError`, the errors of opening a database included, is an instance
 * here, and the record's type makes a tag missing from it (or one too many) a compile error.
 */
import { DateTime } from "effect"
import { describe, expect, it } from "vitest"
import {
  ConfigError,
  DirectoryError,
  Input,
  Limits,
  LinkError,
  OpenError,
  PromiseHelpdesk,
  Satisfaction,
  StoreError,
  TagPolicy,
  TicketError
} from "../../src/index.js"

type Tag = PromiseHelpdesk.HelpdeskError["_tag"]

/** One error of each tag, of the class the union names for it. */
const one: { readonly [T in Tag]: Extract<PromiseHelpdesk.HelpdeskError, { readonly _tag: T }> } = {
  TicketNotFound: new TicketError.TicketNotFound({ ticketId: 69369 }),
  TicketAlreadyExists: new TicketError.TicketAlreadyExists({ ticketId: "tkt_1" }),
  TicketClosed: new TicketError.TicketClosed({ ticketId: "tkt_1" }),
  TransitionNotAllowed: new TicketError.TransitionNotAllowed({ ticketId: "tkt_1", from: "new", to: "closed" }),
  UnknownStatus: new TicketError.UnknownStatus({ status: "waiting" }),
  NotPermitted: new TicketError.NotPermitted({ ticketId: "tkt_1", actor: "contact:jane", action: "note" }),
  UnknownCustomField: new TicketError.UnknownCustomField({ key: "plan" }),
  InvalidCustomFieldValue: new TicketError.InvalidCustomFieldValue({ key: "plan", reason: "not a choice" }),
  InvalidEscalation: new TicketError.InvalidEscalation({ ticketId: "tkt_1", from: 2, to: 1 }),
  EmptyMessage: new TicketError.EmptyMessage({ ticketId: "tkt_1" }),
  NotDue: new TicketError.NotDue({ ticketId: "tkt_1", dueAt: DateTime.makeUnsafe(0) }),
  FollowUpRequired: new TicketError.FollowUpRequired({ ticketId: "tkt_1" }),
  InvalidLink: new LinkError.InvalidLink({ ticketId: "tkt_1", otherId: "tkt_1", kind: "related", reason: "self" }),
  MergeRefused: new LinkError.MergeRefused({ targetId: "tkt_1", reason: "into_itself" }),
  UndoMergeRefused: new LinkError.UndoMergeRefused({ targetId: "tkt_1", sourceId: "tkt_2", reason: "not_merged" }),
  SplitRefused: new LinkError.SplitRefused({ ticketId: "tkt_1", reason: "no_message" }),
  InvalidInput: new Input.InvalidInput({ input: "open", problems: [{ path: ["subject"], message: "empty" }] }),
  InvalidConfig: new ConfigError.InvalidConfig({ config: "helpdesk", problems: [] }),
  NotInDirectory: new DirectoryError.NotInDirectory({ kind: "agent", id: "mary" }),
  AgentUnavailable: new DirectoryError.AgentUnavailable({ agentId: "mary", reason: "inactive" }),
  EmailTaken: new DirectoryError.EmailTaken({ email: "jane@example.com", contactId: "jane" }),
  VersionConflict: new StoreError.VersionConflict({ ticketId: "tkt_1", expected: 1, actual: 2 }),
  PublicIdTaken: new StoreError.PublicIdTaken({ workspaceId: "acme", publicId: 69369 }),
  EmailMessageRecorded: new StoreError.EmailMessageRecorded({
    workspaceId: "acme",
    messageId: "<a1@example.com>",
    ticketId: "tkt_1"
  }),
  InvalidCursor: new StoreError.InvalidCursor({ cursor: "x" }),
  TagNotAllowed: new TagPolicy.TagNotAllowed({ tags: ["vip"] }),
  SurveyRefused: new Satisfaction.SurveyRefused({ reason: "expired" }),
  LimitExceeded: new Limits.LimitExceeded({ limit: "tagLength", max: 1, actual: 2, operation: "tag" }),
  StoreUnavailable: new StoreError.StoreUnavailable({ operation: "open", reason: "down" }),
  CorruptEvent: new StoreError.CorruptEvent({ ticketId: "tkt_1", version: 1, issue: "bad" }),
  Unsupported: new StoreError.Unsupported({ capability: "search", operation: "list", requested: "x", supported: "y" }),
  ValueTooLarge: new StoreError.ValueTooLarge({ operation: "reply", reason: "too large" }),
  InvalidUrl: new OpenError.InvalidUrl({ url: "redis://x", reason: "no such database" }),
  ConnectionFailed: new OpenError.ConnectionFailed({ url: "postgres://x", reason: "refused" }),
  InvalidOption: new OpenError.InvalidOption({ option: "statementTimeout", reason: "negative" }),
  MigrationFailed: new OpenError.MigrationFailed({ reason: "disk full" }),
  PackageNotInstalled: new OpenError.PackageNotInstalled({
    package: "better-sqlite3",
    neededBy: "sqlite:helpdesk.db",
    install: "npm i better-sqlite3"
  }),
  HelpdeskClosed: new PromiseHelpdesk.HelpdeskClosed({ operation: "open" })
}

describe("isHelpdeskError", () => {
  it("recognises an error of every tag of HelpdeskError, and lists every tag", () => {
    const tags = Object.keys(one) as Array<Tag>
    expect(tags.length).toBe(38)
    expect([...PromiseHelpdesk.errorTags].sort()).toEqual([...tags].sort())
    for (const tag of tags) {
      expect(one[tag]._tag).toBe(tag)
      expect(one[tag]).toBeInstanceOf(Error)
      expect(PromiseHelpdesk.isHelpdeskError(one[tag]), tag).toBe(true)
    }
  })

  it("recognises them by tag, so an error of another copy of the package counts too", () => {
    const copy = Object.assign(new Error("Cannot connect to postgres://x: refused"), { _tag: "ConnectionFailed" })
    expect(PromiseHelpdesk.isHelpdeskError(copy)).toBe(true)
  })

  it("refuses bugs, strangers and look-alikes that are no errors", () => {
    expect(PromiseHelpdesk.isHelpdeskError(new Error("disk on fire"))).toBe(false)
    expect(PromiseHelpdesk.isHelpdeskError(Object.assign(new Error("x"), { _tag: "StoreDown" }))).toBe(false)
    expect(PromiseHelpdesk.isHelpdeskError({ _tag: "TicketClosed", message: "not an Error" })).toBe(false)
    expect(PromiseHelpdesk.isHelpdeskError(Object.assign(new Error("x"), { _tag: "toString" }))).toBe(false)
    expect(PromiseHelpdesk.isHelpdeskError(undefined)).toBe(false)
  })

  it("narrows to the error's class, whose fields say what to do", () => {
    const error: unknown = one.PackageNotInstalled
    if (!PromiseHelpdesk.isHelpdeskError(error) || error._tag !== "PackageNotInstalled") throw error
    expect(error.install).toBe("npm i better-sqlite3")
    expect(error.message).toBe(
      "sqlite:helpdesk.db needs the package better-sqlite3, which is not installed: run `npm i better-sqlite3`"
    )
  })
})
