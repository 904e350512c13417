/**
 * The generated hostile set of issue #16 under the default limits: multipart depth 10,000, 1,100
 * sibling parts, a 1.1 MiB header, UTF-32 base64 bodies, 1,500 `cid:` references to one image,
 * attachment names like `../x` and `a\0b`, `__proto__` headers. Each ends in its expected result
 * (a typed error or an honest parse), nothing is stored for a refused one, and the whole set never
 * blocks the event loop for more than 100 ms at a time (measured with `monitorEventLoopDelay`).
 */
import { monitorEventLoopDelay } from "node:perf_hooks"
import { Cause, Exit, Option } from "effect"
import { describe, expect, it } from "vitest"
import { EmailLimits } from "../src/index.js"
import { badNames, cidReferences, hostile, protoHeaders, utf32 } from "./support/messages.js"
import { parse, parsed, storedCount } from "./support/parse.js"

describe("the hostile set of issue #16", () => {
  it("each message ends as expected, within the parse time limit, and never blocks the event loop 100 ms", async () => {
    // Warm up first: loading and compiling the parser's code once is not a property of the input.
    for (const { raw } of hostile) await parse(raw)
    const results: Array<{ name: string; result: string; millis: number; stored: number; delayMs: number }> = []
    for (const { name, raw } of hostile) {
      const delay = monitorEventLoopDelay({ resolution: 10 })
      delay.enable()
      const { exit, millis, store } = await parse(raw)
      delay.disable()
      const error = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : Option.none()
      const result = Exit.isSuccess(exit) ? "parsed" : Option.isSome(error) ? error.value._tag : "defect"
      results.push({ name, result, millis, stored: await storedCount(store), delayMs: delay.max / 1e6 })
    }
    console.log(
      `hostile set: ${JSON.stringify(results.map(({ name, result, millis, delayMs }) => ({ name, result, ms: Math.round(millis), maxEventLoopDelayMs: Math.round(delayMs) })))}`
    )
    expect(results.map(({ name, result }) => ({ name, result }))).toEqual(
      hostile.map(({ name, expect }) => ({ name, result: expect }))
    )
    for (const { millis } of results) expect(millis).toBeLessThan(EmailLimits.defaults.maxParseMillis)
    // Nothing of a refused message is kept (no raw asked for), and only the parsed ones stored attachments.
    expect(results.filter(({ result }) => result !== "parsed").every(({ stored }) => stored === 0)).toBe(true)
    expect(Math.max(...results.map(({ delayMs }) => delayMs))).toBeLessThan(100)
  })

  it("1,500 cid: references to one image stay 1,500 references to one stored, inline attachment", async () => {
    const { exit, millis, store } = await parse(cidReferences(1_500))
    if (!Exit.isSuccess(exit)) throw new Error(String(exit.cause))
    expect(exit.value.html?.match(/src="cid:logo@x"/g)?.length).toBe(1_500)
    expect(exit.value.attachments).toHaveLength(1)
    expect(exit.value.attachments[0]).toMatchObject({ contentId: "logo@x", inline: true })
    expect(exit.value.html?.length).toBeLessThan(40_000)
    expect(await storedCount(store)).toBe(1)
    expect(millis).toBeLessThan(2_000)
  })

  it("a UTF-32 base64 body is decoded", async () => {
    expect((await parsed(utf32("Grüße 🙂"))).text).toBe("Grüße 🙂")
  })

  it("attachment names are reduced to a safe display name, with a problem for each rename", async () => {
    const parsedMessage = await parsed(badNames())
    expect(parsedMessage.attachments.map((attachment) => attachment.fileName)).toEqual(["x", "ab", "evil.exe"])
    expect(parsedMessage.problems).toEqual([
      'attachment name "../x" kept as "x"',
      'attachment name "a\\u0000b" kept as "ab"',
      'attachment name "..\\\\..\\\\windows\\\\evil.exe" kept as "evil.exe"'
    ])
  })

  it("__proto__ and other Object.prototype names are headers like any other, and pollute nothing", async () => {
    const parsedMessage = await parsed(protoHeaders())
    expect(parsedMessage.headers.map((header) => header.name)).toContain("__proto__")
    expect(parsedMessage.headers.find((header) => header.name === "constructor")?.value).toBe("prototype")
    expect(Object.getPrototypeOf(parsedMessage.headers)).toBe(Array.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false)
    expect(parsedMessage.text).toBe("hello")
  })
})
