export * as Arbitraries from "./Arbitraries.js"
export * as Decider from "./Decider.js"
export * as TicketStoreSuite from "./TicketStoreSuite.js"
