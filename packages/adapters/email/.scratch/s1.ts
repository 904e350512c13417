import { MemoryAttachmentStore } from "@tessera/core"
import { Effect } from "effect"
import { parseInbound } from "../src/Parse.ts"
const raw = [
  "From: Jane Doe <Jane@Example.COM>",
  "To: Support <support+t69369.sig@Help.Example>, bob@x.org",
  "Cc: =?utf-8?B?SsO2cmc=?= <jorg@EXAMPLE.de>",
  "Subject: Re: [#69369] Printer on fire",
  "Date: Mon, 07 Dec 2026 10:00:00 +0100",
  "Message-ID: <abc@example.com>",
  "In-Reply-To: <out-1@help.example>",
  "References: <a@b> <out-1@help.example>",
  "__proto__: polluted",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="XX"',
  "",
  "--XX",
  'Content-Type: multipart/alternative; boundary="YY"',
  "",
  "--YY",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "It is still on fire.",
  "",
  "On Mon, Support wrote:",
  "> did you try turning it off",
  "--YY",
  "Content-Type: text/html; charset=utf-8",
  "",
  '<p onclick="x()">It is still <b>on fire</b>.<img src="cid:img1@x"><script>alert(1)</script></p>',
  "--YY--",
  "--XX",
  'Content-Type: image/png; name="../../etc/passwd"',
  "Content-ID: <img1@x>",
  "Content-Transfer-Encoding: base64",
  "",
  Buffer.from("PNGDATA").toString("base64"),
  "--XX--",
  ""
].join("\r\n")
const program = parseInbound(Buffer.from(raw), { keepRaw: true }).pipe(Effect.provide(MemoryAttachmentStore.layer))
const t = performance.now()
const r = await Effect.runPromise(program)
console.log(performance.now() - t)
console.dir(r, { depth: 5 })
