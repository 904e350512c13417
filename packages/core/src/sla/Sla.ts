/**
 * SLAs of a ticket, in one namespace: its state as a pure function of its event log
 * (`slaState`, in `SlaState`), why a due time is what it is (`explainDue`), and how a new
 * configuration would move due times (`whatIf`), with the errors they share. The help desk
 * keeps the same state incrementally with `SlaFold`, so a command never replays a history.
 *
 * @since 0.1.0
 */
export type { Calendars } from "./internal/clock.js"
export * from "./SlaError.js"
export * from "./SlaExplain.js"
export * from "./SlaState.js"
export * from "./SlaWhatIf.js"
