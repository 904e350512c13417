/**
 * @tessera/core: the ticketing domain (tickets as event streams, workflow, priorities, tags,
 * links, business calendars), the `Helpdesk` service over ports, in-memory adapters, and a
 * Promise facade for applications that do not use Effect.
 *
 * @since 0.1.0
 */

export * as Directory from "./directory/Directory.js"
export * as DirectoryError from "./directory/DirectoryError.js"
export * as Helpdesk from "./helpdesk/Helpdesk.js"
export * as HelpdeskInput from "./helpdesk/HelpdeskInput.js"
export * as Input from "./helpdesk/Input.js"
export * as PromiseHelpdesk from "./helpdesk/Promise.js"
export { createHelpdesk } from "./helpdesk/Promise.js"
export * as Link from "./links/Link.js"
export * as MemoryDirectoryStore from "./memory/MemoryDirectoryStore.js"
export * as MemoryTicketStore from "./memory/MemoryTicketStore.js"
export * as DirectoryStore from "./ports/DirectoryStore.js"
export * as IdGenerator from "./ports/IdGenerator.js"
export * as Outbox from "./ports/Outbox.js"
export * as StoreError from "./ports/StoreError.js"
export * as TicketStore from "./ports/TicketStore.js"
export * as Timers from "./ports/Timers.js"
export * as Priority from "./priority/Priority.js"
export * as TicketQuery from "./query/TicketQuery.js"
export * as BusinessCalendar from "./sla/BusinessCalendar.js"
export * as BusinessCalendarError from "./sla/BusinessCalendarError.js"
export * as Sla from "./sla/Sla.js"
export * as SlaPolicy from "./sla/SlaPolicy.js"
export * as Tag from "./tags/Tag.js"
export * as Actor from "./ticket/Actor.js"
export * as Channel from "./ticket/Channel.js"
export * as CustomField from "./ticket/CustomField.js"
export * as Decide from "./ticket/decide.js"
export { decide } from "./ticket/decide.js"
export * as Ids from "./ticket/Ids.js"
export * as Message from "./ticket/Message.js"
export * as Status from "./ticket/Status.js"
export * as Ticket from "./ticket/Ticket.js"
export * as TicketCommand from "./ticket/TicketCommand.js"
export * as TicketError from "./ticket/TicketError.js"
export * as TicketEvent from "./ticket/TicketEvent.js"
export * as TicketType from "./ticket/TicketType.js"
