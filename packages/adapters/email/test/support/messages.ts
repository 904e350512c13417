/**
 * Raw messages for the parse tests: a builder for ordinary mail, and the generated hostile set
 * of issue #16 (deep and wide multiparts, a huge header, UTF-32 bodies, 1,500 cid references,
 * path-like attachment names, `__proto__` headers).
 */

/** A message from header lines and a body, CRLF line endings. */
export const message = (headers: ReadonlyArray<string>, body: string | ReadonlyArray<string>): Buffer =>
  Buffer.from([...headers, "", ...(typeof body === "string" ? [body] : body)].join("\r\n"))

export const envelope = [
  "From: Jane Doe <jane@example.com>",
  "To: Support <support@help.example>",
  "Subject: Printer on fire",
  "Date: Mon, 07 Dec 2026 10:00:00 +0000",
  "Message-ID: <m1@example.com>",
  "MIME-Version: 1.0"
]

/** A plain-text message. */
export const plain = (text: string, extra: ReadonlyArray<string> = []): Buffer =>
  message([...envelope, ...extra, "Content-Type: text/plain; charset=utf-8"], text)

/** multipart/mixed with `parts` text/plain siblings. */
export const siblings = (parts: number): Buffer => {
  const body: Array<string> = []
  for (let i = 0; i < parts; i++) body.push("--sib", "Content-Type: text/plain", "", `part ${i}`)
  body.push("--sib--", "")
  return message([...envelope, 'Content-Type: multipart/mixed; boundary="sib"'], body)
}

/** multipart/mixed nested `depth` times, a text part at the bottom. */
export const nested = (depth: number): Buffer => {
  const open: Array<string> = []
  const close: Array<string> = []
  for (let i = 1; i < depth; i++) {
    open.push(`--b${i}`, `Content-Type: multipart/mixed; boundary="b${i + 1}"`, "")
    close.unshift(`--b${i}--`)
  }
  return message(
    [...envelope, 'Content-Type: multipart/mixed; boundary="b1"'],
    [...open, `--b${depth}`, "Content-Type: text/plain", "", "deep", `--b${depth}--`, ...close, ""]
  )
}

/** A message whose header block is `bytes` long (one long folded header). */
export const hugeHeader = (bytes: number): Buffer => {
  const line = `X-Filler: ${"a".repeat(70)}`
  const lines = [line]
  for (let size = line.length; size < bytes; size += 74) lines.push(` ${"a".repeat(71)}`)
  return message([...envelope, ...lines, "Content-Type: text/plain"], "body")
}

/** A text/plain body in UTF-32 (big-endian, no BOM), base64-encoded. */
export const utf32 = (text: string, charset = "utf-32"): Buffer => {
  const codePoints = [...text].map((c) => c.codePointAt(0) ?? 0)
  const bytes = Buffer.alloc(codePoints.length * 4)
  for (const [i, codePoint] of codePoints.entries()) bytes.writeUInt32BE(codePoint, i * 4)
  return message(
    [...envelope, `Content-Type: text/plain; charset=${charset}`, "Content-Transfer-Encoding: base64"],
    bytes.toString("base64").replace(/.{76}/g, "$&\r\n")
  )
}

/** An HTML body referring `references` times to one inline image. */
export const cidReferences = (references: number): Buffer =>
  message(
    [...envelope, 'Content-Type: multipart/related; boundary="rel"'],
    [
      "--rel",
      "Content-Type: text/html; charset=utf-8",
      "",
      `<p>${'<img src="cid:logo@x">'.repeat(references)}</p>`,
      "--rel",
      "Content-Type: image/png",
      "Content-ID: <logo@x>",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("\x89PNG fake image").toString("base64"),
      "--rel--",
      ""
    ]
  )

/** Attachments named after paths and with control characters. */
export const badNames = (): Buffer =>
  message(
    [...envelope, 'Content-Type: multipart/mixed; boundary="att"'],
    [
      "--att",
      "Content-Type: text/plain",
      "",
      "see attached",
      "--att",
      'Content-Type: application/octet-stream; name="../x"',
      'Content-Disposition: attachment; filename="../x"',
      "",
      "one",
      "--att",
      "Content-Type: application/octet-stream",
      "Content-Disposition: attachment; filename*=utf-8''a%00b",
      "",
      "two",
      "--att",
      "Content-Type: application/octet-stream",
      'Content-Disposition: attachment; filename="..\\\\..\\\\windows\\\\evil.exe"',
      "",
      "three",
      "--att--",
      ""
    ]
  )

/** Headers named like Object.prototype's members. */
export const protoHeaders = (): Buffer =>
  message(
    [
      ...envelope,
      '__proto__: {"polluted": true}',
      "constructor: prototype",
      "List-__proto__: <mailto:x@example.com>",
      "hasOwnProperty: 1",
      'Content-Type: text/plain; charset=utf-8; __proto__="x"'
    ],
    "hello"
  )

/** The hostile set of issue #16, each with what the default limits make of it. */
export const hostile: ReadonlyArray<{ readonly name: string; readonly raw: Buffer; readonly expect: string }> = [
  { name: "multipart depth 10,000", raw: nested(10_000), expect: "TooDeep" },
  { name: "1,100 sibling parts", raw: siblings(1_100), expect: "TooManyParts" },
  { name: "a 1.1 MiB header", raw: hugeHeader(1.1 * 1024 * 1024), expect: "HeaderTooLarge" },
  { name: "a UTF-32 base64 body", raw: utf32("Grüße aus Köln 🙂 ".repeat(2_000)), expect: "parsed" },
  {
    name: "a UTF-32 body with invalid code points",
    raw: utf32(String.fromCodePoint(0x10ffff).repeat(3), "utf-32le"),
    expect: "parsed"
  },
  { name: "1,500 cid: references to one image", raw: cidReferences(1_500), expect: "parsed" },
  { name: "attachment names ../x and a\\0b", raw: badNames(), expect: "parsed" },
  { name: "__proto__ headers", raw: protoHeaders(), expect: "parsed" }
]
