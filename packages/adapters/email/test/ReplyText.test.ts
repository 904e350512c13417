import { ReplyText } from "@tessera/email"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const lines = (...all: ReadonlyArray<string>) => all.join("\n")

describe("ReplyText.visible: quote headers", () => {
  it.each([
    ["en Gmail", "On Mon, 7 Dec 2026 at 10:00, Jane Sharpe <jane@example.com> wrote:"],
    ["en Apple Mail", "On 7 Dec 2026, at 10:00, Jane Sharpe <jane@example.com> wrote:"],
    ["en Thunderbird", "On 12/7/26 10:00 AM, Jane Sharpe wrote:"],
    ["en Yahoo", "On Monday, December 7, 2026, 10:00:00 AM GMT+1, Jane Sharpe <jane@example.com> wrote:"],
    ["fr Gmail", "Le lun. 7 déc. 2026 à 10:00, Jane Sharpe <jane@example.com> a écrit :"],
    ["fr Thunderbird", "Le 07/12/2026 à 10:00, Jane Sharpe a écrit :"],
    ["de Gmail", "Am Mo., 7. Dez. 2026 um 10:00 Uhr schrieb Jane Sharpe <jane@example.com>:"],
    ["de Thunderbird", "Am 07.12.26 um 10:00 schrieb Jane Sharpe:"],
    ["de older clients", "Jane Sharpe <jane@example.com> schrieb am 07.12.2026 10:00:"],
    ["es Gmail", "El lun, 7 dic 2026 a las 10:00, Jane Sharpe (<jane@example.com>) escribió:"],
    ["es Apple Mail", "El 7 dic 2026, a las 10:00, Jane Sharpe <jane@example.com> escribió:"],
    ["address only", "jane@example.com wrote:"],
    ["older Thunderbird", "Jane Sharpe wrote on 07/12/2026 10:00:"],
    ["pt Gmail", "Em seg., 7 de dez. de 2026 às 10:00, Jane Sharpe <jane@example.com> escreveu:"],
    ["pl Gmail", "pon., 7 gru 2026 o 10:00 Jane Sharpe <jane@example.com> napisał(a):"],
    ["da Apple Mail", "Den 7. dec. 2026 kl. 10.00 skrev Jane Sharpe <jane@example.com>:"]
  ])("an attribution (%s) and the quote below it are history", (_, header) => {
    const text = lines("Thanks, that fixed it.", "", header, "> Did the restart help?", "> Support")
    const result = ReplyText.split(text)
    expect(result.visible).toBe("Thanks, that fixed it.")
    expect(result.quoted).toContain(header)
  })

  it.each([
    ["en", "On Mon, 7 Dec 2026 at 10:00, Jane Sharpe <", "jane.sharpe@example.com> wrote:"],
    ["fr", "Le lun. 7 déc. 2026 à 10:00, Jane Sharpe <jane.sharpe@example.com> a", "écrit :"],
    ["de", "Am Mo., 7. Dez. 2026 um 10:00 Uhr schrieb Jane Sharpe <", "jane.sharpe@example.com>:"],
    ["es", "El lun, 7 dic 2026 a las 10:00, Jane Sharpe (<", "jane.sharpe@example.com>) escribió:"]
  ])("an attribution wrapped over two lines (%s) is recognised", (_, first, second) => {
    const text = lines("Yes, please close it.", "", first, second, "", "> Shall we close the ticket?")
    expect(ReplyText.visible(text)).toBe("Yes, please close it.")
  })

  it("an attribution without a quote below cuts everything after it (top-posting without >)", () => {
    const text = lines("Works now.", "", "On Mon, 7 Dec 2026 at 10:00, Support <help@example.com> wrote:", "Try again.")
    expect(ReplyText.visible(text)).toBe("Works now.")
  })

  it.each([["Support wrote:"], ["* Tessera Support <support@help.example.com> [2026-12-07 10:00]:"]])(
    "a looser attribution (%s) goes only when a quote follows it",
    (header) => {
      expect(ReplyText.visible(lines("Done.", "", header, "> Please confirm.", "", "Confirmed."))).toBe(
        lines("Done.", "", "Confirmed.")
      )
      expect(ReplyText.visible(lines("Done.", "", header, "Confirmed."))).toBe(lines("Done.", "", header, "Confirmed."))
    }
  )

  it("a sentence that merely ends in 'wrote:' is not an attribution", () => {
    const text = lines("Here is what the error wrote:", "disk full")
    expect(ReplyText.visible(text)).toBe(text)
    const board = lines("My colleague wrote on the whiteboard:", "restart the router first")
    expect(ReplyText.visible(board)).toBe(board)
    // An attribution carries a date; without one, "On ... wrote:" is prose and cuts nothing.
    const prose = lines("On Monday my colleague wrote:", "the fix did not hold", "Am Ende schrieb er:", "bitte warten")
    expect(ReplyText.visible(prose)).toBe(prose)
  })
})

describe("ReplyText.visible: Outlook", () => {
  it.each([
    ["-----Original Message-----"],
    ["-----Message d'origine-----"],
    ["-----Ursprüngliche Nachricht-----"],
    ["-----Mensaje original-----"]
  ])("the separator %s starts the history", (separator) => {
    const text = lines("Please call me.", "", separator, "From: Support", "Sent: Monday", "Subject: RE: x", "", "old")
    const result = ReplyText.split(text)
    expect(result.visible).toBe("Please call me.")
    expect(result.quoted).toContain("old")
  })

  it.each([
    [
      "en",
      [
        "From: Jane Sharpe <jane@example.com>",
        "Sent: Monday, December 7, 2026 10:00 AM",
        "To: Support <help@example.com>",
        "Subject: RE: Printer"
      ]
    ],
    [
      "fr",
      [
        "De : Jane Sharpe <jane@example.com>",
        "Envoyé : lundi 7 décembre 2026 10:00",
        "À : Support <help@example.com>",
        "Objet : RE: Imprimante"
      ]
    ],
    [
      "de",
      [
        "Von: Jane Sharpe <jane@example.com>",
        "Gesendet: Montag, 7. Dezember 2026 10:00",
        "An: Support <help@example.com>",
        "Betreff: AW: Drucker"
      ]
    ],
    [
      "es",
      [
        "De: Jane Sharpe <jane@example.com>",
        "Enviado: lunes, 7 de diciembre de 2026 10:00",
        "Para: Support <help@example.com>",
        "Asunto: RE: Impresora"
      ]
    ],
    [
      "Outlook for Mac",
      [
        "From: Jane Sharpe <jane@example.com>",
        "Date: Monday, 7 December 2026 at 10:00",
        "To: Support <help@example.com>",
        "Subject: Re: Printer"
      ]
    ],
    [
      "bold (from HTML)",
      [
        "*From:* Jane Sharpe <jane@example.com>",
        "*Sent:* Monday, December 7, 2026 10:00 AM",
        "*To:* Support",
        "*Subject:* RE: Printer"
      ]
    ]
  ])("a header block (%s) starts the history, with or without a rule above it", (_, block) => {
    const plain = lines("It is fixed.", "", ...block, "", "Old message")
    const ruled = lines("It is fixed.", "", "________________________________", ...block, "", "Old message")
    expect(ReplyText.visible(plain)).toBe("It is fixed.")
    expect(ReplyText.visible(ruled)).toBe("It is fixed.")
  })

  it("a rule of dashes (an <hr> in text derived from HTML) above a header block is history too", () => {
    const text = lines("It is fixed.", "", "-".repeat(80), "From: Support", "Sent: Monday", "To: Jane", "", "Old")
    expect(ReplyText.visible(text)).toBe("It is fixed.")
    expect(ReplyText.visible(lines("Totals", "-".repeat(30), "42"))).toBe(lines("Totals", "-".repeat(30), "42"))
  })

  it("a header block whose subject says FW: is a forward and stays", () => {
    const text = lines(
      "See the customer's mail below.",
      "",
      "________________________________",
      "From: Jane Sharpe <jane@example.com>",
      "Sent: Monday, December 7, 2026 10:00 AM",
      "To: Bob <bob@example.com>",
      "Subject: FW: Printer on fire",
      "",
      "The printer is on fire."
    )
    expect(ReplyText.visible(text)).toBe(text)
  })

  it("a From: line in ordinary prose is not a header block", () => {
    const text = lines("From: my point of view the update broke it.", "Please check.")
    expect(ReplyText.visible(text)).toBe(text)
  })
})

describe("ReplyText.visible: the help desk's reply-above marker", () => {
  it.each([
    [ReplyText.replyAboveMarker],
    [`> ${ReplyText.replyAboveMarker}`],
    ["-- Veuillez répondre au-dessus de cette ligne --"],
    ["## Bitte oberhalb dieser Zeile antworten ##"]
  ])("everything from %s down is history, even without an attribution", (marker) => {
    const text = lines("New printer arrived.", "", marker, "", "Your ticket [#69369] was updated.")
    expect(ReplyText.visible(text)).toBe("New printer arrived.")
  })
})

describe("ReplyText.visible: > quoting", () => {
  it("answers written between quoted blocks stay; the quotes go", () => {
    const text = lines(
      "On Mon, 7 Dec 2026 at 10:00, Support <help@example.com> wrote:",
      "> Which version do you run?",
      "",
      "4.2.1",
      "",
      "> > Earlier: does it crash at start?",
      "> Did it crash at start?",
      "",
      "Only after login.",
      "",
      "Jane"
    )
    const result = ReplyText.split(text)
    expect(result.visible).toBe(lines("4.2.1", "", "Only after login.", "", "Jane"))
    expect(result.quoted).toContain("> Which version do you run?")
    expect(result.quoted).toContain("> > Earlier: does it crash at start?")
  })

  it("bottom-posted answers below a quote stay", () => {
    const text = lines("> Can you send a screenshot?", "", "Attached.")
    expect(ReplyText.visible(text)).toBe("Attached.")
  })
})

describe("ReplyText.visible: signatures", () => {
  it("the -- delimiter starts the signature, up to the quoted history", () => {
    const text = lines(
      "Fine now.",
      "",
      "-- ",
      "Jane Sharpe",
      "ACME Ltd",
      "",
      "On Mon, 7 Dec 2026, Support <h@example.com> wrote:",
      "> x"
    )
    const result = ReplyText.split(text)
    expect(result.visible).toBe("Fine now.")
    expect(result.signature).toBe(lines("--", "Jane Sharpe", "ACME Ltd"))
  })

  it.each([
    ["Sent from my iPhone"],
    ["Sent from my Galaxy"],
    ["Get Outlook for Android"],
    ["Envoyé de mon iPhone"],
    ["Von meinem iPhone gesendet"],
    ["Enviado desde mi iPhone"]
  ])("the mobile signature %s is removed", (signature) => {
    expect(ReplyText.visible(lines("On my way.", "", signature))).toBe("On my way.")
  })

  it("a line of two dashes inside a sentence is not a delimiter", () => {
    const text = lines("Use the flag -- it is documented.", "Thanks")
    expect(ReplyText.visible(text)).toBe(text)
  })
})

describe("ReplyText.visible: forwards are content", () => {
  it.each([
    ["---------- Forwarded message ---------"],
    ["Begin forwarded message:"],
    ["-------- Forwarded Message --------"],
    ["-------- Message transféré --------"],
    ["---------- Weitergeleitete Nachricht ----------"],
    ["---------- Mensaje reenviado ---------"],
    ["Début du message réexpédié :"]
  ])("the forward %s and the forwarded message stay", (marker) => {
    const text = lines(
      "Please look at this.",
      "",
      marker,
      "From: Jane Sharpe <jane@example.com>",
      "Date: Mon, 7 Dec 2026 at 10:00",
      "Subject: Invoice 42",
      "To: Bob <bob@example.com>",
      "",
      "The invoice is wrong.",
      "-- ",
      "Jane"
    )
    expect(ReplyText.visible(text)).toBe(text.replace(/^-- $/mu, "--"))
  })

  it("a forward quoted inside a reply is history", () => {
    const text = lines(
      "Done.",
      "",
      "On Mon, 7 Dec 2026 at 10:00, Bob <bob@example.com> wrote:",
      "> ---------- Forwarded message ---------",
      "> From: Jane"
    )
    expect(ReplyText.visible(text)).toBe("Done.")
  })
})

describe("ReplyText.split: shape", () => {
  it("normalises line endings and collapses blank runs", () => {
    expect(ReplyText.visible("a\r\n\r\n\r\n\r\nb\r\n\r\n")).toBe("a\n\nb")
  })

  it("an empty body has an empty visible reply", () => {
    expect(ReplyText.split("")).toEqual({ visible: "", quoted: "", signature: "" })
  })

  it("answers between quoted blocks always survive and quoted lines never do", () => {
    const answer = fc.stringMatching(/^[A-Z][a-z]{0,12}( [a-z]{1,10}){0,5}\.$/u)
    const quote = fc.stringMatching(/^[a-z]{1,10}( [a-z]{1,10}){0,5}\?$/u).map((q) => `> ${q}`)
    const block = fc.oneof(
      fc.array(answer, { minLength: 1, maxLength: 3 }).map((a) => ({ answers: a, quotes: [] as Array<string> })),
      fc.array(quote, { minLength: 1, maxLength: 3 }).map((q) => ({ answers: [] as Array<string>, quotes: q }))
    )
    let checked = 0
    fc.assert(
      fc.property(fc.boolean(), fc.array(block, { minLength: 1, maxLength: 8 }), (attribution, blocks) => {
        // An attribution sits right above a quoted block, the way clients write it.
        const header = "On Mon, 7 Dec 2026 at 10:00, Support <help@example.com> wrote:"
        const body = blocks
          .flatMap((b) => [...b.answers, ...(attribution && b.quotes.length > 0 ? [header] : []), ...b.quotes, ""])
          .join("\n")
        const visible = ReplyText.visible(body).split("\n")
        for (const b of blocks) {
          for (const a of b.answers) {
            expect(visible).toContain(a)
            checked++
          }
          for (const q of b.quotes) expect(visible).not.toContain(q)
        }
      })
    )
    expect(checked).toBeGreaterThan(0)
  })
})

describe("ReplyText.split: any input", () => {
  const line = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 60 }),
    fc.constantFrom(
      "> quoted",
      ">> nested",
      "-- ",
      "--",
      "On Mon, 7 Dec 2026 at 10:00, Jane <jane@example.com> wrote:",
      "Le lun. 7 déc. 2026 à 10:00, Jane <jane@example.com> a écrit :",
      "-----Original Message-----",
      "From: Jane <jane@example.com>",
      "Sent: Monday",
      "To: Support",
      "Subject: FW: x",
      "________________________________",
      "---------- Forwarded message ---------",
      "Sent from my iPhone",
      ""
    )
  )
  const body = fc.array(line, { maxLength: 30 }).chain((ls) => fc.constantFrom(ls.join("\n"), ls.join("\r\n")))

  it("every line it shows is a line of the input, and each line lands in exactly one part", () => {
    fc.assert(
      fc.property(body, (text) => {
        const input = text.replace(/\r\n?/gu, "\n").split("\n")
        const inputLines = new Set(input.map((l) => l.replace(/[ \t]+$/u, "")))
        const result = ReplyText.split(text)
        const parts = [result.visible, result.quoted, result.signature]
        for (const part of parts) {
          for (const shown of part.split("\n")) if (shown !== "") expect(inputLines.has(shown)).toBe(true)
        }
        const nonBlankIn = input.filter((l) => l.trim() !== "").length
        const nonBlankOut = parts.flatMap((p) => p.split("\n")).filter((l) => l.trim() !== "").length
        expect(nonBlankOut).toBe(nonBlankIn)
      })
    )
  })

  it("is idempotent on what it shows when nothing is forwarded", () => {
    fc.assert(
      fc.property(body, (text) => {
        fc.pre(!/forwarded|FW:/u.test(text))
        const once = ReplyText.visible(text)
        expect(ReplyText.visible(once)).toBe(once)
      })
    )
  })
})

describe("ReplyText: bounded work on adversarial input", () => {
  // Each of these would take seconds to minutes with a pattern that backtracks over the line;
  // here every pattern sees a capped line, so the whole set simply runs.
  const big = 100 * 1024
  it.each([
    ["an attribution start that never ends", `On ${"a ".repeat(big / 2)}`],
    ["an attribution verb repeated", `Am ${" schrieb".repeat(big / 8)}:`],
    ["address-like runs before 'wrote:'", `${"a@b ".repeat(big / 4)}wrote:`],
    ["one long line of dashes", "-".repeat(big)],
    ["one long line of underscores", "_".repeat(big)],
    ["nested quote markers", ">".repeat(big)],
    ["many short attribution starts", "On x\n".repeat(big / 5)],
    ["many header-like lines", "From: a\nTo: b\n".repeat(big / 14)],
    ["many blank lines", "\n".repeat(big)],
    ["a long line ending in colon", `Le ${"é".repeat(big)} a écrit :`]
  ])("%s (100 kB) is processed", (_, text) => {
    const result = ReplyText.split(text)
    expect(result.visible.length + result.quoted.length + result.signature.length).toBeLessThanOrEqual(text.length)
  })
})
