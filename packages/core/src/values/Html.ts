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
  nestingLimit: 200,
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

/**
 * Passes of sanitize-html before a body counts as hopeless. Why one pass is not always a fixpoint:
 * htmlparser2 closes some elements implicitly when a sibling opens (`<p>` before `<p>`, `<a>`
 * before `<a>`, `<td>` before `<tr>`), judging by the element just above. Dropping a disallowed
 * element while keeping its children (`<p><noscript><p>`) gives them a new parent, so the output
 * (`<p><p></p></p>`) parses differently the next time (`<p></p><p></p>`). A second pass drops
 * nothing more, so it is a fixpoint in practice; the bound makes it one by construction.
 */
const maxPasses = 4

const fixpoint = (html: string, rules: sanitizeHtml.IOptions): string => {
  let current = once(html, rules)
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
 * The same as `sanitize(html)` with the default policy, at the cost of a hash for a body this
 * process has already seen come out of `sanitize`: what reads use for stored bodies, which were
 * sanitised when written unless they were stored before sanitising existed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sanitizeStored = (html: string): string => (known.get(fingerprint(html)) ? html : sanitize(html))
