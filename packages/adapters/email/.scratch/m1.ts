import { Html } from "@tessera/core"
import { htmlToText } from "../../../../node_modules/.pnpm/html-to-text@10.0.1/node_modules/html-to-text/lib/html-to-text.mjs"
const para = '<p class="x" style="color:red">Hello <b>world</b> <a href="https://example.com/a?b=c" onclick="x()">link</a> <img src="cid:img1@x"> &amp; more text here</p>\n'
for (let r = 0; r < 3; r++) for (const size of [10_000, 50_000, 100_000, 200_000, 500_000]) {
  const html = "<html><body>" + para.repeat(Math.ceil(size / para.length)) + "</body></html>"
  let t = performance.now()
  Html.sanitize(html)
  const s = performance.now() - t
  t = performance.now()
  htmlToText(html)
  const p = performance.now() - t
  console.log(size, "sanitize ms", s.toFixed(0), "htmlToText ms", p.toFixed(0))
}
