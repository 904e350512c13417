/**
 * The visible reply: what a person newly wrote in a message, without the quoted history their
 * mail client appended and without their signature. Forwarded blocks are content and stay. It works
 * line by line on plain text with bounded patterns (every regular expression sees at most one
 * capped line, so adversarial input costs linear time); decoding MIME and HTML is left to others.
 */

/**
 * A message body cut into the new text, the quoted history and the signature.
 *
 * @category models
 * @since 0.1.0
 */
export interface Split {
  /** The new text: what an agent should read. */
  readonly visible: string
  /** Quoted history: `>` lines, attribution lines and everything below a quote header. */
  readonly quoted: string
  /** The signature block(s), delimiter included. */
  readonly signature: string
}

// Patterns only ever see a line cut to this length: a quote header is never longer.
const MAX_LINE = 400
// An attribution ("On ... wrote:") may be wrapped by the client over this many lines.
const MAX_WRAP = 3
// How far below an "Original Message" separator an Outlook header block is looked for.
const HEADER_LOOKAHEAD = 8

const cap = (line: string): string => (line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line)

const isBlank = (line: string): boolean => line.trim().length === 0

const isQuotedLine = (line: string): boolean => /^[ \t]{0,3}>/.test(line)

// Attributions that introduce quoted history, one per language/client. Each is anchored at both
// ends with one bounded gap, so a failed match costs at most the capped line length.
const attributions: ReadonlyArray<RegExp> = [
  // Gmail, Apple Mail, Thunderbird (en): "On Mon, 7 Dec 2026 at 10:00, Jane <j@x> wrote:"
  /^on\s.{1,380}\swrote\s?:$/iu,
  // fr: "Le lun. 7 déc. 2026 à 10:00, Jane <j@x> a écrit :"
  /^le\s.{1,380}\sa\s+[ée]crit\s?:$/iu,
  // de: "Am Mo., 7. Dez. 2026 um 10:00 Uhr schrieb Jane <j@x>:", "Am 07.12.26 um 10:00 schrieb Jane:"
  /^am\s.{1,380}\sschrieb(\s.{1,300})?\s?:$/iu,
  // de (older Outlook/Thunderbird): "Jane <j@x> schrieb am 07.12.2026 10:00:"
  /^.{1,300}\sschrieb\sam\s.{1,100}:$/iu,
  // de: "Am 07.12.2026 um 10:00 hat Jane geschrieben:"
  /^am\s.{1,380}\sgeschrieben\s?:$/iu,
  // es: "El lun, 7 dic 2026 a las 10:00, Jane (<j@x>) escribió:"
  /^el\s.{1,380}\sescribi[óo]\s?:$/iu,
  // nl and it, which the same clients produce: "Op ... schreef ...:", "Il giorno ... ha scritto:"
  /^op\s.{1,380}\sschreef(\s.{1,300})?\s?:$/iu,
  /^il\s.{1,380}\sha\sscritto\s?:$/iu,
  // Any language, when the line names an address: "Jane Sharpe <jane@example.com> wrote:"
  /^.{0,200}<?[^\s<>@]{1,100}@[^\s<>]{1,150}>?\)?,?\s(wrote|a\s[ée]crit|escribi[óo]|schrieb|schreef|ha\sscritto)\s?:$/iu
]

const isAttribution = (line: string): boolean => {
  const trimmed = cap(line.trim())
  if (!trimmed.endsWith(":")) return false
  return attributions.some((pattern) => pattern.test(trimmed))
}

// Words an attribution starts with: only such a line is worth joining with the next ones.
const attributionStart = /^(on|le|am|el|op|il)\s/iu

// Outlook's separators: "-----Original Message-----" and its translations.
const originalMessage =
  /^-{3,}\s?(original message|message d'origine|ursprüngliche nachricht|mensaje original|messaggio originale|oorspronkelijk bericht)\s?-{3,}$/iu
// Outlook (new style) puts a rule of underscores above its header block.
const underscoreRule = /^_{20,}$/u

// Forward markers of Gmail, Thunderbird, Apple Mail and Outlook.com, in several languages.
const forwardMarkers: ReadonlyArray<RegExp> = [
  /^-{2,}\s?(forwarded message|message transféré|weitergeleitete nachricht|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht)\s?-{2,}$/iu,
  /^(begin forwarded message|début du message réexpédié|anfang der weitergeleiteten nachricht|inicio del mensaje reenviado|inizio messaggio inoltrato)\s?:$/iu
]

const isForwardMarker = (line: string): boolean => {
  const trimmed = cap(line.trim())
  return forwardMarkers.some((pattern) => pattern.test(trimmed))
}

// The field names of an Outlook header block, per language ("From:", "De :", "Von:", "De:").
const fromField = /^\*?(from|de|von|da|van)\s?:\*?\s/iu
const dateField = /^\*?(sent|date|envoyé|gesendet|datum|enviado|fecha|inviato|data|verzonden)\s?:\*?\s/iu
const toField = /^\*?(to|à|a|an|para|aan)\s?:\*?\s/iu
const subjectField = /^\*?(subject|objet|betreff|asunto|oggetto|onderwerp)\s?:\*?\s?(.*)$/iu
// A subject that says the block is a forward, not a reply: "FW:", "Fwd:", "TR:", "WG:", "RV:".
const forwardSubject = /^(fw|fwd|tr|wg|rv|i|doorst)\s?:/iu

interface HeaderBlock {
  readonly end: number
  readonly forward: boolean
}

// An Outlook header block starting at `start`: a From line, then within a few lines a date line
// and a To or Subject line. Returns where it ends and whether its subject marks a forward.
const headerBlockAt = (lines: ReadonlyArray<string>, start: number): HeaderBlock | undefined => {
  const first = cap((lines[start] ?? "").trim())
  if (!fromField.test(first)) return undefined
  let date = false
  let addressed = false
  let forward = false
  let end = start
  const limit = Math.min(lines.length, start + HEADER_LOOKAHEAD)
  for (let i = start + 1; i < limit; i++) {
    const line = cap((lines[i] ?? "").trim())
    if (line.length === 0) break
    if (dateField.test(line)) date = true
    else if (toField.test(line)) addressed = true
    else {
      const subject = subjectField.exec(line)
      if (subject !== null) {
        addressed = true
        forward = forwardSubject.test((subject[2] ?? "").trim())
      }
    }
    end = i
  }
  return date && addressed ? { end, forward } : undefined
}

// Mobile and webmail signatures written without a "-- " delimiter.
const mobileSignature =
  /^(sent from my\s.{1,60}|sent from (outlook|mail|yahoo mail|my mobile|samsung).{0,60}|get outlook for\s.{1,40}|sent from proton ?mail.{0,40}|envoyé (de|depuis) (mon|ma|l'application)\s.{1,60}|von meinem\s.{1,60}\sgesendet|gesendet von (meinem|mobil|outlook).{0,60}|mit .{1,40} gesendet|enviado desde (mi|outlook|mail|yahoo).{0,60}|inviato da(l mio)? .{1,60})\.?$/iu

// "-- " is the standard delimiter (RFC 3676); many clients drop its trailing space.
const isSignatureStart = (line: string): boolean => {
  const trimmed = line.trim()
  if (trimmed === "--" && line.trimStart() === line) return true
  return trimmed.length <= 100 && mobileSignature.test(trimmed)
}

type Role = "visible" | "quoted" | "signature"

const nextNonBlank = (lines: ReadonlyArray<string>): ReadonlyArray<number> => {
  const next = new Array<number>(lines.length + 1)
  next[lines.length] = lines.length
  for (let i = lines.length - 1; i >= 0; i--) {
    next[i] = isBlank(lines[i] ?? "") ? (next[i + 1] ?? lines.length) : i
  }
  return next
}

// How many lines, starting at `i`, form an attribution (a wrapped one spans up to MAX_WRAP); 0 if none.
const attributionLength = (lines: ReadonlyArray<string>, i: number): number => {
  const line = lines[i] ?? ""
  if (isAttribution(line)) return 1
  if (!attributionStart.test(line.trim())) return 0
  let joined = cap(line.trim())
  for (let k = 1; k < MAX_WRAP && i + k < lines.length; k++) {
    const next = lines[i + k] ?? ""
    if (isBlank(next) || isQuotedLine(next)) return 0
    joined = cap(`${joined} ${next.trim()}`)
    if (isAttribution(joined)) return k + 1
  }
  return 0
}

const classify = (lines: ReadonlyArray<string>): ReadonlyArray<Role> => {
  const roles = new Array<Role>(lines.length).fill("visible")
  const next = nextNonBlank(lines)
  let inSignature = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ""
    const trimmed = line.trim()
    // A forward is content from here on, signatures of the forwarded mail included.
    if (isForwardMarker(trimmed)) return roles
    if (originalMessage.test(cap(trimmed)) || underscoreRule.test(cap(trimmed))) {
      const block = headerBlockAt(lines, next[i + 1] ?? lines.length)
      if (block?.forward === true) return roles
      if (originalMessage.test(cap(trimmed)) || block !== undefined) {
        roles.fill("quoted", i)
        return roles
      }
    }
    const block = headerBlockAt(lines, i)
    if (block !== undefined) {
      if (block.forward) return roles
      roles.fill("quoted", i)
      return roles
    }
    if (isQuotedLine(line)) {
      roles[i] = "quoted"
      inSignature = false
      continue
    }
    const attribution = attributionLength(lines, i)
    if (attribution > 0) {
      const after = next[i + attribution] ?? lines.length
      // Followed by `>` lines: the attribution of an inline quote; answers may follow between
      // quoted blocks, so only the attribution goes. Otherwise everything below is history.
      if (after < lines.length && isQuotedLine(lines[after] ?? "")) {
        roles.fill("quoted", i, i + attribution)
        i += attribution - 1
        inSignature = false
        continue
      }
      roles.fill("quoted", i)
      return roles
    }
    if (!inSignature && isSignatureStart(line)) inSignature = true
    if (inSignature) roles[i] = "signature"
  }
  return roles
}

const tidy = (lines: ReadonlyArray<string>): string => {
  const out: Array<string> = []
  for (const line of lines) {
    const clean = line.replace(/[ \t]+$/u, "")
    if (clean.length === 0 && (out.length === 0 || out[out.length - 1] === "")) continue
    out.push(clean)
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop()
  return out.join("\n")
}

/**
 * Cuts a plain-text body into the new text, the quoted history and the signature. Text written
 * between quoted blocks (an interleaved answer) is visible; a forwarded block and everything in it
 * is visible. Line endings become `\n`; runs of blank lines collapse to one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const split = (text: string): Split => {
  const lines = text.replace(/\r\n?/gu, "\n").split("\n")
  const roles = classify(lines)
  const pick = (role: Role) => tidy(lines.filter((_, i) => roles[i] === role))
  return { visible: pick("visible"), quoted: pick("quoted"), signature: pick("signature") }
}

/**
 * The new text of a reply: quoted history and signatures removed, forwarded blocks kept.
 *
 * @example
 * ReplyText.visible("Thanks, that fixed it.\n\nOn Mon, 7 Dec 2026 at 10:00, Support <help@example.com> wrote:\n> Try again")
 * // "Thanks, that fixed it."
 *
 * @category constructors
 * @since 0.1.0
 */
export const visible = (text: string): string => split(text).visible
