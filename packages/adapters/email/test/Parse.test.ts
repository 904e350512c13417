/**
 * `parseInbound` on ordinary mail (addresses, threading clues, bodies, attachments, the raw
 * original) and on broken mail (bad charsets, truncated multiparts, missing headers, 8-bit
 * garbage, huge header blocks): the best honest parse, with `problems`, or a typed error.
 */
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { Html, MemoryAttachmentStore } from "@tessera/core"
import { describe, expect, it } from "vitest"
import { EmailError, PromiseEmail } from "../src/index.js"
import { envelope, message, plain } from "./support/messages.js"
import { bytesOf, parse, parsed, refused, storedCount } from "./support/parse.js"

const reply = message(
  [
    'From: "Doe, Jane" <Jane@Example.COM>',
    "Reply-To: jane.private@Mail.Example.org",
    "To: Support <support+t69369.sig@Help.Example>, undisclosed-recipients:;",
    "Cc: =?utf-8?B?SsO2cmc=?= <jorg@EXAMPLE.de>, Team: a@b.example, c@d.example;",
    "Subject: =?utf-8?Q?Re:_[#69369]_Drucker_br=C3=A4nnt?=",
    "Date: Mon, 07 Dec 2026 10:00:00 +0100",
    "Message-ID: <abc@example.com>",
    "In-Reply-To: <out-1@help.example>",
    "References: <a@b>",
    " <out-1@help.example>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="XX"'
  ],
  [
    "--XX",
    'Content-Type: multipart/related; boundary="RR"',
    "",
    "--RR",
    'Content-Type: multipart/alternative; boundary="YY"',
    "",
    "--YY",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "It is still on fire.",
    "",
    "On Mon, 7 Dec 2026 at 09:00, Support <support@help.example> wrote:",
    "> Did you try turning it off?",
    "--YY",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p onclick="steal()">It is still <b>on fire</b>.<img src="cid:photo@x"><img src="https://tracker.example/p.gif"></p><script>alert(1)</script><a href="javascript:alert(1)">x</a>',
    "--YY--",
    "--RR",
    "Content-Type: image/jpeg",
    "Content-ID: <photo@x>",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("JPEG bytes of the fire").toString("base64"),
    "--RR--",
    "--XX",
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("%PDF-1.7 invoice").toString("base64"),
    "--XX--",
    ""
  ]
)

describe("parseInbound on ordinary mail", () => {
  it("reads the sender, recipients and reply-to, with lower-cased domains and groups flattened", async () => {
    const parsedMessage = await parsed(reply)
    expect(parsedMessage.from).toEqual({ name: "Doe, Jane", address: "Jane@example.com" })
    expect(parsedMessage.replyTo).toEqual([{ name: "", address: "jane.private@mail.example.org" }])
    expect(parsedMessage.to).toEqual([{ name: "Support", address: "support+t69369.sig@help.example" }])
    expect(parsedMessage.cc.map((address) => address.address)).toEqual([
      "jorg@example.de",
      "a@b.example",
      "c@d.example"
    ])
    expect(parsedMessage.cc[0]?.name).toBe("Jörg")
  })

  it("decodes the subject and reads the Date and every threading clue, ids without angle brackets", async () => {
    const parsedMessage = await parsed(reply, { deliveredTo: ["<help+t70000@Help.Example>"] })
    expect(parsedMessage.subject).toBe("Re: [#69369] Drucker brännt")
    expect(parsedMessage.date?.epochMilliseconds).toBe(Date.UTC(2026, 11, 7, 9, 0, 0))
    expect(parsedMessage.deliveredTo).toEqual(["help+t70000@help.example"])
    expect(parsedMessage.threading).toEqual({
      messageId: "abc@example.com",
      inReplyTo: ["out-1@help.example"],
      references: ["a@b", "out-1@help.example"],
      subjectNumber: 69369,
      plusTokens: ["t69369.sig", "t70000"]
    })
  })

  it("keeps the text, the visible reply without the quote, and sanitised HTML with the cid image", async () => {
    const parsedMessage = await parsed(reply)
    expect(parsedMessage.text).toContain("> Did you try turning it off?")
    expect(parsedMessage.visibleText).toBe("It is still on fire.")
    expect(parsedMessage.html).toBe(
      '<p>It is still <b>on fire</b>.<img src="cid:photo@x" /><img /></p><a rel="noopener noreferrer nofollow">x</a>'
    )
    expect(parsedMessage.classification).toEqual({ kind: "human", reasons: [] })
    expect(parsedMessage.problems).toEqual([])
  })

  it("streams attachments into the store: metadata on the message, bytes in the store, the cid image inline", async () => {
    const { exit, store } = await parse(reply)
    if (exit._tag !== "Success") throw new Error(String(exit.cause))
    const [photo, invoice] = exit.value.attachments
    expect(photo).toMatchObject({
      fileName: "attachment",
      contentType: "image/jpeg",
      contentId: "photo@x",
      inline: true
    })
    expect(invoice).toMatchObject({ fileName: "invoice.pdf", contentType: "application/pdf", inline: false })
    expect(invoice?.contentId).toBeUndefined()
    const bytes = await bytesOf(store, invoice?.location ?? "")
    expect(bytes.toString()).toBe("%PDF-1.7 invoice")
    expect(invoice?.size).toBe(bytes.length)
    expect(invoice?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
  })

  it("lists the headers in order, repeated ones each time, decoded, as name/value entries", async () => {
    const parsedMessage = await parsed(reply)
    expect(parsedMessage.headers.slice(0, 2)).toEqual([
      { name: "from", value: '"Doe, Jane" <Jane@Example.COM>' },
      { name: "reply-to", value: "jane.private@Mail.Example.org" }
    ])
    expect(parsedMessage.headers.find((header) => header.name === "subject")?.value).toBe("Re: [#69369] Drucker brännt")
    expect(parsedMessage.headers.find((header) => header.name === "references")?.value).toBe(
      "<a@b> <out-1@help.example>"
    )
  })

  it("derives the text of an HTML-only message from its HTML", async () => {
    const parsedMessage = await parsed(
      message([...envelope, "Content-Type: text/html; charset=utf-8"], "<h1>Hello</h1><p>The <b>VPN</b> is down.</p>")
    )
    expect(parsedMessage.text).toContain("The VPN is down.")
    expect(parsedMessage.html).toBe("<h1>Hello</h1><p>The <b>VPN</b> is down.</p>")
  })

  it("derives the text of HTML-only mail inside multipart/related too", async () => {
    const related = message(
      [...envelope, 'Content-Type: multipart/related; boundary="r"'],
      [
        "--r",
        "Content-Type: text/html",
        "",
        "<p>Order &amp; invoice<br>attached</p><table><tr><td>1</td><td>2</td></tr></table>",
        "--r--",
        ""
      ]
    )
    expect((await parsed(related)).text).toBe("Order & invoice\nattached\n1\t2")
  })

  it("sanitises a large HTML body in slices to what sanitising it whole gives, with nothing that runs", async () => {
    const block = (i: number) =>
      `<div class="c${i}"><p>Row ${i} <b>bold</b> <a href="https://x.example/${i}" onclick="x()">link</a></p><img src="x" onerror="alert(${i})"><script>alert(${i})</script><table><tr><td>${i}</td></tr></table></div>\n`
    const body = Array.from({ length: 3_000 }, (_, i) => block(i)).join("")
    expect(body.length).toBeGreaterThan(300_000)
    const parsedMessage = await parsed(message([...envelope, "Content-Type: text/html"], body))
    expect(parsedMessage.html).toBe(Html.sanitize(body))
    expect(parsedMessage.html).not.toMatch(/<script|onerror|onclick|javascript:/i)
    expect(Html.sanitize(parsedMessage.html ?? "")).toBe(parsedMessage.html)
  })

  it("has no HTML for a plain-text message", async () => {
    const parsedMessage = await parsed(plain("Just text."))
    expect(parsedMessage.html).toBeUndefined()
    expect(parsedMessage.text).toBe("Just text.")
  })

  it("classifies an out-of-office reply as an auto-reply, with the evidence", async () => {
    const parsedMessage = await parsed(plain("I am away.", ["Auto-Submitted: auto-replied"]))
    expect(parsedMessage.classification.kind).toBe("auto-reply")
    expect(parsedMessage.classification.reasons.join(" ")).toContain("Auto-Submitted")
  })

  it("reads a message from a stream in small chunks the same as from bytes", async () => {
    const chunks = Array.from({ length: Math.ceil(reply.length / 7) }, (_, i) => reply.subarray(i * 7, i * 7 + 7))
    const fromStream = await parsed(Readable.from(chunks))
    const fromBytes = await parsed(reply)
    expect({ ...fromStream, attachments: fromStream.attachments.length }).toEqual({
      ...fromBytes,
      attachments: fromBytes.attachments.length
    })
  })

  it("keeps the raw original in the store when asked, byte for byte", async () => {
    const { exit, store } = await parse(reply, { keepRaw: true })
    if (exit._tag !== "Success") throw new Error(String(exit.cause))
    const raw = exit.value.raw
    expect(raw?.size).toBe(reply.length)
    expect((await bytesOf(store, raw?.key ?? "")).equals(reply)).toBe(true)
    expect(raw?.sha256).toBe(createHash("sha256").update(reply).digest("hex"))
    expect((await parsed(reply)).raw).toBeUndefined()
  })

  it("through the Promise facade resolves with the message and rejects with the tagged error itself", async () => {
    const store = await import("effect").then(({ Effect }) => Effect.runPromise(MemoryAttachmentStore.make))
    const parsedMessage = await PromiseEmail.parseInbound(reply, { attachments: store })
    expect(parsedMessage.threading.subjectNumber).toBe(69369)
    expect(await storedCount(store)).toBe(2)
    const error = await PromiseEmail.parseInbound(reply, {
      attachments: MemoryAttachmentStore.layer,
      limits: { maxParts: 2 }
    }).catch((error: unknown) => error)
    expect(error).toBeInstanceOf(EmailError.TooManyParts)
    expect(EmailError.isEmailError(error)).toBe(true)
  })
})

describe("parseInbound on broken mail", () => {
  it("reads a body in an unknown charset as UTF-8 and says so", async () => {
    const parsedMessage = await parsed(
      message([...envelope, "Content-Type: text/plain; charset=x-klingon-9"], "Qapla' café")
    )
    expect(parsedMessage.text).toBe("Qapla' café")
    expect(parsedMessage.problems).toEqual(['the message declares the unknown charset "x-klingon-9"; read as UTF-8'])
  })

  it("decodes a declared Latin-1 body, and flags undecodable bytes in a UTF-8 one", async () => {
    const latin1 = Buffer.concat([
      Buffer.from([...envelope, "Content-Type: text/plain; charset=iso-8859-1", "", ""].join("\r\n")),
      Buffer.from([0x63, 0x61, 0x66, 0xe9])
    ])
    expect((await parsed(latin1)).text).toBe("café")
    const broken = Buffer.concat([
      Buffer.from([...envelope, "Content-Type: text/plain; charset=utf-8", "", ""].join("\r\n")),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff, 0xfe])
    ])
    const parsedMessage = await parsed(broken)
    expect(parsedMessage.text.startsWith("caf")).toBe(true)
    expect(parsedMessage.problems).toContain("the text holds bytes its charset cannot decode (shown as U+FFFD)")
  })

  it("keeps what arrived of a truncated multipart and says it may be truncated", async () => {
    const truncated = reply.subarray(0, reply.indexOf("--YY\r\nContent-Type: text/html"))
    const parsedMessage = await parsed(truncated)
    expect(parsedMessage.text).toContain("It is still on fire.")
    expect(parsedMessage.problems.some((problem) => problem.includes("may be truncated"))).toBe(true)
    const whole = await parsed(reply)
    expect(whole.problems.some((problem) => problem.includes("truncated"))).toBe(false)
  })

  it("parses a message without From, Date or Message-ID, and lists each as a problem", async () => {
    const parsedMessage = await parsed(message(["Subject: hi", "Content-Type: text/plain"], "body"))
    expect(parsedMessage.from).toBeUndefined()
    expect(parsedMessage.date).toBeUndefined()
    expect(parsedMessage.threading.messageId).toBeUndefined()
    expect(parsedMessage.problems).toEqual(["no sender address (From)", "no Date header", "no Message-ID"])
  })

  it("never takes the current time for an unreadable Date", async () => {
    const parsedMessage = await parsed(plain("x", ["Date: the day after tomorrow"]).subarray(0))
    // plain() already has a Date; a message whose only Date is garbage:
    const garbage = await parsed(message(["From: a@b.example", "Date: yesterday-ish", "Content-Type: text/plain"], "x"))
    expect(parsedMessage.date).toBeDefined()
    expect(garbage.date).toBeUndefined()
    expect(garbage.problems).toContain('unreadable Date header "yesterday-ish"')
  })

  it("survives 8-bit garbage in headers and body", async () => {
    const garbage = Buffer.concat([
      Buffer.from("From: "),
      Buffer.from([0xff, 0xfe, 0x80, 0x40, 0x81]),
      Buffer.from(" <x@y.example>\r\nSubject: "),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x00, 0x1b]),
      Buffer.from("\r\nContent-Type: text/plain\r\n\r\n"),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256))
    ])
    const parsedMessage = await parsed(garbage)
    expect(parsedMessage.from?.address).toBe("x@y.example")
    expect(parsedMessage.problems).toContain("the text holds bytes its charset cannot decode (shown as U+FFFD)")
  })

  it("reads a multipart without a boundary as plain text and says so, instead of losing its body", async () => {
    const parsedMessage = await parsed(
      message([...envelope, "Content-Type: multipart/mixed"], ["The printer is on fire.", "--x", "", "still"])
    )
    expect(parsedMessage.text).toContain("The printer is on fire.")
    expect(parsedMessage.text).toContain("still")
    expect(parsedMessage.visibleText).toContain("The printer is on fire.")
    expect(parsedMessage.problems).toContain(
      "the message is multipart/mixed without a usable boundary; its body is read as plain text"
    )
    // A nested part without a boundary is read the same way; its siblings stay parts.
    const inner = await parsed(
      message(
        [...envelope, 'Content-Type: multipart/mixed; boundary="b1"'],
        ["--b1", "Content-Type: multipart/alternative", "", "inner text", "--b1--", ""]
      )
    )
    expect(inner.text).toContain("inner text")
    expect(inner.problems.some((p) => p.startsWith("part 1 is multipart/alternative without"))).toBe(true)
  })

  it("removes NUL characters from the text and the subject, and notes each in problems", async () => {
    const parsedMessage = await parsed(
      message(
        ["From: Jane <jane@example.com>", "Subject: Print\u0000er", "Content-Type: text/plain"],
        "on\u0000 fire\u0000"
      )
    )
    expect(parsedMessage.subject).toBe("Printer")
    expect(parsedMessage.text).toBe("on fire")
    expect(parsedMessage.visibleText).not.toContain("\u0000")
    expect(parsedMessage.problems).toEqual(
      expect.arrayContaining(["NUL characters removed from the subject", "NUL characters removed from the text"])
    )
    const clean = await parsed(plain("no nul here"))
    expect(clean.problems.some((p) => p.includes("NUL"))).toBe(false)
  })

  it("a stream that fails at once with keepRaw fails SourceFailed promptly, keeping nothing", async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error("connection reset"))
      }
    })
    const { exit, store, millis } = await parse(broken, { keepRaw: true })
    expect(exit._tag === "Failure" && String(exit.cause)).toContain("SourceFailed")
    expect(await storedCount(store)).toBe(0)
    // Before the fix it waited for the parse time limit (20 s) and crashed the process.
    expect(millis).toBeLessThan(10_000)
  })

  it("keeps a part whose Content-Type is empty, as application/octet-stream (found by the fuzz test)", async () => {
    const raw = message(
      [...envelope, 'Content-Type: multipart/mixed; boundary="b1"'],
      ["--b1", "Content-Type:", "", "data"]
    )
    const parsedMessage = await parsed(raw)
    expect(parsedMessage.attachments.map((attachment) => attachment.contentType)).toEqual(["application/octet-stream"])
  })

  it("parses an empty input as an empty message with problems, not a crash", async () => {
    const parsedMessage = await parsed(Buffer.alloc(0))
    expect(parsedMessage.text).toBe("")
    expect(parsedMessage.problems).toContain("no sender address (From)")
  })

  it("refuses a header block past the limit with HeaderTooLarge, which a retry cannot fix", async () => {
    const huge = message(
      [...envelope, ...Array.from({ length: 5_000 }, (_, i) => `X-Spam-${i}: ${"z".repeat(60)}`)],
      "x"
    )
    const error = await refused(huge)
    expect(error).toBeInstanceOf(EmailError.HeaderTooLarge)
    expect(error.retryable).toBe(false)
  })

  it("fails with SourceFailed, retryable, when the input stream breaks", async () => {
    const broken = new Readable({
      read() {
        this.push(Buffer.from("From: a@b.example\r\n"))
        this.destroy(new Error("connection reset"))
      }
    })
    const error = await refused(broken)
    expect(error).toBeInstanceOf(EmailError.SourceFailed)
    expect(error.retryable).toBe(true)
    expect(error.message).toContain("connection reset")
  })

  it("keeps the raw original of a refused message and names it on the error", async () => {
    const deep = message(
      [...envelope, 'Content-Type: multipart/mixed; boundary="a"'],
      [
        "--a",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "x",
        "--b--",
        "--a--"
      ]
    )
    const { exit, store } = await parse(deep, { keepRaw: true, limits: { maxDepth: 1 } })
    if (exit._tag !== "Failure") throw new Error("expected TooDeep")
    const error = exit.cause.reasons[0]
    const failure = error !== undefined && "error" in error ? (error.error as EmailError.EmailError) : undefined
    expect(failure?._tag).toBe("TooDeep")
    expect(failure?.raw?.size).toBe(deep.length)
    expect((await bytesOf(store, failure?.raw?.key ?? "")).equals(deep)).toBe(true)
    expect(failure?.message).toContain(`raw original kept as ${failure?.raw?.key}`)
  })
})
