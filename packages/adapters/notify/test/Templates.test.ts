import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import * as Templates from "../src/Templates.js"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSync(effect)

describe("Templates", () => {
  it("finds the recipient's language, then its base language, then English", () => {
    const book = run(Templates.make())
    expect(Option.getOrThrow(book.find("acknowledgement", "fr")).language).toBe("fr")
    expect(Option.getOrThrow(book.find("acknowledgement", "fr-CA")).language).toBe("fr")
    expect(Option.getOrThrow(book.find("acknowledgement", "de")).language).toBe("en")
    expect(Option.isNone(book.find("nope", "en"))).toBe(true)
  })

  it("a saved template replaces the default of its kind and language", () => {
    const book = run(Templates.make())
    run(
      book.save({
        kind: "reply",
        language: "en",
        subject: "Re: {{ticket.subject}}",
        text: "{{reply.text}}",
        html: "{{reply.text}}"
      })
    )
    expect(Option.getOrThrow(book.find("reply", "en")).subject).toBe("Re: {{ticket.subject}}")
  })

  it("a typo is an error at save time, and the book keeps the template it had", () => {
    const book = run(Templates.make())
    const before = Option.getOrThrow(book.find("reply", "en"))
    const error = run(
      Effect.flip(
        book.save({ kind: "reply", language: "en", subject: "{{ticket.subjetc}}", text: "{{note.text}}", html: "x" })
      )
    )
    expect(error._tag).toBe("InvalidTemplate")
    expect(error._tag === "InvalidTemplate" && error.problems.map((p) => `${p.placeholder}:${p.reason}`)).toEqual([
      "ticket.subjetc:unknown",
      "note.text:not-visible"
    ])
    expect(error.message).toContain("{{ticket.subjetc}}")
    expect(Option.getOrThrow(book.find("reply", "en"))).toEqual(before)
  })

  it("garbage is refused with a typed error, never a throw", () => {
    const book = run(Templates.make())
    expect(run(Effect.flip(book.save(null)))._tag).toBe("InvalidTemplate")
    expect(run(Effect.flip(book.save({ kind: "nope", language: "en", subject: "s", text: "t", html: "h" })))._tag).toBe(
      "UnknownKind"
    )
  })

  it("a workspace's own kind is bound to an event and offers that event's fields", () => {
    const book = run(
      Templates.make({ kinds: [{ name: "priority_raised", audience: "customer", event: "PriorityChanged" }] })
    )
    run(
      book.save({
        kind: "priority_raised",
        language: "en",
        subject: "[#{{ticket.number}}] now {{priority.to}}",
        text: "From {{priority.from}} to {{priority.to}}",
        html: "<p>{{priority.to}}</p>"
      })
    )
    expect(Option.getOrThrow(book.kind("priority_raised")).event).toBe("PriorityChanged")
    const refused = run(
      Effect.flip(
        book.save({ kind: "priority_raised", language: "fr", subject: "{{reply.text}}", text: "x", html: "x" })
      )
    )
    expect(refused._tag === "InvalidTemplate" && refused.problems[0]?.reason).toBe("unknown")
    expect(run(Effect.flip(book.addKind({ name: "reply", audience: "agent", event: "ReplyAdded" })))._tag).toBe(
      "InvalidKind"
    )
  })

  it("templates given at start are checked like saved ones", () => {
    const failed = run(
      Effect.flip(
        Templates.make({
          templates: [{ kind: "survey", language: "en", subject: "x", text: "{{note.text}}", html: "x" }]
        })
      )
    )
    expect(failed._tag).toBe("InvalidTemplate")
  })
})
