/**
 * Random and mutated messages through `parseInbound` (issue #16): whatever the bytes, it never
 * throws or dies, fails only with a typed `EmailError`, finishes within a bounded time, and what
 * it returns holds to the limits (sanitised HTML that sanitising again leaves unchanged, bounded
 * headers and problems, attachments within their size limit).
 */
import { Readable } from "node:stream"
import { Html } from "@tessera/core"
import { Cause, Exit, Option } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { EmailError } from "../src/index.js"
import {
  badNames,
  cidReferences,
  envelope,
  message,
  nested,
  plain,
  protoHeaders,
  siblings,
  utf32
} from "./support/messages.js"
import { parse } from "./support/parse.js"

const seeds: ReadonlyArray<Buffer> = [
  plain("Hello,\r\n\r\nOn Monday, Jane wrote:\r\n> quoted\r\n-- \r\nsig"),
  message(
    [...envelope, 'Content-Type: multipart/alternative; boundary="alt"'],
    [
      "--alt",
      "Content-Type: text/plain",
      "",
      "text",
      "--alt",
      "Content-Type: text/html",
      "",
      "<p onclick=x>html<script>1</script></p>",
      "--alt--",
      ""
    ]
  ),
  cidReferences(3),
  badNames(),
  protoHeaders(),
  nested(5),
  siblings(5),
  utf32("Grüße"),
  message(
    [...envelope, "Content-Type: text/plain; charset=iso-2022-jp", "Content-Transfer-Encoding: quoted-printable"],
    "=1B$B$3$s=1B(B =ZZ =\r\n"
  )
]

const fragments = [
  "\r\n",
  "\r\n\r\n",
  "--alt\r\n",
  "--alt--\r\n",
  "Content-Type: multipart/mixed; boundary=alt\r\n",
  "Content-Type: text/html; charset=utf-32\r\n",
  "Content-Transfer-Encoding: base64\r\n",
  "Content-Disposition: attachment; filename*=utf-8''..%2F..%00x\r\n",
  "=?utf-8?B?",
  "=?x-unknown?Q?=FF=FE?=",
  "<script>alert(1)</script>",
  '<img src="cid:logo@x" onerror=alert(1)>',
  "__proto__: x\r\n",
  "\u0000\u00ff\u00fe"
]

/** A seed message changed by a few random edits: flipped bytes, cut or repeated ranges, inserted MIME fragments. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), length: fc.nat({ max: 200 }) }),
        fc.record({
          kind: fc.constant("repeat" as const),
          at: fc.nat(),
          length: fc.nat({ max: 200 }),
          times: fc.integer({ min: 1, max: 20 })
        }),
        fc.record({
          kind: fc.constant("insert" as const),
          at: fc.nat(),
          text: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 40 }))
        }),
        fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() })
      ),
      { minLength: 1, maxLength: 8 }
    )
  )
  .map(([seed, edits]) => {
    let bytes = Buffer.from(seed)
    for (const edit of edits) {
      const at = bytes.length === 0 ? 0 : edit.at % bytes.length
      if (edit.kind === "flip") {
        if (bytes.length > 0) bytes[at] = edit.byte
      } else if (edit.kind === "cut") bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)])
      else if (edit.kind === "repeat") {
        const slice = bytes.subarray(at, at + edit.length)
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          ...Array.from({ length: edit.times }, () => slice),
          bytes.subarray(at)
        ])
      } else if (edit.kind === "insert")
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.text, "latin1"), bytes.subarray(at)])
      else bytes = bytes.subarray(0, at)
    }
    return bytes
  })

const limits = { maxParts: 50, maxDepth: 8, maxHeaders: 40, maxAttachmentBytes: 2_000, maxParseMillis: 5_000 }

/** A message past `limits.maxParts`, run first: whatever the seed, the run holds a refusal. */
const tooManyParts = Buffer.from(
  `Content-Type: multipart/mixed; boundary=b\r\n\r\n${"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n".repeat(60)}--b--\r\n`
)

/** The bytes as given, or as a stream of chunks of `chunk` bytes. */
const input = (raw: Uint8Array, chunk: number | undefined) =>
  chunk === undefined
    ? raw
    : Readable.from(
        Array.from({ length: Math.ceil(raw.length / chunk) }, (_, i) => raw.subarray(i * chunk, i * chunk + chunk))
      )

const check = async (raw: Uint8Array, chunk: number | undefined, counters: { parsed: number; refused: number }) => {
  const { exit, millis } = await parse(input(raw, chunk), { limits })
  expect(millis, "parse time").toBeLessThan(limits.maxParseMillis + 1_000)
  if (Exit.isFailure(exit)) {
    const error = Cause.findErrorOption(exit.cause)
    // Only a typed failure: no defect, no interruption.
    expect(
      Option.isSome(error) && EmailError.isEmailError(error.value),
      `a typed failure, not ${String(exit.cause)}`
    ).toBe(true)
    counters.refused++
    return
  }
  counters.parsed++
  const message = exit.value
  if (message.html !== undefined) expect(Html.sanitize(message.html), "sanitised HTML is a fixpoint").toBe(message.html)
  expect(message.headers.length).toBeLessThanOrEqual(limits.maxHeaders)
  expect(message.problems.length).toBeLessThanOrEqual(50)
  for (const attachment of message.attachments) expect(attachment.size).toBeLessThanOrEqual(limits.maxAttachmentBytes)
}

describe("parseInbound on random and mutated messages", () => {
  it("never throws, fails only with typed errors, and returns within bounded time and limits", async () => {
    const counters = { parsed: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated, fc.uint8Array({ maxLength: 4_096 })),
        fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
        (raw, chunk) => check(raw, chunk, counters)
      ),
      { numRuns: 400, examples: [[tooManyParts, undefined]] }
    )
    // The run exercised both outcomes, not only one of them.
    expect(counters.parsed).toBeGreaterThan(0)
    expect(counters.refused).toBeGreaterThan(0)
  }, 120_000)
})
