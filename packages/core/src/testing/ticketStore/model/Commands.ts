/**
 * The steps of the `TicketStore` suite's model-based run (fast-check commands): open a ticket,
 * act on one through the help desk (by id or number, with a current, stale or no expected
 * version; replies and notes may carry an email Message-ID of a small pool, which the store takes
 * once per workspace), read it back from both workspaces, query, set an SLA due time with a
 * direct append, move the clock, fire due timers. Each checks the store against the model after it.
 */
import { DateTime, Effect } from "effect"
import type * as fc from "fast-check"
import { expect } from "vitest"
import type * as Helpdesk from "../../../helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../../helpdesk/HelpdeskInput.js"
import * as Ticket from "../../../ticket/Ticket.js"
import type * as E from "../../../ticket/TicketEvent.js"
import * as Actor from "../../../values/Actor.js"
import type { Channel } from "../../../values/Channel.js"
import type { SupportLevel, TicketType } from "../../../values/TicketType.js"
import * as Fixtures from "../../internal/fixtures.js"
import { modelStart, type QuerySpec, resolveQuery } from "../QuerySpecs.js"
import { readStream } from "../Support.js"
import {
  acceptAppend,
  acceptNewTicket,
  expectEmailIds,
  expectQuery,
  expectResolves,
  expectStream,
  holderOf,
  knownOf,
  type Model,
  type ModelTicket,
  type Real,
  refusals,
  staleRefusals
} from "./Model.js"

const { failureOf, mary, noted, show } = Fixtures

export type OpenArgs = HelpdeskInput.OpenInput

export class Open implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly space: 0 | 1,
    readonly input: OpenArgs
  ) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    const { ws, desk } = real.spaces[this.space]
    const result = await real.run(Effect.result(desk.open(this.input)))
    const chosen = this.input.publicId
    const holder = chosen === undefined ? undefined : holderOf(model, this.space, chosen)
    if (result._tag === "Failure") {
      const error = result.failure
      if (error._tag === "PublicIdTaken") {
        expect(holder, `${chosen} is free in ${ws}, yet PublicIdTaken`).not.toBe(undefined)
        expect(error).toMatchObject({ workspaceId: ws, publicId: chosen })
      } else {
        expect(refusals, show(error)).toContain(error._tag)
      }
      if (chosen !== undefined) await expectResolves(real, ws, chosen, holder)
      return
    }
    expect(holder, `ticket number ${chosen} was taken by ${holder}`).toBe(undefined)
    if (chosen !== undefined) expect(result.success.publicId).toBe(chosen)
    await acceptNewTicket(model, real, this.space, result.success)
  }
  toString() {
    return `open(${this.space === 0 ? "A" : "B"}, ${show(this.input)})`
  }
}

export type Follower = E.Follower

/** The email ids of a reply or note: a Message-ID of `emailIdPool`. */
export interface ModelEmail {
  readonly messageId: string
  readonly references: ReadonlyArray<string>
}

/** An operation on an existing ticket, as the help desk's inputs take it. */
export type TicketOp =
  | { readonly kind: "reply"; readonly text: string; readonly channel?: Channel; readonly email?: ModelEmail }
  | { readonly kind: "note"; readonly text: string; readonly email?: ModelEmail }
  | { readonly kind: "status"; readonly status: string }
  | { readonly kind: "assign"; readonly assignee?: string | null; readonly group?: string | null }
  | { readonly kind: "priority"; readonly priority: "low" | "normal" | "high" | "urgent" }
  | { readonly kind: "type"; readonly type: TicketType }
  | { readonly kind: "escalate"; readonly to?: SupportLevel; readonly reason: string }
  | { readonly kind: "field"; readonly key: string; readonly value: string | number | boolean | null }
  | { readonly kind: "tags"; readonly add?: ReadonlyArray<string>; readonly remove?: ReadonlyArray<string> }
  | { readonly kind: "follow" | "unfollow"; readonly follower: Follower }

interface Target {
  readonly ticket: string | number
  readonly by: Actor.Actor
  readonly expectedVersion?: number
}

const perform = (desk: Helpdesk.Service, target: Target, op: TicketOp) => {
  switch (op.kind) {
    case "reply": {
      const { kind: _, ...input } = op
      return desk.reply({ ...target, ...input })
    }
    case "note": {
      const { kind: _, ...input } = op
      return desk.note({ ...target, ...input })
    }
    case "status":
      return desk.changeStatus({ ...target, status: op.status })
    case "assign": {
      const { kind: _, ...input } = op
      return desk.assign({ ...target, ...input })
    }
    case "priority":
      return desk.setPriority({ ...target, priority: op.priority })
    case "type":
      return desk.setType({ ...target, type: op.type })
    case "escalate": {
      const { kind: _, ...input } = op
      return desk.escalate({ ...target, ...input })
    }
    case "field":
      return desk.setCustomField({ ...target, key: op.key, value: op.value })
    case "tags": {
      const { kind: _, ...input } = op
      return desk.tag({ ...target, ...input })
    }
    case "follow":
      return desk.addFollower({ ...target, follower: op.follower })
    case "unfollow":
      return desk.removeFollower({ ...target, follower: op.follower })
  }
}

export class OnTicket implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    /** `requester`: whoever asked for the ticket (replies reopen it, or open a follow-up). */
    readonly by: Actor.Actor | "requester",
    readonly ref: "id" | "publicId",
    readonly version: "none" | "current" | "stale",
    readonly op: TicketOp
  ) {}
  check(model: Readonly<Model>) {
    return model.tickets.length > 0
  }
  async run(model: Model, real: Real) {
    const target = model.tickets[this.pick % model.tickets.length] as ModelTicket
    const { desk } = real.spaces[target.space]
    const version = target.events.length
    const expectedVersion =
      this.version === "current"
        ? version
        : this.version === "stale"
          ? version + (this.pick % 2 === 0 ? -1 : 1)
          : undefined
    const by =
      this.by === "requester" ? Actor.contact((Ticket.fold(target.events) as Ticket.Ticket).requester) : this.by
    const input: Target = {
      ticket: this.ref === "id" ? target.id : target.publicId,
      by,
      ...(expectedVersion === undefined ? {} : { expectedVersion })
    }
    const result = await real.run(Effect.result(perform(desk, input, this.op)))
    const email = this.op.kind === "reply" || this.op.kind === "note" ? this.op.email : undefined
    const recorded = model.emailIds[target.space]
    const holder = email === undefined ? undefined : recorded.get(email.messageId)
    if (result._tag === "Failure") {
      const error = result.failure
      const allowed = this.version === "stale" ? staleRefusals : refusals
      // The same mail a second time: refused once decided, whoever it was for.
      expect(holder === undefined ? allowed : [...allowed, "EmailMessageRecorded"], show(error)).toContain(error._tag)
      if (error._tag === "VersionConflict") {
        expect(error).toMatchObject({ ticketId: target.id, expected: expectedVersion, actual: version })
      }
      if (error._tag === "EmailMessageRecorded") {
        expect(error).toMatchObject({
          workspaceId: real.spaces[target.space].ws,
          messageId: email?.messageId,
          ticketId: holder
        })
      }
      await expectStream(real, target.id, target.events)
      return
    }
    expect(this.version, "a command with a stale expectedVersion was accepted").not.toBe("stale")
    const ticket = result.success
    if (email !== undefined) {
      expect(holder, `${email.messageId} was recorded a second time`).toBe(undefined)
      recorded.set(email.messageId, ticket.id)
    }
    if (ticket.id === target.id) return acceptAppend(real, target, ticket, by)
    // A requester's reply on a closed ticket opens a follow-up, linked both ways.
    expect(this.op.kind, `${this.op.kind} returned another ticket`).toBe("reply")
    expect(ticket.links).toContainEqual({ kind: "follow_up_of", ticketId: target.id })
    const original = await Effect.runPromise(readStream(real.store, target.id))
    expect(original.events.slice(0, version)).toEqual(target.events)
    expect(original.events.slice(version).map((e) => (e._tag === "LinkAdded" ? e.link : e._tag))).toEqual([
      { kind: "followed_up_by", ticketId: ticket.id }
    ])
    target.events = original.events
    await acceptNewTicket(model, real, target.space, ticket)
  }
  toString() {
    const ref = this.ref === "publicId" ? ", by number" : ""
    const version = this.version === "none" ? "" : `, ${this.version} version`
    const by = this.by === "requester" ? "requester" : Actor.label(this.by)
    return `${this.op.kind}(#${this.pick}, ${by}${ref}${version}, ${show(this.op)})`
  }
}

/** Reads a ticket back through its own help desk and tries it through the other workspace's. */
export class ReadBack implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(model: Readonly<Model>) {
    return model.tickets.length > 0
  }
  async run(model: Model, real: Real) {
    const target = model.tickets[this.pick % model.tickets.length] as ModelTicket
    const own = real.spaces[target.space]
    const other = real.spaces[target.space === 0 ? 1 : 0]
    expect(await real.run(own.desk.asSystem("suite").get(target.publicId))).toEqual(Ticket.fold(target.events))
    expect(await real.run(own.desk.asSystem("suite").history(target.id))).toEqual(target.events)
    await expectResolves(real, own.ws, target.publicId, target.id)
    const foreignRead = await real.run(failureOf(other.desk.asSystem("suite").get(target.id)))
    expect(foreignRead._tag).toBe("TicketNotFound")
    const foreignWrite = await real.run(failureOf(other.desk.tag({ ticket: target.id, by: mary, add: ["foreign"] })))
    expect(foreignWrite._tag).toBe("TicketNotFound")
    await expectStream(real, target.id, target.events)
    await expectEmailIds(model, real)
  }
  toString() {
    return `readBack(#${this.pick})`
  }
}

/** One query, page by page, against the reference: `TicketQuery.run` over the model's folds. */
export class Query implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly space: 0 | 1,
    readonly spec: QuerySpec,
    readonly limit: number
  ) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    // Instants and words come from both workspaces: the other one's are values this one lacks.
    await expectQuery(model, real, this.space, resolveQuery(this.spec, knownOf(model)), this.limit)
  }
  toString() {
    return `query(${this.space === 0 ? "A" : "B"}, ${show(this.spec)}, limit ${this.limit})`
  }
}

/**
 * Sets a ticket's SLA due time the way a store receives it, with an append: an internal note by
 * the system, its `slaDueAt` (an instant, or `null` to clear it) in the same append. A stale
 * version must change neither the stream nor the due time.
 */
export class SetSla implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly due: { readonly in: number } | { readonly at: number } | null,
    readonly stale: boolean,
    readonly text: string
  ) {}
  check(model: Readonly<Model>) {
    return model.tickets.length > 0
  }
  async run(model: Model, real: Real) {
    const target = model.tickets[this.pick % model.tickets.length] as ModelTicket
    const version = target.events.length
    const now = real.clock.now()
    const due =
      this.due === null ? null : DateTime.makeUnsafe("in" in this.due ? now + this.due.in : modelStart + this.due.at)
    const note = noted(target.id, DateTime.makeUnsafe(now), this.text, `${target.id}.sla${version}`)
    const expectedVersion = this.stale ? (version > 1 && this.pick % 2 === 0 ? version - 1 : version + 1) : version
    const result = await Effect.runPromise(
      Effect.result(real.store.append(target.id, expectedVersion, [note], { slaDueAt: due }))
    )
    if (this.stale) {
      expect(result._tag === "Failure" ? result.failure : result.success).toMatchObject({
        _tag: "VersionConflict",
        ticketId: target.id,
        expected: expectedVersion,
        actual: version
      })
      await expectStream(real, target.id, target.events)
      return
    }
    expect(result._tag === "Success" ? result.success : result.failure, "the new version").toBe(version + 1)
    const stream = await Effect.runPromise(readStream(real.store, target.id))
    expect(stream.events, "the note follows the history").toEqual([...target.events, note])
    target.events = stream.events
    target.slaDueAt = due ?? undefined
  }
  toString() {
    return `setSla(#${this.pick}, ${show(this.due)}${this.stale ? ", stale version" : ""}, ${show(this.text)})`
  }
}

/** Moves the run's clock (ties, reopen windows, close timers). */
export class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly millis: number) {}
  check() {
    return true
  }
  async run(_model: Model, real: Real) {
    real.clock.advance(this.millis)
  }
  toString() {
    return `advance(${this.millis} ms)`
  }
}

/** Fires due close timers: only solved tickets close, each once, by the system. */
export class RunTimers implements fc.AsyncCommand<Model, Real> {
  constructor(readonly space: 0 | 1) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    const fired = await real.run(real.spaces[this.space].desk.runDueTimers())
    let closed = 0
    for (const target of model.tickets.filter((t) => t.space === this.space)) {
      const stream = await Effect.runPromise(readStream(real.store, target.id))
      expect(stream.events.slice(0, target.events.length)).toEqual(target.events)
      const added = stream.events.slice(target.events.length)
      if (added.length > 0) {
        closed++
        expect(added.map((e) => (e._tag === "StatusChanged" ? [e.toCategory, Actor.label(e.by)] : e._tag))).toEqual([
          ["closed", "system:close-solved"]
        ])
      }
      target.events = stream.events
    }
    // A timer whose ticket an agent closed first counts as fired too: at least those it closed.
    expect(fired).toBeGreaterThanOrEqual(closed)
  }
  toString() {
    return `runDueTimers(${this.space === 0 ? "A" : "B"})`
  }
}
