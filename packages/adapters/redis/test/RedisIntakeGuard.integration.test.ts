/**
 * The intake guard on Redis holds to core's `IntakeGuard` conformance suite (claims, expiries and
 * sliding windows on a `TestClock`, atomic under concurrency), on the shared test server under a
 * prefix of its own.
 */
import { IntakeGuardSuite } from "@tessera/core/testing"
import { RedisClient, RedisIntakeGuard } from "@tessera/redis"
import { Layer } from "effect"
import { afterAll } from "vitest"
import { dropPrefix, redisUrl, uniquePrefix } from "./support/localRedis.js"

const prefix = uniquePrefix("guard")
afterAll(() => dropPrefix(redisUrl(), prefix))

IntakeGuardSuite.run(
  "redis",
  RedisIntakeGuard.layer().pipe(Layer.provide(RedisClient.layer({ url: redisUrl(), prefix }))),
  {
    numRuns: 15
  }
)
