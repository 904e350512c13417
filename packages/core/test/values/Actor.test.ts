import { Schema } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"
import type * as In from "../../src/helpdesk/HelpdeskInput.js"
import * as Actor from "../../src/values/Actor.js"

describe("Actor helpers", () => {
  it("build the members of the actor union, which decode as they are", () => {
    const built = [Actor.agent("mary"), Actor.contact("con_1"), Actor.system("import")]
    expect(built).toEqual([
      { _tag: "agent", id: "mary" },
      { _tag: "contact", id: "con_1" },
      { _tag: "system", reason: "import" }
    ])
    for (const actor of built) expect(Schema.decodeUnknownSync(Actor.Actor)(actor)).toEqual(actor)
    expect(built.map(Actor.label)).toEqual(["agent:mary", "contact:con_1", "system:import"])
  })

  it("are typed as their member, so an input's `by` takes them without `as const`", () => {
    expectTypeOf(Actor.agent("mary")).toEqualTypeOf<Actor.AgentActor>()
    expectTypeOf(Actor.contact("con_1")).toEqualTypeOf<Actor.ContactActor>()
    expectTypeOf(Actor.system("import")).toEqualTypeOf<Actor.SystemActor>()
    const by = Actor.agent("mary")
    const reply: In.MessageInput = { ticket: 69369, by, text: "Refunded." }
    expect(reply.by._tag).toBe("agent")
    // A literal written without `as const` widens `_tag` to string, which an input refuses.
    const literal = { _tag: "agent", id: "mary" }
    // @ts-expect-error `_tag: string` is not one of the actor kinds
    const refused: In.MessageInput = { ticket: 69369, by: literal, text: "Refunded." }
    expect(refused.by).toBe(literal)
  })
})
