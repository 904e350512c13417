/**
 * The ways linking, merging and splitting refuse, as tagged errors with a `reason` to branch on.
 * A refusal writes nothing on any ticket. Ticket ids are named by their role: `ticketId` for
 * the ticket acted on, `targetId` and `sourceId` for a merge's, `otherId` for a link's far end.
 */
import { Schema } from "effect"

/** A ticket's public number, which the message names when it is known. */
const number = Schema.optionalKey(Schema.Number)

/** A ticket as a message names it: its public number when known, else its id. */
const named = (id: string, publicId: number | undefined): string => (publicId === undefined ? id : String(publicId))

/**
 * Why a link cannot be made: to itself (`self`); the two tickets are already linked another way
 * (`already_linked`); it would close a parent/child or duplicate cycle (`cycle`); the ticket has
 * a parent, a problem or is a duplicate already (`one_parent`, `one_problem`, `one_duplicate`);
 * a problem would become an incident or the other way round (`problem_and_incident`); or the
 * walk up the links went past its bound (`too_deep`).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidLink extends Schema.TaggedError<InvalidLink>()("InvalidLink", {
  ticketId: Schema.String,
  publicId: number,
  /** The ticket it was to be linked to. */
  otherId: Schema.String,
  otherPublicId: number,
  kind: Schema.String,
  reason: Schema.Literals([
    "self",
    "already_linked",
    "cycle",
    "one_parent",
    "one_problem",
    "one_duplicate",
    "problem_and_incident",
    "too_deep"
  ])
}) {
  override get message() {
    return `Ticket ${named(this.ticketId, this.publicId)} cannot be linked to ${named(this.otherId, this.otherPublicId)} as ${this.kind}: ${this.reason.replaceAll("_", " ")}`
  }
}

/**
 * Why a merge cannot happen: no source, a ticket into itself (`into_itself`), a source named
 * twice, a closed target or source (`target_closed`, `source_closed`), or a target merged into
 * one of the sources (`cycle`).
 *
 * @category errors
 * @since 0.1.0
 */
export class MergeRefused extends Schema.TaggedError<MergeRefused>()("MergeRefused", {
  targetId: Schema.String,
  targetPublicId: number,
  sourceId: Schema.optionalKey(Schema.String),
  sourcePublicId: number,
  reason: Schema.Literals(["no_source", "into_itself", "source_twice", "target_closed", "source_closed", "cycle"])
}) {
  override get message() {
    const source = this.sourceId === undefined ? "" : ` ${named(this.sourceId, this.sourcePublicId)}`
    return `Cannot merge${source} into ${named(this.targetId, this.targetPublicId)}: ${this.reason.replaceAll("_", " ")}`
  }
}

/**
 * Why a merge cannot be undone: the source is not merged into this target (`not_merged`), or the
 * target is closed since (`target_closed`).
 *
 * @category errors
 * @since 0.1.0
 */
export class UndoMergeRefused extends Schema.TaggedError<UndoMergeRefused>()("UndoMergeRefused", {
  targetId: Schema.String,
  targetPublicId: number,
  sourceId: Schema.String,
  sourcePublicId: number,
  reason: Schema.Literals(["not_merged", "target_closed"])
}) {
  override get message() {
    return `Cannot undo the merge of ${named(this.sourceId, this.sourcePublicId)} into ${named(this.targetId, this.targetPublicId)}: ${this.reason.replaceAll("_", " ")}`
  }
}

/**
 * Why a split cannot happen: no message chosen, a message the ticket does not hold, or every
 * message (a ticket keeps at least one).
 *
 * @category errors
 * @since 0.1.0
 */
export class SplitRefused extends Schema.TaggedError<SplitRefused>()("SplitRefused", {
  ticketId: Schema.String,
  publicId: number,
  reason: Schema.Literals(["no_message", "unknown_message", "every_message"]),
  messageId: Schema.optionalKey(Schema.String)
}) {
  override get message() {
    const which = this.messageId === undefined ? "" : ` (${this.messageId})`
    return `Cannot split ticket ${named(this.ticketId, this.publicId)}: ${this.reason.replaceAll("_", " ")}${which}`
  }
}

/**
 * Every refusal of a link, merge or split.
 *
 * @category errors
 * @since 0.1.0
 */
export type LinkError = InvalidLink | MergeRefused | UndoMergeRefused | SplitRefused
