import { Effect, Exit, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decode, type InvalidInput } from "../../src/helpdesk/Input.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import * as Ids from "../../src/values/Ids.js"
import { publicIdMax } from "../../src/values/Limits.js"

const readRef = decode(Ids.TicketRef, "ticket")
const refOf = (raw: unknown) => Effect.runSyncExit(readRef(raw))
const refusal = (raw: unknown): InvalidInput => {
  const exit = refOf(raw)
  if (Exit.isSuccess(exit)) throw new Error(`${JSON.stringify(raw)} was read as ${JSON.stringify(exit.value)}`)
  return Effect.runSync(Effect.flip(readRef(raw)))
}

const publicNumber = fc.integer({ min: 1, max: publicIdMax })
/** Every way a caller may write a public number: as a number, its digits, or `#` and its digits. */
const spellings = (n: number): ReadonlyArray<unknown> => [n, `${n}`, `#${n}`, ` ${n} `, `#${n}\n`]
/** A string that is neither a number's spelling nor an internal ticket id. */
const neither = fc
  .string({ maxLength: 40 })
  .filter((s) => !/^#?[0-9]+$/.test(s.trim()) && !s.trim().startsWith(Ids.ticketIdPrefix))

describe("Ids.TicketRef", () => {
  it("any public number in any accepted spelling decodes to that number", () => {
    fc.assert(
      fc.property(publicNumber, (n) =>
        spellings(n).every((raw) => {
          const exit = refOf(raw)
          return Exit.isSuccess(exit) && exit.value === n
        })
      )
    )
  })

  it("an internal id keeps its prefix and decodes to itself", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,100}$/), (rest) => {
        const id = `${Ids.ticketIdPrefix}${rest}`
        const exit = refOf(id)
        return Exit.isSuccess(exit) && exit.value === id
      })
    )
  })

  it("a string that is neither is InvalidInput saying what a reference looks like", () => {
    fc.assert(
      fc.property(neither, (raw) => {
        const error = refusal(raw)
        return (
          error._tag === "InvalidInput" &&
          error.input === "ticket" &&
          error.message.startsWith(`Invalid ticket: Expected a ticket number (69369, "69369" or "#69369")`) &&
          error.message.includes(JSON.stringify(raw))
        )
      })
    )
  })

  it.each([0, -1, 1.5, publicIdMax + 1, "0", "1.5", "#", "", "69 369", "tkt", "T-1", "1e3"])("%j is refused", (raw) => {
    expect(refusal(raw).message).toBe(
      `Invalid ticket: Expected a ticket number (69369, "69369" or "#69369") or an internal ticket id starting with "tkt_", got ${JSON.stringify(raw)}`
    )
  })

  it("encodes a public number as a number and an internal id as its text", () => {
    const [number, id] = [69369 as Ids.PublicId, "tkt_01jd" as Ids.TicketId]
    expect(Schema.encodeSync(Ids.TicketRef)(number)).toBe(69369)
    expect(Schema.encodeSync(Ids.TicketRef)(id)).toBe("tkt_01jd")
  })
})

describe("ids in messages", () => {
  it("an id that does not hold is described in words, not as a regular expression", () => {
    const exit = Effect.runSyncExit(decode(Ids.ContactId, "contact")("bad id!"))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Effect.runSync(Effect.flip(decode(Ids.ContactId, "contact")("bad id!")))
    expect(error.message).toBe(
      "Invalid contact: Expected an id of 1 to 128 letters, digits, '_', '.', ':' or '-', starting with a letter or a digit"
    )
    expect(error.message).not.toContain("RegExp")
  })
})

describe("IdGenerator.prefixed", () => {
  it("every id carries its kind's prefix, also from a generator that leaves it out", async () => {
    const bare = IdGenerator.IdGenerator.of({ next: () => Effect.succeed("7f3a") })
    const kept = IdGenerator.IdGenerator.of({ next: (kind) => Effect.succeed(`${IdGenerator.prefix(kind)}9`) })
    expect(await Effect.runPromise(IdGenerator.prefixed(bare).next("ticket"))).toBe("tkt_7f3a")
    expect(await Effect.runPromise(IdGenerator.prefixed(bare).next("message"))).toBe("msg_7f3a")
    expect(await Effect.runPromise(IdGenerator.prefixed(kept).next("ticket"))).toBe("tkt_9")
    expect(IdGenerator.prefix("ticket")).toBe(Ids.ticketIdPrefix)
  })
})
