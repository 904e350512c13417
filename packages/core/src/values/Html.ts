/**
 * The one HTML sanitiser of Tessera: every HTML body that enters a ticket (API, Promise facade,
 * rule, email) goes through `sanitize` when its command is decided, and a read sanitises what was
 * stored before that rule existed, so what a read returns never runs script or loads anything in a
 * browser. It keeps formatting, links and tables and drops the rest (see `docs/limits.md`, "HTML
 * bodies"); the parsing is sanitize-html's, the policy and the fixpoint guarantee are ours.
 */
import sanitizeHtml from "sanitize-html"
import { hash53 } from "../internal/hash.js"
import * as Lru from "../internal/lru.js"

/**
 * What a sanitised body may keep beyond the default.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Keep `http(s):` image sources (tracking pixels load when rendered). Default: false. */
  readonly remoteImages?: boolean
}

const tags = [...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== "style"), "img"]

// Elements whose text means nothing in a message body (CSS, script, a page title, the raw text of
// plug-ins and foreign content): their text goes with them instead of showing up as prose.
const nonTextTags = [
  ...["script", "style", "textarea", "option", "noscript"],
  ...["title", "xmp", "noembed", "noframes", "iframe", "template", "object", "applet", "svg", "math"]
]

const linkSchemes = /^(?:https?:|mailto:|tel:)/i
const imageSchemes = (options: Options) => (options.remoteImages === true ? /^(?:cid:|https?:)/i : /^cid:/i)

/**
 * Keeps a URL attribute only if it names one of the schemes outright. sanitize-html lets relative
 * URLs through whatever the scheme list says; a relative link or image would point into the app
 * that renders the message (a request to its own origin), so none is kept.
 */
const onlySchemes =
  (attribute: string, schemes: RegExp): sanitizeHtml.Transformer =>
  (tagName, attribs) => {
    const kept: Record<string, string> = {}
    for (const [name, value] of Object.entries(attribs)) {
      if (name !== attribute) kept[name] = value
      else if (schemes.test(value.trim())) kept[name] = value.trim()
    }
    return { tagName, attribs: kept }
  }

/** Elements deeper than this are dropped (their text kept). */
const nestingLimit = 200

const policy = (options: Options): sanitizeHtml.IOptions => ({
  allowedTags: tags,
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "title", "width", "height"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan", "scope"],
    ol: ["start", "type"]
  },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: options.remoteImages === true ? ["cid", "http", "https"] : ["cid"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  nonTextTags,
  // No style attribute is kept, so no CSS is parsed (sanitize-html would need postcss for it).
  parseStyleAttributes: false,
  // Deeper elements are dropped (their text kept): a body nested thousands deep only slows the agent's browser.
  nestingLimit,
  transformTags: {
    a: (tagName, attribs) => {
      const kept = onlySchemes("href", linkSchemes)(tagName, attribs)
      return { tagName: "a", attribs: { ...kept.attribs, rel: "noopener noreferrer nofollow" } }
    },
    img: onlySchemes("src", imageSchemes(options))
  }
})

const defaultPolicy = policy({})
const remotePolicy = policy({ remoteImages: true })

// NUL is no character of HTML text: browsers show U+FFFD for it, some tools stop at it.
const once = (html: string, rules: sanitizeHtml.IOptions): string => sanitizeHtml(html.replaceAll("\u0000", ""), rules)

// htmlparser2's `openImpliesClose` (Parser.ts, htmlparser2 12): opening the key closes the
// element just above when it is one of these. Copied, as htmlparser2 does not export it; the
// fixpoint properties in test/values/Html.test.ts fail if a newer table differs where it matters.
const pTag = ["p"]
const headings = ["h1", "h2", "h3", "h4", "h5", "h6", "p"]
const formTags = ["input", "option", "optgroup", "select", "button", "datalist", "textarea"]
const openImpliesClose = new Map<string, ReadonlySet<string>>(
  Object.entries({
    tr: ["tr", "th", "td"],
    th: ["th"],
    td: ["thead", "th", "td"],
    body: ["head", "link", "script"],
    a: ["a"],
    li: ["li"],
    ...Object.fromEntries(
      ["p", "address", "article", "aside", "blockquote", "details", "div", "dl"].map((t) => [t, pTag])
    ),
    ...Object.fromEntries(["fieldset", "figcaption", "figure", "footer", "form", "header", "hr"].map((t) => [t, pTag])),
    ...Object.fromEntries(["main", "nav", "ol", "pre", "section", "table", "ul"].map((t) => [t, pTag])),
    ...Object.fromEntries(["h1", "h2", "h3", "h4", "h5", "h6"].map((t) => [t, headings])),
    ...Object.fromEntries(["select", "input", "output", "button", "datalist", "textarea"].map((t) => [t, formTags])),
    option: ["option"],
    optgroup: ["optgroup", "option"],
    dd: ["dd", "dt"],
    dt: ["dd", "dt"],
    rt: ["rt", "rp"],
    rp: ["rt", "rp"],
    tbody: ["thead", "tbody"],
    tfoot: ["thead", "tbody"]
  }).map(([tag, closes]) => [tag, new Set(closes)])
)
const kept = new Set(tags)
const hidden = new Set(nonTextTags)

/**
 * One pass, and whether its output is a fixpoint by construction. Its output is the tree the
 * parser saw minus the dropped elements, so parsing it again gives the same tree unless a kept
 * element now sits right under a kept element its opening closes (a dropped element was between
 * them: `<p><noscript><p>`), or the nesting limit dropped elements. The pass watches for both
 * as it parses; only then is a second pass needed (`fixpoint`).
 */
const firstPass = (
  html: string,
  rules: sanitizeHtml.IOptions
): { readonly safe: string; readonly settled: boolean } => {
  const open: Array<{ readonly name: string; readonly kept: boolean; readonly hides: boolean }> = []
  const keptOpen: Array<string> = []
  let settled = true
  const safe = once(html, {
    ...rules,
    onOpenTag: (name) => {
      const parent = open[open.length - 1]
      const inHidden = parent?.hides === true
      const keeps = kept.has(name) && !inHidden
      if (open.length + 1 >= nestingLimit) settled = false
      const above = keptOpen[keptOpen.length - 1]
      if (keeps && above !== undefined && openImpliesClose.get(name)?.has(above) === true) settled = false
      open.push({ name, kept: keeps, hides: inHidden || (!kept.has(name) && hidden.has(name)) })
      if (keeps) keptOpen.push(name)
    },
    onCloseTag: (name) => {
      const closed = open.pop()
      if (closed?.name !== name) settled = false
      if (closed?.kept === true) keptOpen.pop()
    }
  })
  return { safe, settled }
}

/**
 * Passes of sanitize-html before a body counts as hopeless. Why one pass is not always a fixpoint:
 * htmlparser2 closes some elements implicitly when a sibling opens (`<p>` before `<p>`, `<a>`
 * before `<a>`, `<td>` before `<tr>`), judging by the element just above. Dropping a disallowed
 * element while keeping its children (`<p><noscript><p>`) gives them a new parent, so the output
 * (`<p><p></p></p>`) parses differently the next time (`<p></p><p></p>`). The first pass tells
 * when that can happen (`firstPass`); only then do more passes run. A second pass drops nothing
 * more, so it is a fixpoint in practice; the bound makes it one by construction.
 */
const maxPasses = 4

const fixpoint = (html: string, rules: sanitizeHtml.IOptions): string => {
  const first = firstPass(html, rules)
  if (first.settled) return first.safe
  let current = first.safe
  for (let pass = 1; pass < maxPasses; pass++) {
    const next = once(current, rules)
    if (next === current) return current
    current = next
  }
  // Never seen; if a body ever kept changing, nothing of it is safer than a body that is not a fixpoint.
  return ""
}

// Bodies this process has seen come out of `sanitize` (default policy), by fingerprint: a read
// of a stored body, sanitised when it was written, is then one pass of a hash over it instead of
// two of sanitize-html. About 4 MB at most.
const known = Lru.make<string, true>(65_536)
const fingerprint = (html: string) => `${html.length}:${hash53(html)}`

/**
 * The HTML with everything that could run or load dropped. The result is a fixpoint: sanitising
 * it again changes nothing (`sanitize(sanitize(h)) === sanitize(h)` for every string `h`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const sanitize = (html: string, options?: Options): string => {
  const safe = fixpoint(html, options?.remoteImages === true ? remotePolicy : defaultPolicy)
  if (options?.remoteImages !== true) known.set(fingerprint(safe), true)
  return safe
}

/**
 * Whether one pass of the parser already makes `html` a fixpoint (nothing dropped between two
 * elements one of which closes the other, nothing beyond the nesting limit): then `sanitize`
 * parses it once, otherwise until nothing changes. For tests and diagnostics.
 *
 * @category predicates
 * @since 0.1.0
 */
export const settlesInOnePass = (html: string, options?: Options): boolean =>
  firstPass(html, options?.remoteImages === true ? remotePolicy : defaultPolicy).settled

/**
 * The same as `sanitize(html)` with the default policy, at the cost of a hash for a body this
 * process has already seen come out of `sanitize`: what reads use for stored bodies, which were
 * sanitised when written unless they were stored before sanitising existed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sanitizeStored = (html: string): string => (known.get(fingerprint(html)) ? html : sanitize(html))
