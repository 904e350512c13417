/**
 * @tessera/redis: Tessera across several app nodes on one Redis. Timers are claimed atomically
 * with a lease, so each fires once per due time whichever node runs it; an event bus on Redis
 * Streams carries every committed event in the store's order to consumer groups; rule state and
 * intake guards are shared between nodes. The store stays the only truth: Redis may lose
 * everything, and timers and subscriptions are rebuilt from the store.
 *
 * @since 0.1.0
 * @module @tessera/redis
 */

export * as PromiseEventBus from "./PromiseEventBus.js"
export * as RedisAssignmentState from "./RedisAssignmentState.js"
export * as RedisClient from "./RedisClient.js"
export * as RedisEventBus from "./RedisEventBus.js"
export * as RedisEventPublisher from "./RedisEventPublisher.js"
export * as RedisIntakeGuard from "./RedisIntakeGuard.js"
export * as RedisTimers from "./RedisTimers.js"
export * as TimerLoop from "./TimerLoop.js"
