/**
 * @tessera/core/testing: what adapter authors and application tests share: the conformance
 * suite of each port (run by every adapter, the in-memory ones included), a check of an event
 * feed, fast-check arbitraries derived from the schemas, given/when/then for `decide`, and a
 * tracer that records its spans.
 *
 * @since 0.1.0
 * @module @tessera/core/testing
 */
export * as Arbitraries from "./Arbitraries.js"
export * as AttachmentStoreSuite from "./AttachmentStoreSuite.js"
export * as Decider from "./Decider.js"
export * as DirectoryStoreSuite from "./DirectoryStoreSuite.js"
export * as FeedCheck from "./FeedCheck.js"
export * as IntakeGuardSuite from "./IntakeGuardSuite.js"
export * as LimitsSuite from "./LimitsSuite.js"
export * as OutboxSuite from "./OutboxSuite.js"
export * as RecordingTracer from "./RecordingTracer.js"
export * as TicketStoreSuite from "./TicketStoreSuite.js"
export * as TimersSuite from "./TimersSuite.js"
