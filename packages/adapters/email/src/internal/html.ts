/**
 * The HTML body made safe without holding the event loop: core's `Html.sanitize` is synchronous,
 * so a large body is sanitised in slices cut at tag starts where no element is open, yielding
 * between them. Each slice's output is balanced, allowed markup with its text escaped, so the
 * concatenation is as safe as a one-piece sanitise. The text of an HTML-only message is derived
 * from that sanitised HTML, which holds no script or style to skip.
 */
import { Html } from "@tessera/core"
import { Effect } from "effect"

/** Lets the event loop run between two bounded steps. */
export const yieldToEventLoop: Effect.Effect<void> = Effect.callback<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Tags sanitised in one go: about 5 µs each on a quiet core, so a slice stays near 3 ms. */
const sliceTags = 500

/** Characters past which a slice is cut at the next top-level tag. */
const sliceLength = 32 * 1024

/** Characters past which a slice is cut at the next tag, top-level or not. */
const hardSliceLength = 128 * 1024

/** Elements that hold no content, and those a sibling closes (`<p>`, `<li>`...): they do not nest. */
const flat = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
  "p",
  "li",
  "dt",
  "dd",
  "option",
  "optgroup",
  "tr",
  "td",
  "th",
  "thead",
  "tbody",
  "tfoot",
  "rt",
  "rp"
])

/** Elements whose content is raw text up to their end tag (a `<` in them starts no tag). */
const rawText = new Set(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"])

/**
 * Where to cut `html` into slices: at a tag start where no element is open (so no element spans
 * a cut) once a slice holds `sliceTags` tags or `sliceLength` characters, and at any tag start
 * past `hardSliceLength`. One linear pass over the tags; it decides cuts, not safety.
 */
const cuts = (html: string): ReadonlyArray<number> => {
  const found: Array<number> = []
  const open: Array<string> = []
  let sliceStart = 0
  let tags = 0
  for (let at = html.indexOf("<"); at >= 0 && at < html.length; ) {
    if (html.startsWith("<!--", at)) {
      const end = html.indexOf("-->", at + 4)
      at = end < 0 ? -1 : html.indexOf("<", end + 3)
      continue
    }
    const closing = html[at + 1] === "/"
    const name = /^[a-zA-Z][a-zA-Z0-9:-]*/.exec(html.slice(at + (closing ? 2 : 1), at + 40))?.[0]?.toLowerCase()
    if (name === undefined) {
      at = html.indexOf("<", at + 1)
      continue
    }
    const size = at - sliceStart
    if (
      !closing &&
      size > 0 &&
      ((open.length === 0 && (tags >= sliceTags || size >= sliceLength)) || size >= hardSliceLength)
    ) {
      found.push(at)
      sliceStart = at
      tags = 0
    }
    tags++
    const end = html.indexOf(">", at)
    if (end < 0) break
    if (!closing && rawText.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, end)
      at = close < 0 ? -1 : close
      continue
    }
    if (!flat.has(name) && !html.startsWith("/>", end - 1)) {
      if (!closing) open.push(name)
      else {
        const index = open.lastIndexOf(name)
        if (index >= 0) open.length = index
      }
    }
    at = html.indexOf("<", end + 1)
  }
  return found
}

/**
 * Whether `cuts` would find no cut, told by counting `<` (a tag needs one): the usual body skips
 * the pass over its tags.
 */
const fitsOneSlice = (html: string): boolean => {
  if (html.length >= sliceLength) return false
  let tags = 0
  for (let at = html.indexOf("<"); at >= 0; at = html.indexOf("<", at + 1)) {
    if (++tags >= sliceTags) return false
  }
  return true
}

/**
 * `Html.sanitize(html, options)`, in slices of about 128 KiB with the event loop free between them.
 */
export const sanitize = (html: string, options: Html.Options | undefined): Effect.Effect<string> =>
  fitsOneSlice(html)
    ? Effect.sync(() => Html.sanitize(html, options))
    : Effect.gen(function* () {
        const at = cuts(html)
        if (at.length === 0) return Html.sanitize(html, options)
        const pieces: Array<string> = []
        for (const [index, from] of [0, ...at].entries()) {
          pieces.push(Html.sanitize(html.slice(from, at[index]), options))
          yield* yieldToEventLoop
        }
        return pieces.join("")
      })

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " }

const decodeEntity = (entity: string, name: string): string => {
  if (name.startsWith("#")) {
    const code =
      name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10)
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity
  }
  return entities[name.toLowerCase()] ?? entity
}

/** Block ends, breaks and tags to text, without the final tidying. */
const segmentText = (html: string): string =>
  html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(?:p|div|h[1-6]|li|tr|table|pre|ul|ol|section|article|header|footer|dd|dt)>/gi, "\n")
    .replace(/<hr\s*\/?>/gi, "\n")
    .replace(/<\/t[dh]>/gi, "\t")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/g, decodeEntity)

/**
 * The text of sanitised HTML: block ends and `<br>` become line breaks, cells are separated by
 * tabs, tags are dropped and the entities the sanitiser writes are decoded. Text inside a
 * `<blockquote>` gets one `> ` per level, as a plain-text client would quote it, so the visible
 * reply keeps answers written between quoted blocks.
 */
export const toText = (sanitized: string): string => {
  const out: Array<string> = []
  let depth = 0
  for (const piece of sanitized.split(/(<blockquote\b[^>]*>|<\/blockquote>)/i)) {
    if (/^<blockquote\b/i.test(piece)) {
      depth++
      out.push("\n")
    } else if (/^<\/blockquote>$/i.test(piece)) {
      depth = Math.max(0, depth - 1)
      out.push("\n")
    } else if (depth === 0) out.push(segmentText(piece))
    else {
      const prefix = "> ".repeat(depth)
      const lines = segmentText(piece)
        .split("\n")
        .filter((line) => line.trim().length > 0)
      out.push(lines.map((line) => `${prefix}${line}`).join("\n"))
    }
  }
  return out
    .join("")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
}
