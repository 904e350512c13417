/**
 * Mentions in an internal note: `@mary` tells Mary about the note. `parse` reads the handles a
 * note's text mentions (the grammar is on `parse`), and `NoteAdded` records them, so rules,
 * reports and the notifier read the same list. Agents have no handle field of their own: a
 * handle stays as written (lower case) on the event, and `resolve` says which agents a handle
 * names, when the notification is delivered.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The most mentions one note records: the first ones, in the order they appear. A note that
 * names more people than this is a broadcast, not a request for someone's attention.
 *
 * @category models
 * @since 0.1.0
 */
export const maxMentions = 20

/**
 * The longest handle, in characters. A longer run of handle characters after `@` is no mention.
 *
 * @category models
 * @since 0.1.0
 */
export const maxHandleLength = 64

/**
 * A handle as recorded: lower case letters, digits, `.`, `_` and `-`, starting and ending with a
 * letter or a digit, at most `maxHandleLength` characters.
 *
 * @category models
 * @since 0.1.0
 */
export const Handle = Schema.String.check(
  Schema.isPattern(/^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/, {
    message:
      "Expected a handle: lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit"
  }),
  Schema.isMaxLength(maxHandleLength)
)
/** @category models @since 0.1.0 */
export type Handle = typeof Handle.Type

/** What may stand right before the `@` of a mention: a word starts there. */
const opening = new Set([..."([{<\"'“‘«,;:!?*"])
const isSpace = (c: string) => /\s/u.test(c)
const isHandleChar = (c: string) => /[A-Za-z0-9._-]/.test(c)
/** A letter, digit or mark right after a handle would cut a word in two (`@marié`): no mention. */
const isWordChar = (c: string) => /[\p{L}\p{N}\p{M}]/u.test(c)
const isAlnum = (c: string) => /[A-Za-z0-9]/.test(c)
const trailing = /[._-]+$/

/** Whether a line is quoted (`> ...`, as mail quotes what it answers): what it mentions is someone else's. */
const isQuoted = (line: string) => /^\s*>/.test(line)

/**
 * The handles a note's text mentions, lower case, each once, in the order they first appear, at
 * most `maxMentions`. A mention is `@` followed by a handle:
 *
 * - the `@` starts a word: it opens the line or follows white space or one of `( [ { < " ' “ ‘ «
 *   , ; : ! ? *`, so an address (`jane@example.com`) or a path (`/@mary`) mentions nobody;
 * - the handle is the run of `A-Z a-z 0-9 . _ -` after it, starting with a letter or a digit,
 *   without the `.`, `_` or `-` it ends with (`@mary.` at the end of a sentence is `mary`), at
 *   most `maxHandleLength` characters;
 * - the run is followed by the end of the text or by something that is neither `@` (`@jane@example.com`
 *   is an address) nor a letter, digit or mark (`@marié` is not `@mari`);
 * - lines quoted with `>` are skipped: they are what someone else wrote.
 *
 * Case does not matter (`@Mary` is `mary`). The text is read once, left to right.
 *
 * @example
 * Mention.parse("@Mary can you check? cc jane@example.com, @bob.") // ["mary", "bob"]
 *
 * @category combinators
 * @since 0.1.0
 */
export const parse = (text: string): ReadonlyArray<Handle> => {
  const found: Array<Handle> = []
  const seen = new Set<string>()
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (isQuoted(line)) continue
    let i = line.indexOf("@")
    while (i >= 0 && found.length < maxMentions) {
      const before = i === 0 ? undefined : line[i - 1]
      let end = i + 1
      while (end < line.length && isHandleChar(line[end] as string)) end++
      const after = line[end]
      // Too long is no mention, decided before any pattern reads the run: it stays short.
      const run = end - i - 1 <= maxHandleLength ? line.slice(i + 1, end) : ""
      const handle = run.replace(trailing, "").toLowerCase()
      const startsWord = before === undefined || isSpace(before) || opening.has(before)
      const ends = after === undefined || (after !== "@" && !isWordChar(after))
      if (startsWord && ends && handle.length > 0 && isAlnum(handle[0] as string) && !seen.has(handle)) {
        seen.add(handle)
        found.push(handle as Handle)
      }
      i = line.indexOf("@", Math.max(end, i + 1))
    }
    if (found.length >= maxMentions) break
  }
  return found
}

/**
 * What `resolve` needs of an agent (a `Directory.Agent` has it all).
 *
 * @category models
 * @since 0.1.0
 */
export interface Named {
  readonly id: string
  readonly name: string
  readonly email: string
  readonly active?: boolean
}

const local = (email: string) => (email.split("@")[0] ?? "").split("+")[0]?.toLowerCase() ?? ""
const nameWords = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "")

/**
 * The agents a handle names, among `agents` (inactive ones left out), tried in this order, the
 * first that names anyone winning: the local part of their address (`mary.smith@acme.test` and
 * `mary.smith+support@acme.test` are `@mary.smith`); their whole name, its words (accents
 * folded) joined by `.`, `_`, `-` or nothing (`Mary Smith` is `@mary.smith`, `@marysmith`);
 * their first name (`@mary`), which may name several agents: each of them is told.
 *
 * @category combinators
 * @since 0.1.0
 */
export const resolve = <A extends Named>(handle: string, agents: ReadonlyArray<A>): ReadonlyArray<A> => {
  const wanted = handle.toLowerCase()
  const active = agents.filter((a) => a.active !== false)
  const byAddress = active.filter((a) => local(a.email) === wanted)
  if (byAddress.length > 0) return byAddress
  const byName = active.filter((a) => {
    const words = nameWords(a.name)
    return words.length > 0 && [".", "_", "-", ""].some((glue) => words.join(glue) === wanted)
  })
  if (byName.length > 0) return byName
  return active.filter((a) => nameWords(a.name)[0] === wanted)
}
