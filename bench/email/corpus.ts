// The messages bench/email takes in: ordinary help-desk mail of several shapes (plain replies
// with quoted history, HTML newsletters and replies, small attachments, auto-replies), each with
// its own Message-ID and sender, so that intake takes every one in (no duplicate, no rate limit).

const paragraph =
  "Hello team, the invoice for November shows the same charge twice and our finance department asks for a corrected copy before the end of the week. "

const quoted = Array.from(
  { length: 12 },
  (_, i) => `> line ${i} of the earlier message, quoted by the mail client`
).join("\r\n")

const html = (paragraphs: number) =>
  `<html><head><style>p{color:red}</style></head><body><table width="100%"><tr><td>${Array.from(
    { length: paragraphs },
    (_, i) => `<p class="p${i}">${paragraph}<a href="https://example.com/help/${i}">details</a> <b>bold</b></p>`
  ).join("\n")}</td></tr></table><img src="cid:logo@acme"></body></html>`

const base64 = (bytes: number, seed: number) => {
  const buffer = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) buffer[i] = (i * 31 + seed) % 251
  return buffer.toString("base64").replace(/.{76}/g, "$&\r\n")
}

const header = (i: number, round: number, extra: ReadonlyArray<string>) => [
  `From: Customer ${i} <customer${i}.r${round}@example.com>`,
  "To: Support <support+t69369@acme.test>",
  `Subject: Re: [#${69_000 + (i % 50)}] Invoice question ${i}`,
  "Date: Mon, 07 Dec 2026 10:00:00 +0000",
  `Message-ID: <bench.${round}.${i}@example.com>`,
  "MIME-Version: 1.0",
  ...extra
]

/** Message `i` of round `round`: five shapes in turn. */
export const message = (i: number, round: number): Buffer => {
  const shape = i % 5
  const lines: Array<string> =
    shape === 0
      ? [
          ...header(i, round, ["Content-Type: text/plain; charset=utf-8"]),
          "",
          paragraph.repeat(3),
          "",
          "On Monday, Support wrote:",
          quoted
        ]
      : shape === 1
        ? [
            ...header(i, round, ['Content-Type: multipart/alternative; boundary="alt"']),
            "",
            "--alt",
            "Content-Type: text/plain; charset=utf-8",
            "",
            paragraph.repeat(4),
            "--alt",
            "Content-Type: text/html; charset=utf-8",
            "",
            html(6),
            "--alt--",
            ""
          ]
        : shape === 2
          ? [
              ...header(i, round, ['Content-Type: multipart/mixed; boundary="mix"']),
              "",
              "--mix",
              "Content-Type: text/plain; charset=utf-8",
              "",
              paragraph,
              "--mix",
              'Content-Type: application/pdf; name="invoice.pdf"',
              'Content-Disposition: attachment; filename="invoice.pdf"',
              "Content-Transfer-Encoding: base64",
              "",
              base64(40_000, i),
              "--mix--",
              ""
            ]
          : shape === 3
            ? [
                ...header(i, round, ['Content-Type: multipart/related; boundary="rel"']),
                "",
                "--rel",
                "Content-Type: text/html; charset=utf-8",
                "",
                html(20),
                "--rel",
                "Content-Type: image/png",
                "Content-ID: <logo@acme>",
                "Content-Transfer-Encoding: base64",
                "",
                base64(6_000, i),
                "--rel--",
                ""
              ]
            : [
                ...header(i, round, ["Auto-Submitted: auto-replied", "Content-Type: text/plain; charset=utf-8"]),
                "",
                "I am out of the office until Monday."
              ]
  return Buffer.from(lines.join("\r\n"))
}

/** The messages of one round. */
export const round = (count: number, round: number): ReadonlyArray<Buffer> =>
  Array.from({ length: count }, (_, i) => message(i, round))
