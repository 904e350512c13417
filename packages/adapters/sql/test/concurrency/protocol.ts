/**
 * What the concurrency test's parent and its worker processes share: the help desk
 * configuration every process uses, the agent they act as, and the JSON lines a worker prints
 * on stdout (decoded by the parent with these Schemas).
 */
import type { Directory, HelpdeskInput } from "@tessera/core"
import { Schema } from "effect"

/** The custom field workers set; every value written to it is unique. */
export const markerField = "marker"

/** The help desk configuration of every process. Retries are bounded high so none is exhausted. */
export const helpdeskConfig = (workspaceId: string): typeof HelpdeskInput.Config.Encoded => ({
  workspaceId,
  customFields: [{ key: markerField, label: "Marker", type: "text" }],
  maxAttempts: 1000
})

/** The agent every worker acts as (each process seeds it in its own in-memory directory). */
export const loadAgent = (workspaceId: string): typeof Directory.Agent.Encoded => ({
  id: "agt_load",
  workspaceId,
  name: "Load Agent",
  email: "load.agent@example.com",
  groups: [],
  skills: [],
  active: true
})

/** The commands workers send. Each carries a unique value, found again in exactly one event. */
export const Op = Schema.Literals(["field", "note", "tag", "reply"])
export type Op = typeof Op.Type

/** A command the help desk accepted: `value` must appear exactly once in `ticket`'s stream. */
export const Accepted = Schema.Tuple([Op, Schema.String, Schema.String])
export type Accepted = typeof Accepted.Type

/** A command the help desk refused, with the error it gave. */
export const Refused = Schema.Struct({
  op: Op,
  ticket: Schema.String,
  value: Schema.String,
  error: Schema.String,
  message: Schema.String
})
export type Refused = typeof Refused.Type

export const WorkerReady = Schema.Struct({
  type: Schema.Literal("ready"),
  index: Schema.Int,
  pid: Schema.Int
})

export const WorkerResult = Schema.Struct({
  type: Schema.Literal("result"),
  index: Schema.Int,
  pid: Schema.Int,
  fibers: Schema.Int,
  connections: Schema.Int,
  /** Wall time from the start signal to the last command's outcome. */
  elapsedMs: Schema.Finite,
  /** CPU time (user + system) the worker process used in that time. */
  cpuMs: Schema.Finite,
  sent: Schema.Int,
  accepted: Schema.Array(Accepted),
  refused: Schema.Array(Refused),
  /** `TicketStore.append` calls made by the help desk, and how they ended. */
  appends: Schema.Int,
  conflicts: Schema.Int,
  appendErrors: Schema.Int,
  /** The longest single `append` (on SQLite: mostly waiting for the write lock, bounded by busy_timeout). */
  maxAppendMs: Schema.Finite,
  /** Latency of accepted commands, retries included. */
  latencyMs: Schema.Struct({ p50: Schema.Finite, p99: Schema.Finite, max: Schema.Finite }),
  /** Most retries a single accepted command needed (appends that conflicted before it succeeded). */
  maxConflictsPerCommand: Schema.Int
})
export type WorkerResult = typeof WorkerResult.Type

export const WorkerMessage = Schema.Union([WorkerReady, WorkerResult])
export type WorkerMessage = typeof WorkerMessage.Type

export const decodeWorkerLine = Schema.decodeUnknownSync(Schema.fromJsonString(WorkerMessage))
export const encodeWorkerMessage = Schema.encodeSync(Schema.fromJsonString(WorkerMessage))
