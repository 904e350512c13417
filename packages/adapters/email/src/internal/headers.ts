/**
 * The message's header lines as data: the bounded `headers` list (name and decoded value, in
 * order, never an object keyed by header name, so `__proto__` is just a name), and the fields
 * threading reads from them (Message-IDs without angle brackets, the `Date:`, a ticket number in
 * the subject). mailparser has split and unfolded nothing here we rely on beyond the raw lines.
 */
import { TextDecoder } from "node:util"
import { DateTime, Option } from "effect"
import type * as Inbound from "../Inbound.js"

/** A raw header line as mailsplit keeps it: lower-cased name, the line with its folding. */
export interface Line {
  readonly key: string
  readonly line: string
}

const encodedWord = /=\?([^?\s]{1,64})\?([BbQq])\?([^?\s]*)\?=/g

const decoders = new Map<string, TextDecoder | undefined>()

const decoderFor = (charset: string): TextDecoder | undefined => {
  const label = charset.replace(/\*.*$/, "").toLowerCase()
  if (decoders.has(label)) return decoders.get(label)
  let decoder: TextDecoder | undefined
  try {
    decoder = new TextDecoder(label)
  } catch {
    decoder = undefined
  }
  // Headers may name any charset: keep the memo small.
  if (decoders.size < 64) decoders.set(label, decoder)
  return decoder
}

const wordBytes = (encoding: string, text: string): Buffer =>
  encoding === "B" || encoding === "b"
    ? Buffer.from(text, "base64")
    : Buffer.from(
        text
          .replace(/_/g, " ")
          .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
        "latin1"
      )

/**
 * A header value with its RFC 2047 encoded words decoded (`=?utf-8?B?...?=`); a word in a charset
 * nobody knows stays as written.
 */
export const decodeWords = (value: string): string =>
  // Most values hold no encoded word: both steps below need a `=?`.
  !value.includes("=?")
    ? value
    : value
        // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
        .replace(/(\?=)[ \t\r\n]+(?==\?)/g, "$1")
        .replace(encodedWord, (word, charset: string, encoding: string, text: string) => {
          const decoder = decoderFor(charset)
          return decoder === undefined ? word : decoder.decode(wordBytes(encoding, text))
        })

/** The value of a raw header line: after the name, unfolded, raw 8-bit bytes read as UTF-8. */
export const valueOf = (line: Line): string => {
  const colon = line.line.indexOf(":")
  const raw = colon < 0 ? "" : line.line.slice(colon + 1)
  const unfolded = raw.replace(/\r?\n(?=[ \t])/g, "")
  // ASCII reads the same in latin1 and UTF-8: only 8-bit bytes need the round trip.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII
  return (/[^\u0000-\u007f]/.test(unfolded) ? Buffer.from(unfolded, "latin1").toString("utf8") : unfolded).trim()
}

/** The `headers` list: at most `max` entries, in order, names lower-cased, values decoded. */
export const list = (lines: ReadonlyArray<Line>, max: number): ReadonlyArray<Inbound.Header> =>
  lines.slice(0, max).map((line) => ({ name: line.key, value: decodeWords(valueOf(line)) }))

/** The values of every line named `name`. */
export const values = (lines: ReadonlyArray<Line>, name: string): ReadonlyArray<string> =>
  lines.filter((line) => line.key === name).map(valueOf)

/** Message-IDs one threading header may list; References of real mail hold a few dozen. */
const maxIds = 200

/**
 * The Message-IDs a header value lists, without angle brackets (`<a@b> <c@d>` is `a@b`, `c@d`); a
 * value without brackets is read as whitespace-separated ids.
 */
export const messageIds = (value: string): ReadonlyArray<string> => {
  const bracketed = [...value.matchAll(/<([^<>\s]{1,998})>/g)].map((match) => match[1] as string)
  const ids = bracketed.length > 0 ? bracketed : value.split(/[\s,]+/).filter((id) => id.length > 0 && id.length <= 998)
  return [...new Set(ids)].slice(-maxIds)
}

/** The `Date:` header, when it parses. */
export const date = (value: string | undefined): DateTime.Utc | undefined =>
  value === undefined || value.length === 0 || value.length > 200
    ? undefined
    : Option.getOrUndefined(DateTime.make(value))

/** A ticket number written in the subject as `[#69369]`. */
export const subjectNumber = (subject: string): number | undefined => {
  const match = /\[#(\d{1,15})\]/.exec(subject)
  if (match === null) return undefined
  const number = Number(match[1])
  return Number.isSafeInteger(number) && number > 0 ? number : undefined
}
