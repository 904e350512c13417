/**
 * The one HTML sanitiser of Tessera: every HTML body that enters a ticket (API, web form, rule,
 * email) goes through `sanitize` before it is stored, so what a read returns never runs script in
 * a browser. It keeps formatting, links and tables, drops scripts, event handlers, `javascript:`
 * URLs and styles, and loads no external resource: images keep only `cid:` sources (inline
 * attachments) unless the caller allows remote ones. The work itself is sanitize-html's.
 */
import sanitizeHtml from "sanitize-html"

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
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: { a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow" }) }
})

const defaultPolicy = policy({})

/**
 * The HTML with everything that could run or load dropped. Sanitising the result again changes
 * nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sanitize = (html: string, options?: Options): string =>
  sanitizeHtml(html, options === undefined ? defaultPolicy : policy(options))
