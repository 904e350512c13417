// #16: the team's corpus of real-world messages (test/corpus/*.eml, written by hand for this
// project) through `parseInbound`, each against its expectations in test/corpus/expected.json.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { MemoryAttachmentStore } from "@tessera/core"
import { type Inbound, parseInbound } from "@tessera/email"
import { DateTime, Effect } from "effect"
import { describe, expect, it } from "vitest"

interface Expectation {
  readonly description: string
  readonly kind: Inbound.Kind
  readonly reasons?: ReadonlyArray<string>
  readonly from?: string | null
  readonly to?: ReadonlyArray<string>
  readonly cc?: ReadonlyArray<string>
  readonly replyTo?: ReadonlyArray<string>
  readonly subject?: string
  readonly date?: string | null
  readonly visible?: string
  readonly visibleContains?: ReadonlyArray<string>
  readonly visibleExcludes?: ReadonlyArray<string>
  readonly textContains?: ReadonlyArray<string>
  readonly threading?: {
    readonly messageId?: string | null
    readonly inReplyTo?: ReadonlyArray<string>
    readonly references?: ReadonlyArray<string>
    readonly subjectNumber?: number | null
    readonly plusTokens?: ReadonlyArray<string>
  }
  /** The attachments in order; a field left out is not checked. */
  readonly attachments?: ReadonlyArray<{
    readonly fileName?: string
    readonly contentType?: string
    readonly inline?: boolean
    readonly contentId?: string
    readonly size?: number
  }>
  readonly html?: null | { readonly contains?: ReadonlyArray<string>; readonly excludes?: ReadonlyArray<string> }
  /** `true`: at least one problem; `false`: none; strings: each is part of some problem. */
  readonly problems?: boolean | ReadonlyArray<string>
}

const dir = join(import.meta.dirname, "corpus")
const expectations: Readonly<Record<string, Expectation>> = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"))
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".eml"))
  .sort()

const parse = (name: string) =>
  Effect.runPromise(parseInbound(readFileSync(join(dir, name))).pipe(Effect.provide(MemoryAttachmentStore.layer)))

const addresses = (list: ReadonlyArray<Inbound.Address>) => list.map((a) => a.address)

// What holds for every message, whatever it is.
const invariants = (message: Inbound.InboundMessage) => {
  // The visible reply only ever drops lines of the text; it never invents one.
  const textLines = new Set(
    message.text
      .replace(/\r\n?/gu, "\n")
      .split("\n")
      .map((line) => line.replace(/[ \t]+$/u, ""))
  )
  for (const line of message.visibleText.split("\n")) {
    if (line !== "") expect(textLines.has(line), `visible line ${JSON.stringify(line)} is in the text`).toBe(true)
  }
  // An attachment name is never a path.
  for (const { fileName } of message.attachments) {
    expect(fileName).not.toMatch(/[/\\\0]|^\.\.?$/u)
    expect(fileName.length).toBeGreaterThan(0)
  }
  expect(message.classification.kind === "human").toBe(message.classification.reasons.length === 0)
}

const check = (message: Inbound.InboundMessage, e: Expectation) => {
  invariants(message)
  expect(message.classification.kind).toBe(e.kind)
  for (const reason of e.reasons ?? []) {
    expect(
      message.classification.reasons.some((r) => r.includes(reason)),
      `reason ${reason}`
    ).toBe(true)
  }
  if (e.from !== undefined) expect(message.from?.address).toBe(e.from ?? undefined)
  if (e.to !== undefined) expect(addresses(message.to)).toEqual(e.to)
  if (e.cc !== undefined) expect(addresses(message.cc)).toEqual(e.cc)
  if (e.replyTo !== undefined) expect(addresses(message.replyTo)).toEqual(e.replyTo)
  if (e.subject !== undefined) expect(message.subject).toBe(e.subject)
  if (e.date !== undefined) {
    expect(message.date === undefined ? null : DateTime.formatIso(message.date)).toBe(e.date)
  }
  if (e.visible !== undefined) expect(message.visibleText).toBe(e.visible)
  for (const line of e.visibleContains ?? []) expect(message.visibleText).toContain(line)
  for (const line of e.visibleExcludes ?? []) expect(message.visibleText).not.toContain(line)
  for (const line of e.textContains ?? []) expect(message.text).toContain(line)
  const t = e.threading
  if (t?.messageId !== undefined) expect(message.threading.messageId).toBe(t.messageId ?? undefined)
  if (t?.inReplyTo !== undefined) expect(message.threading.inReplyTo).toEqual(t.inReplyTo)
  if (t?.references !== undefined) expect(message.threading.references).toEqual(t.references)
  if (t?.subjectNumber !== undefined) expect(message.threading.subjectNumber).toBe(t.subjectNumber ?? undefined)
  if (t?.plusTokens !== undefined) expect(message.threading.plusTokens).toEqual(t.plusTokens)
  if (e.attachments !== undefined) {
    expect(message.attachments.length).toBe(e.attachments.length)
    e.attachments.forEach((want, i) => {
      const got = message.attachments[i]
      if (want.fileName !== undefined) expect(got?.fileName).toBe(want.fileName)
      if (want.contentType !== undefined) expect(got?.contentType).toBe(want.contentType)
      if (want.inline !== undefined) expect(got?.inline).toBe(want.inline)
      if (want.contentId !== undefined) expect(got?.contentId).toBe(want.contentId)
      if (want.size !== undefined) expect(got?.size).toBe(want.size)
    })
  }
  if (e.html === null) expect(message.html).toBeUndefined()
  else if (e.html !== undefined) {
    expect(message.html).toBeDefined()
    for (const part of e.html.contains ?? []) expect(message.html).toContain(part)
    for (const part of e.html.excludes ?? []) expect(message.html?.toLowerCase()).not.toContain(part.toLowerCase())
  }
  if (e.problems === true) expect(message.problems.length).toBeGreaterThan(0)
  else if (e.problems === false) expect(message.problems).toEqual([])
  else {
    for (const part of e.problems ?? []) {
      expect(
        message.problems.some((p) => p.includes(part)),
        `problem ${part} in ${message.problems}`
      ).toBe(true)
    }
  }
}

describe("the corpus", () => {
  it("holds at least 60 messages, each with its expectations and no expectation without a message", () => {
    expect(files.length).toBeGreaterThanOrEqual(60)
    expect(Object.keys(expectations).sort()).toEqual(files)
  })

  it("covers every classification", () => {
    const kinds = new Set(Object.values(expectations).map((e) => e.kind))
    expect([...kinds].sort()).toEqual(["auto-reply", "bounce", "human", "list"])
  })

  it.each(files)("%s", async (name) => {
    const expectation = expectations[name]
    expect(expectation, `expectations for ${name}`).toBeDefined()
    if (expectation === undefined) return
    check(await parse(name), expectation)
  })
})
