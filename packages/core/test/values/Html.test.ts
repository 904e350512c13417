/**
 * `Html.sanitize`: what the policy keeps and drops, and the property that matters (#16):
 * sanitising sanitised HTML changes nothing, on generated HTML-ish text and on the XSS corpus.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Html from "../../src/values/Html.js"
import { xssCorpus } from "./xssCorpus.js"

const tag = fc.constantFrom(
  ...["p", "a", "img", "div", "table", "tbody", "tr", "td", "th", "li", "ul", "ol", "b", "span", "br", "pre"],
  ...["script", "style", "svg", "math", "textarea", "title", "xmp", "noscript", "iframe", "select", "option"],
  ...["form", "template", "plaintext", "noembed", "head", "body", "html", "base", "meta", "A", "IMG", "Svg"]
)
const attributeName = fc.constantFrom(
  ...["href", "src", "onerror", "title", "alt", "colspan", "rel", "style", "width", "xlink:href", "HREF"]
)
const attributeValue = fc.constantFrom(
  ...["cid:x", "https://a.test/c", "javascript:xss()", 'x"y', "a'b", "&amp;", "&quot;", "&#x6a;avascript:1"],
  ...["2", "<b>", "</title>", "mailto:a@b.test", "data:,x", " http://x.test", "&", "&lt;", "/rel", "//x.test"]
)
const attribute = fc
  .tuple(attributeName, attributeValue, fc.constantFrom('"', "'", ""))
  .map(([name, value, quote]) => ` ${name}=${quote}${value}${quote}`)
const token = fc.oneof(
  fc
    .tuple(tag, fc.array(attribute, { maxLength: 3 }), fc.constantFrom(">", "/>", ""))
    .map(([name, attributes, end]) => `<${name}${attributes.join("")}${end}`),
  tag.map((name) => `</${name}>`),
  fc.constantFrom(...["<!--", "-->", "<![CDATA[", "]]>", "<", ">", "&", "&amp;", "&lt;", "&#0;", "&#x3c;", '"']),
  fc.constantFrom(...["'", "=", "<!", "<?", "</", "\u0000", "\n", " ", "&nbsp;", "&notin;", "&amp", "&lt"]),
  fc.string({ maxLength: 5 })
)
/** Text that looks like HTML: tags allowed and not, attributes, entities, comments, stray brackets. */
const htmlish = fc.array(token, { maxLength: 30 }).map((tokens) => tokens.join(""))

const idempotent = (html: string) => {
  const once = Html.sanitize(html)
  expect(Html.sanitize(once)).toBe(once)
}

describe("Html.sanitize is a fixpoint", () => {
  it("sanitising generated HTML-ish text twice is the same as once", () => {
    fc.assert(
      fc.property(htmlish, (html) => idempotent(html)),
      { numRuns: 3000 }
    )
  })

  it("sanitising any string twice is the same as once", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (html) => idempotent(html)),
      { numRuns: 1000 }
    )
  })

  it("sanitising the XSS corpus, alone and nested in each other, twice is the same as once", () => {
    for (const payload of xssCorpus) idempotent(payload.html)
    const pieces = fc.constantFrom(...xssCorpus.map((payload) => payload.html))
    fc.assert(
      fc.property(fc.array(fc.tuple(pieces, htmlish), { maxLength: 4 }), (parts) => idempotent(parts.flat().join(""))),
      {
        numRuns: 500
      }
    )
  })

  it("the same holds with remote images allowed", () => {
    fc.assert(
      fc.property(htmlish, (html) => {
        const once = Html.sanitize(html, { remoteImages: true })
        expect(Html.sanitize(once, { remoteImages: true })).toBe(once)
      }),
      { numRuns: 500 }
    )
  })

  it("a body the first pass says is settled is a fixpoint after that one pass (the second pass is skipped)", () => {
    let settled = 0
    fc.assert(
      fc.property(htmlish, (html) => {
        if (!Html.settlesInOnePass(html)) return
        settled++
        idempotent(html)
      }),
      { numRuns: 3000 }
    )
    expect(settled, "most generated bodies take the one-pass path").toBeGreaterThan(1000)
  })

  it("ordinary mail HTML (a document with a style sheet, tables, paragraphs, links) settles in one pass", () => {
    const mail =
      '<html><head><style>p{color:red}</style></head><body><table width="100%"><tr><td>' +
      '<p class="p0">Hello <a href="https://example.com/help/0">details</a> <b>bold</b></p>' +
      '<p>Second</p><ul><li>one<li>two</ul></td></tr></table><img src="cid:logo@acme"></body></html>'
    expect(Html.settlesInOnePass(mail)).toBe(true)
    idempotent(mail)
  })

  // The shrunk counterexamples of the properties above, from before the fixpoint: htmlparser2
  // closes an element implicitly when a sibling opens, judging by the element just above; dropping
  // the disallowed element in between gave the output a new parent, so it parsed differently.
  describe("regressions (#16): a dropped element between two that close each other", () => {
    it.each([
      ["<p><noscript><p>", "<p></p>"],
      ["<p><body><p>", "<p></p><p></p><p></p>"],
      ["<A><p</p><A>", '<a rel="noopener noreferrer nofollow"></a><a rel="noopener noreferrer nofollow"></a>'],
      ["<a><svg><A>", '<a rel="noopener noreferrer nofollow"></a>'],
      ["<td><form><tr>", "<td></td><tr></tr>"],
      ["<tbody><svg><tbody>", "<tbody></tbody>"]
    ])("%s", (html, expected) => {
      expect(Html.sanitize(html)).toBe(expected)
      idempotent(html)
    })

    // Those whose elements, once the one between is dropped, close each other when parsed again
    // (in the others the element between hides everything in it, so one pass is a fixpoint).
    it.each(["<p><body><p>", "<A><p</p><A>", "<td><form><tr>"])(
      "%s needs a second pass, and the first sees it",
      (html) => {
        expect(Html.settlesInOnePass(html)).toBe(false)
      }
    )
  })
})

describe("Html.sanitize keeps formatting, links, tables and inline images", () => {
  it("keeps text formatting, lists, quotes and tables with their spans", () => {
    const html =
      '<h2>Hi</h2><p>Line <b>bold</b> <i>it</i> <u>u</u><br />next</p><ul><li>one</li></ul><ol start="3"><li>three</li></ol>' +
      '<blockquote>quoted</blockquote><pre><code>x &lt; y</code></pre><table><tbody><tr><th scope="col">h</th></tr><tr><td colspan="2">c</td></tr></tbody></table>'
    expect(Html.sanitize(html)).toBe(html)
  })

  it("keeps http(s), mailto and tel links, with rel=noopener noreferrer nofollow", () => {
    for (const href of [
      "https://example.com/a?b=c&amp;d=e",
      "http://example.com",
      "mailto:jane@example.com",
      "tel:+331234"
    ]) {
      expect(Html.sanitize(`<a href="${href}" target="_blank">x</a>`)).toBe(
        `<a href="${href}" rel="noopener noreferrer nofollow">x</a>`
      )
    }
  })

  it("keeps inline images by cid, with their alt text and size", () => {
    expect(Html.sanitize('<img src="cid:logo@example.com" alt="Logo" width="120" height="40">')).toBe(
      '<img src="cid:logo@example.com" alt="Logo" width="120" height="40" />'
    )
  })

  it("keeps http(s) images only when the caller allows remote images", () => {
    const html = '<img src="https://cdn.example.com/a.png" alt="a">'
    expect(Html.sanitize(html)).toBe('<img alt="a" />')
    expect(Html.sanitize(html, { remoteImages: true })).toBe('<img src="https://cdn.example.com/a.png" alt="a" />')
    expect(Html.sanitize('<img src="javascript:x()">', { remoteImages: true })).toBe("<img />")
  })
})

describe("Html.sanitize drops what runs or loads", () => {
  const dropped: ReadonlyArray<readonly [string, string, string]> = [
    ["script", "<p>a</p><script>xss()</script>", "<p>a</p>"],
    ["event handlers", '<p onclick="xss()">a</p>', "<p>a</p>"],
    ["javascript: links", '<a href="javascript:xss()">a</a>', '<a rel="noopener noreferrer nofollow">a</a>'],
    [
      "entity-obfuscated javascript:",
      '<a href="&#106;avascript:xss()">a</a>',
      '<a rel="noopener noreferrer nofollow">a</a>'
    ],
    ["vbscript: links", '<a href="vbscript:x">a</a>', '<a rel="noopener noreferrer nofollow">a</a>'],
    ["data: links", '<a href="data:text/html,x">a</a>', '<a rel="noopener noreferrer nofollow">a</a>'],
    ["relative links", '<a href="/admin">a</a>', '<a rel="noopener noreferrer nofollow">a</a>'],
    ["protocol-relative links", '<a href="//evil.test">a</a>', '<a rel="noopener noreferrer nofollow">a</a>'],
    ["relative images", '<img src="/p.gif">', "<img />"],
    ["data: images", '<img src="data:image/png;base64,AAAA">', "<img />"],
    ["style elements and their CSS", "<style>p{color:red}</style><p>a</p>", "<p>a</p>"],
    ["style attributes", '<p style="background:url(http://x.test/a)">a</p>', "<p>a</p>"],
    ["forms and inputs", '<form action="http://x.test"><input name="q"><button>go</button></form>', "go"],
    ["iframes and their srcdoc", '<iframe srcdoc="<script>x()</script>">fallback</iframe>', ""],
    ["objects and embeds", '<object data="x.swf">alt</object><embed src="x.swf">', ""],
    ["svg", "<svg><circle r=1 /><text>t</text></svg>", ""],
    ["MathML", "<math><mi>x</mi></math>", ""],
    ["meta refresh", '<meta http-equiv="refresh" content="0;url=http://x.test">', ""],
    ["base", '<base href="http://x.test/">', ""],
    ["the page title", "<head><title>Newsletter</title></head><body><p>a</p></body>", "<p>a</p>"],
    ["comments and CDATA", "<!-- c --><![CDATA[d]]><p>a</p>", "<p>a</p>"],
    ["NUL characters", "<p>a\u0000b</p>", "<p>ab</p>"]
  ]
  it.each(dropped)("%s", (_, html, expected) => {
    expect(Html.sanitize(html)).toBe(expected)
  })

  it("no payload of the XSS corpus keeps a script, a handler, a dangerous URL or a resource outside cid:", () => {
    for (const payload of xssCorpus) {
      const safe = Html.sanitize(payload.html)
      expect(safe, payload.name).not.toMatch(
        /<(script|style|iframe|object|embed|svg|math|form|input|button|meta|base|link)\b/i
      )
      expect(safe, payload.name).not.toMatch(/\son\w+\s*=/i)
      expect(safe, payload.name).not.toMatch(/(href|src)="(?!https?:|mailto:|tel:|cid:)/i)
      expect(safe, payload.name).not.toMatch(/src="(?!cid:)/i)
    }
  })

  it("a body nested thousands deep comes back bounded and keeps its text", () => {
    const deep = `${"<div>".repeat(5000)}deep${"</div>".repeat(5000)}`
    const safe = Html.sanitize(deep)
    expect(safe).toContain("deep")
    expect(safe.split("<div>").length - 1).toBeLessThanOrEqual(200)
  })
})
