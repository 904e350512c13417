/**
 * Tells mail a person wrote from mail a machine sent: auto-replies (RFC 3834, vendor headers,
 * out-of-office subjects in several languages), bounces (delivery status notifications) and
 * mailing-list traffic. Loop protection answers only `human` mail; each verdict carries the
 * evidence that decided it. Pure and total: it reads headers already decoded by the parser.
 */
import type * as Inbound from "./Inbound.js"

/**
 * What the classifier reads: the decoded headers (lower-cased names), the subject, the sender and
 * the top-level `Content-Type` with its parameters.
 *
 * @category models
 * @since 0.1.0
 */
export interface Input {
  readonly headers: ReadonlyArray<Inbound.Header>
  readonly subject: string
  readonly from: Inbound.Address | undefined
  readonly contentType: string
}

// Header values are read capped: no verdict needs more, and patterns stay cheap.
const MAX_VALUE = 300

const cap = (value: string): string => (value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) : value)

/** The capped values of every header, by lower-cased name: one pass over the headers. */
const headerValues = (headers: ReadonlyArray<Inbound.Header>): ReadonlyMap<string, ReadonlyArray<string>> => {
  const byName = new Map<string, Array<string>>()
  for (const header of headers) {
    const name = header.name.toLowerCase()
    const value = cap(header.value.trim())
    const values = byName.get(name)
    if (values === undefined) byName.set(name, [value])
    else values.push(value)
  }
  return byName
}

const show = (value: string): string => (value.length > 80 ? `${value.slice(0, 80)}…` : value)

// Accents optional: "Réponse automatique" also arrives as "Reponse automatique".
const fold = (value: string): string =>
  value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/gu, " ").trim()

// What may stand before an out-of-office or bounce subject: tags a gateway adds ("[EXTERNAL]",
// "*SPAM*"), then reply prefixes ("Re:", "AW:", "RE :"). A tag after "Re:" is the subject's own
// (a ticket token: "Re: [#69369] Automatic reply settings" is a person asking).
const subjectPrefix = /^(\[[^\]]{1,40}\]\s?|\*{1,3}[a-z]{1,20}\*{1,3}\s?)*((re|aw|sv|antw|r|rif|fw|fwd|tr|wg)\s?:\s?)*/u

const outOfOfficeSubjects: ReadonlyArray<RegExp> = [
  /^out of (the )?office\b/u,
  /^ooo\b/u,
  /^automatic reply\b/u,
  /^auto(matic)?[- ]?(reply|response|responder)\b/u,
  /^autoreply\b/u,
  /^away from (the )?office\b/u,
  /^on (vacation|holiday|leave)\b/u,
  /^vacation (reply|response|notice)\b/u,
  /^reponse automatique\b/u,
  /^message d'absence\b/u,
  /^absent(e)?(\s?:|\s+du bureau\b|\s+jusqu|\s*$|\s*[-(])/u,
  /^absence\b/u,
  /^abwesenheitsnotiz\b/u,
  /^abwesend\b/u,
  /^automatische antwort\b/u,
  /^(ich bin )?nicht im buro\b/u,
  /^respuesta automatica\b/u,
  /^fuera de (la )?oficina\b/u,
  /^ausente\b/u,
  /^risposta automatica\b/u,
  /^fuori ufficio\b/u,
  /^automatisch antwoord\b/u,
  /^afwezig\b/u,
  /^(resposta automatica|ausente do escritorio|fora do escritorio)\b/u,
  /^(autosvar|fravaer|franvaro|poissa toimistolta|automaattinen vastaus)\b/u,
  /^(automatyczna odpowiedz|poza biurem)\b/u
]

const bounceSubjects: ReadonlyArray<RegExp> = [
  /^undelivered mail returned to sender\b/u,
  /^undeliverable\b/u,
  /^undelivered mail\b/u,
  /^delivery status notification\b/u,
  /^delivery (has )?fail(ed|ure)\b/u,
  /^mail delivery fail(ed|ure)\b/u,
  /^returned mail\b/u,
  /^failure notice\b/u,
  /^mail system error\b/u,
  /^message not delivered\b/u,
  /^(unzustellbar|nicht zustellbar)\b/u,
  /^non (remis|distribuable)\b/u,
  /^echec de (la )?remise\b/u,
  /^no se (puede|pudo) entregar\b/u,
  /^notificacion de estado de (la )?entrega\b/u,
  /^non recapitabile\b/u,
  /^onbestelbaar\b/u
]

const bounceSenders = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)$/u

interface ContentType {
  readonly type: string
  readonly params: ReadonlyMap<string, string>
}

// Parses "multipart/report; report-type=delivery-status; boundary=..." (parameters may be quoted).
const parseContentType = (raw: string): ContentType => {
  const parts = cap(raw).split(";")
  const params = new Map<string, string>()
  for (const part of parts.slice(1)) {
    const eq = part.indexOf("=")
    if (eq < 0) continue
    const name = part.slice(0, eq).trim().toLowerCase()
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/u, "$1")
      .toLowerCase()
    params.set(name, value)
  }
  return { type: (parts[0] ?? "").trim().toLowerCase(), params }
}

const firstToken = (value: string): string => (value.split(/[;(\s]/u)[0] ?? "").toLowerCase()

const localPart = (address: string): string => {
  const at = address.lastIndexOf("@")
  return (at < 0 ? address : address.slice(0, at)).toLowerCase()
}

interface Evidence {
  readonly bounce: ReadonlyArray<string>
  readonly weakBounce: ReadonlyArray<string>
  readonly autoReply: ReadonlyArray<string>
  readonly bulk: ReadonlyArray<string>
  readonly list: ReadonlyArray<string>
}

const gather = (input: Input): Evidence => {
  const bounce: Array<string> = []
  const weakBounce: Array<string> = []
  const autoReply: Array<string> = []
  const bulk: Array<string> = []
  const list: Array<string> = []
  const byName = headerValues(input.headers)
  const values = (name: string): ReadonlyArray<string> => byName.get(name) ?? []

  const contentType = parseContentType(input.contentType)
  if (contentType.type === "multipart/report") {
    const reportType = contentType.params.get("report-type") ?? ""
    const evidence = `Content-Type: multipart/report; report-type=${reportType}`
    if (reportType === "delivery-status") bounce.push(evidence)
    // A read receipt (RFC 8098) is sent by a machine on a person's behalf: never answer it.
    else if (reportType === "disposition-notification") autoReply.push(evidence)
  }
  if (input.from !== undefined && bounceSenders.test(localPart(input.from.address))) {
    bounce.push(`From: ${show(input.from.address)}`)
  }
  for (const value of values("x-failed-recipients")) bounce.push(`X-Failed-Recipients: ${show(value)}`)

  const subject = fold(cap(input.subject)).replace(subjectPrefix, "")
  if (bounceSubjects.some((pattern) => pattern.test(subject))) bounce.push(`subject: ${show(input.subject.trim())}`)
  for (const value of values("return-path")) {
    if (/^<\s*>$/u.test(value)) weakBounce.push("Return-Path: <>")
  }

  for (const value of values("auto-submitted")) {
    if (firstToken(value) !== "no" && value.length > 0) autoReply.push(`Auto-Submitted: ${show(value)}`)
  }
  for (const name of ["x-autoreply", "x-autorespond", "x-autoresponder", "x-autogenerated"]) {
    for (const value of values(name)) {
      if (firstToken(value) !== "no") autoReply.push(`${displayName(name)}: ${show(value)}`)
    }
  }
  for (const value of [...values("precedence"), ...values("x-precedence")]) {
    const token = firstToken(value)
    if (token === "auto_reply" || token === "auto-reply") autoReply.push(`Precedence: ${show(value)}`)
    else if (token === "bulk" || token === "junk") bulk.push(`Precedence: ${show(value)}`)
    else if (token === "list") list.push(`Precedence: ${show(value)}`)
  }
  if (outOfOfficeSubjects.some((pattern) => pattern.test(subject))) {
    autoReply.push(`subject: ${show(input.subject.trim())}`)
  }

  for (const name of ["list-id", "list-unsubscribe", "list-post", "mailing-list", "x-mailing-list"]) {
    for (const value of values(name)) list.push(`${displayName(name)}: ${show(value)}`)
  }
  return { bounce, weakBounce, autoReply, bulk, list }
}

const displayNames: Readonly<Record<string, string>> = {
  "x-autoreply": "X-Autoreply",
  "x-autorespond": "X-Autorespond",
  "x-autoresponder": "X-Autoresponder",
  "x-autogenerated": "X-AutoGenerated",
  "list-id": "List-Id",
  "list-unsubscribe": "List-Unsubscribe",
  "list-post": "List-Post",
  "mailing-list": "Mailing-List",
  "x-mailing-list": "X-Mailing-List"
}

const displayName = (name: string): string => displayNames[name] ?? name

/**
 * Classifies a message as `human`, `auto-reply`, `bounce` or `list`, with the evidence.
 *
 * A delivery status notification wins over everything (bounces often also say
 * `Auto-Submitted: auto-replied`); then auto-reply evidence; a bare null `Return-Path: <>` with
 * no auto-reply evidence counts as a bounce; then list headers (lists often add
 * `Precedence: bulk`, so that alone makes an auto-reply only without them). `human` has no reasons.
 *
 * @category constructors
 * @since 0.1.0
 */
export const classify = (input: Input): Inbound.Classification => {
  const evidence = gather(input)
  const verdict = (kind: Inbound.Kind, ...reasons: ReadonlyArray<ReadonlyArray<string>>): Inbound.Classification => ({
    kind,
    // A repeated header is one piece of evidence.
    reasons: [...new Set(reasons.flat())]
  })
  if (evidence.bounce.length > 0) return verdict("bounce", evidence.bounce, evidence.weakBounce)
  if (evidence.autoReply.length > 0) return verdict("auto-reply", evidence.autoReply)
  if (evidence.weakBounce.length > 0) return verdict("bounce", evidence.weakBounce)
  if (evidence.list.length > 0) return verdict("list", evidence.list, evidence.bulk)
  if (evidence.bulk.length > 0) return verdict("auto-reply", evidence.bulk)
  return { kind: "human", reasons: [] }
}

/**
 * Whether the help desk may answer this message automatically (only `human` mail).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isAnswerable = (classification: Inbound.Classification): boolean => classification.kind === "human"
