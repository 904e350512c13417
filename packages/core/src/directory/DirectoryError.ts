/**
 * Errors about the directory: a reference to someone who does not exist, or a record that
 * would break a uniqueness rule.
 */
import { Schema } from "effect"

/**
 * No such record of this kind in the workspace.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotInDirectory extends Schema.TaggedError<NotInDirectory>()("NotInDirectory", {
  kind: Schema.Literals(["contact", "organization", "agent", "group"]),
  id: Schema.String
}) {
  override get message() {
    return `No ${this.kind} ${this.id} in this workspace`
  }
}

/**
 * The agent cannot take this ticket: not a member of the ticket's group, or deactivated.
 *
 * @category errors
 * @since 0.1.0
 */
export class AgentUnavailable extends Schema.TaggedError<AgentUnavailable>()("AgentUnavailable", {
  agentId: Schema.String,
  reason: Schema.Literals(["not_in_group", "inactive"]),
  groupId: Schema.optionalKey(Schema.String)
}) {
  override get message() {
    return this.reason === "inactive"
      ? `Agent ${this.agentId} is deactivated`
      : `Agent ${this.agentId} is not a member of group ${this.groupId ?? "(none)"}`
  }
}

/**
 * Another contact of the workspace already has this email address.
 *
 * @category errors
 * @since 0.1.0
 */
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {
  email: Schema.String,
  contactId: Schema.String
}) {
  override get message() {
    return `Email ${this.email} already belongs to contact ${this.contactId}`
  }
}
