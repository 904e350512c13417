/**
 * The "model" part of the `TicketStore` suite: a model-based fast-check run of random help desk
 * operations in two workspaces on one store, each step checked against the reference semantics
 * (`Ticket.fold`, `TicketQuery.run`). The run drives the store through the `Helpdesk`, so the
 * store records its calls: a failing step's message lists the store operations it made, with
 * their inputs and answers, after fast-check's shrunk sequence of steps.
 */
import { Clock, Effect, Layer } from "effect"
import * as fc from "fast-check"
import { describe, it } from "vitest"
import * as Helpdesk from "../../helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../memory/MemoryDirectoryStore.js"
import { DirectoryStore } from "../../ports/DirectoryStore.js"
import { IdGenerator } from "../../ports/IdGenerator.js"
import { TicketStore } from "../../ports/TicketStore.js"
import { Timers } from "../../ports/Timers.js"
import type { WorkspaceId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"
import { modelCommands } from "./model/Generators.js"
import {
  expectEmailIds,
  expectQuery,
  expectResolves,
  expectStream,
  type Model,
  manualClock,
  modelConfig,
  onClock,
  type Real,
  type Space,
  seedDirectory
} from "./model/Model.js"
import { modelStart } from "./QuerySpecs.js"
import { prefixedIds, type Settings } from "./Support.js"

const freshWorkspace = Fixtures.freshWorkspace

/** Two help desks on a store (fresh workspaces A and B, stream ids of their own), their directories seeded. */
const setupModel = async (ports: Fixtures.Ports) => {
  const realClock = await Effect.runPromise(Clock.clockWith(Effect.succeed))
  const recorder = StoreCalls.record(ports.tickets)
  const store = onClock(recorder.store, realClock)
  const clock = manualClock(modelStart, realClock)
  const run = <A, E2>(effect: Effect.Effect<A, E2>) =>
    Effect.runPromise(Effect.provideService(effect, Clock.Clock, clock.clock))
  const wsA = await Effect.runPromise(freshWorkspace)
  const wsB = await Effect.runPromise(freshWorkspace)
  const services = Layer.mergeAll(
    Layer.succeed(TicketStore, store),
    Layer.succeed(DirectoryStore, await Effect.runPromise(MemoryDirectoryStore.make)),
    Layer.succeed(IdGenerator, await Effect.runPromise(prefixedIds(`${wsA}.`))),
    Layer.succeed(Timers, ports.timers)
  )
  const spaceOf = async (ws: WorkspaceId): Promise<Space> => {
    const desk = await run(Effect.provide(Helpdesk.make(modelConfig(ws)), services))
    await run(seedDirectory(desk))
    return { ws, desk }
  }
  const real: Real = { store, recorder, spaces: [await spaceOf(wsA), await spaceOf(wsB)], clock, run }
  const model: Model = { tickets: [], emailIds: [new Map(), new Map()] }
  return { model, real }
}

/** After a run: every stream is what the model holds, and each workspace lists exactly its own. */
const finalCheck = async (model: Model, real: Real) => {
  for (const target of model.tickets) {
    await expectStream(real, target.id, target.events)
    await expectResolves(real, real.spaces[target.space].ws, target.publicId, target.id)
  }
  await expectQuery(model, real, 0, {}, 500)
  await expectQuery(model, real, 1, {}, 500)
  await expectEmailIds(model, real)
}

/** A step that, when it fails, lists the store calls it made (see `StoreCalls.explained`). */
class Explained implements fc.AsyncCommand<Model, Real> {
  constructor(readonly step: fc.AsyncCommand<Model, Real>) {}
  check(model: Readonly<Model>) {
    return this.step.check(model)
  }
  run(model: Model, real: Real) {
    return StoreCalls.explained(real.recorder, `step ${this.step.toString()}`, () => this.step.run(model, real))
  }
  toString() {
    return this.step.toString()
  }
}

/**
 * Registers the "model" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { numRuns, seed, path, timeout } = settings
  describe("model", () => {
    it(
      "random help desk operations in two workspaces keep every stream, ticket number and query page consistent with the reference",
      // One store for the whole property: each run has workspaces and stream ids of its own.
      () =>
        Fixtures.withBuiltPorts(layer, (ports) =>
          fc.assert(
            fc.asyncProperty(
              fc.commands(
                modelCommands.map((step) => step.map((s) => new Explained(s))),
                { maxCommands: settings.maxCommands, size: "max" }
              ),
              async (steps) => {
                const { model, real } = await setupModel(ports)
                await fc.asyncModelRun(() => ({ model, real }), steps)
                await StoreCalls.explained(real.recorder, "the final check", () => finalCheck(model, real))
              }
            ),
            {
              numRuns,
              ...(seed === undefined ? {} : { seed }),
              ...(path === undefined ? {} : { path })
            }
          )
        ),
      timeout
    )
  })
}
