/**
 * The limits on a message's structure, enforced on the parts mailparser's splitter
 * (@zone-eu/mailsplit) finds, before mailparser itself builds anything from them: MIME parts,
 * nesting depth, and the bytes of the HTML and text bodies that mailparser keeps in memory. It
 * also notes what the parse has to settle for (a charset nobody knows, a multipart that never
 * closes), for `problems`. It parses nothing itself: mailsplit has already split the bytes.
 */
import { TextDecoder } from "node:util"
import type { MailParser } from "mailparser"
import { BodyTooLarge, type EmailError, TooDeep, TooManyParts } from "../EmailError.js"
import type { EmailLimits } from "../EmailLimits.js"

/** What mailsplit tells of a MIME part (`MimeNode`); the fields the guard reads. */
interface SplitNode {
  readonly type: "node"
  readonly root: boolean
  readonly parentNode: SplitNode | false
  readonly contentType: string | false
  readonly disposition: string | false
  readonly charset: string | false
  readonly multipart: string | false
  readonly _boundary: Buffer | false
  readonly partNr: ReadonlyArray<number | string> | false
}

/** A chunk of content mailsplit emits: a leaf part's body, or multipart structure (`data`). */
interface SplitContent {
  readonly type: "body" | "data"
  readonly node: SplitNode
  readonly value?: Buffer
}

type SplitChunk = SplitNode | SplitContent

/** mailsplit's splitter: `newNode` starts each part, `maxChildNodes` fails it at its next line. */
interface Splitter {
  node: SplitNode
  maxChildNodes: number
  newNode: (parent?: SplitNode | false) => void
  _transform: (chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void) => void
}

/**
 * Input bytes mailsplit splits in one synchronous run while it is making MIME parts. It yields
 * every 16 KiB itself, but 16 KiB of tiny parts is hundreds of parts made (and headers parsed)
 * without a break. Body bytes cost little: slices grow (to 64 KiB) while no part starts.
 */
const partSliceBytes = 2 * 1024
const bodySliceBytes = 64 * 1024

/**
 * mailparser's internals the guard hooks: the splitter it reads from, and the step that takes
 * each chunk of the splitter, one at a time (pinned mailparser 3.14: the guard's tests fail if
 * either moves).
 */
interface Hookable {
  readonly splitter: Splitter
  processChunk: (data: SplitChunk, done: (error?: unknown) => void) => void
}

/** Encodings TextDecoder does not know but mailparser decodes (through iconv-lite). */
const extraCharsets = /^(?:utf-?32(?:le|be)?|ucs-?2|(?:x-)?(?:cp|ibm|windows-?)\d{3,5}|iso-?646-?us|us-ascii|ascii)$/i

const checked = new Map<string, boolean>()

const knownCharset = (charset: string): boolean => {
  const known = checked.get(charset)
  if (known !== undefined) return known
  const answer = isKnownCharset(charset)
  // A hostile message may name a new charset in every part: keep the memo small.
  if (checked.size < 256) checked.set(charset, answer)
  return answer
}

const isKnownCharset = (charset: string): boolean => {
  if (extraCharsets.test(charset)) return true
  // UTF-7 is refused by mailparser (it can smuggle markup), so it is never "known".
  if (/^(?:(?:cs)?unicode-?1-?1-?)?utf-?7(?:-?imap)?$/i.test(charset)) return false
  try {
    new TextDecoder(charset)
    return true
  } catch {
    return false
  }
}

const partId = (node: SplitNode): string =>
  node.root || node.partNr === false || node.partNr.length === 0 ? "the message" : `part ${node.partNr.join(".")}`

const bodyOf = (node: SplitNode): "html" | "text" | undefined => {
  if (node.disposition !== false && node.disposition !== "inline") return undefined
  const contentType = node.contentType === false ? (node.root ? "text/plain" : "") : node.contentType
  if (contentType === "text/html") return "html"
  if (contentType === "text/plain" || contentType === "message/delivery-status") return "text"
  return undefined
}

/** What the guard saw, once the parse is over. */
export interface Guard {
  /** The limit a part broke while the splitter made it, if one did. */
  readonly refusal: () => EmailError | undefined
  readonly problems: () => ReadonlyArray<string>
}

/**
 * Puts the guard between mailparser's splitter and mailparser: a chunk past a limit fails the
 * parse with the limit's error (mailparser emits it as its `error`), before mailparser reads it.
 */
export const install = (parser: MailParser, limits: EmailLimits): Guard => {
  const hookable = parser as unknown as Hookable
  const process = hookable.processChunk
  const splitter = hookable.splitter
  const newNode = splitter.newNode
  let refusal: EmailError | undefined
  let parts = 1 // the splitter made the message's own node before the guard was installed
  let htmlBytes = 0
  let textBytes = 0
  const found: Array<string> = []
  const multiparts = new Set<SplitNode>()
  const closed = new Set<SplitNode>()

  // Parts are counted as the splitter makes them, before mailparser builds anything of them.
  const countPart = (node: SplitNode): EmailError | undefined => {
    parts++
    if (parts > limits.maxParts) return new TooManyParts({ maxParts: limits.maxParts })
    let depth = 0
    for (let parent = node.parentNode; parent !== false; parent = parent.parentNode) {
      if (++depth > limits.maxDepth) return new TooDeep({ maxDepth: limits.maxDepth })
    }
    return undefined
  }

  // Without a boundary no part can be found, and mailsplit would pass the whole body on as
  // structure nobody reads: the mail would arrive empty. Its bytes are read as plain text instead,
  // decided as the headers are parsed, before the splitter emits a line of the body.
  const readUnboundedAsText = (node: SplitNode): void => {
    const writable = node as { -readonly [K in keyof SplitNode]: SplitNode[K] } & { parseHeaders: () => void }
    const parseHeaders = writable.parseHeaders
    writable.parseHeaders = function (this: SplitNode) {
      parseHeaders.call(this)
      if (writable.multipart === false || writable._boundary !== false) return
      found.push(
        `${partId(writable)} is multipart/${String(writable.multipart).slice(0, 64)} without a usable boundary; its body is read as plain text`
      )
      writable.multipart = false
      writable.contentType = "text/plain"
    }
  }
  readUnboundedAsText(splitter.node)

  let madeParts = false
  splitter.newNode = function (this: Splitter, parent) {
    newNode.call(this, parent)
    readUnboundedAsText(this.node)
    madeParts = true
    if (refusal !== undefined) return
    refusal = countPart(this.node)
    // mailsplit stops at its next line once more parts than this exist: it stops here.
    if (refusal !== undefined) this.maxChildNodes = 0
  }

  // Hand mailsplit its input in slices, the event loop free between two of them: mailsplit starts
  // every write on a setImmediate of its own (and so calls back from it, never on this stack), so
  // the next slice follows at once, without a second turn of the event loop per slice.
  const transform = splitter._transform
  let sliceBytes = partSliceBytes
  splitter._transform = function (this: Splitter, chunk, encoding, callback) {
    let at = 0
    const next = (error?: Error | null): void => {
      if (error !== undefined && error !== null) {
        callback(error)
        return
      }
      if (at >= chunk.length) {
        callback()
        return
      }
      const slice = chunk.subarray(at, at + sliceBytes)
      at += slice.length
      madeParts = false
      transform.call(this, slice, encoding, (error) => {
        sliceBytes = madeParts ? partSliceBytes : Math.min(sliceBytes * 2, bodySliceBytes)
        next(error)
      })
    }
    next()
  }

  const inspectNode = (node: SplitNode): EmailError | undefined => {
    if (node.multipart !== false && node._boundary !== false) multiparts.add(node)
    if (bodyOf(node) !== undefined && node.charset !== false && !knownCharset(node.charset)) {
      found.push(
        `${partId(node)} declares the unknown charset ${JSON.stringify(node.charset.slice(0, 64))}; read as UTF-8`
      )
    }
    return undefined
  }

  const inspectBody = (content: SplitContent): EmailError | undefined => {
    const size = content.value?.length ?? 0
    const body = bodyOf(content.node)
    if (body === "html") {
      htmlBytes += size
      if (htmlBytes > limits.maxHtmlBytes) return new BodyTooLarge({ body, maxBytes: limits.maxHtmlBytes })
    }
    if (body === "text") {
      textBytes += size
      if (textBytes > limits.maxTextBytes) return new BodyTooLarge({ body, maxBytes: limits.maxTextBytes })
    }
    return undefined
  }

  // A closing delimiter may arrive grouped with the lines around it, and owned by the part or by
  // one of its ancestors: look for each open ancestor's `--boundary--` in structure chunks.
  const inspectStructure = (content: SplitContent): void => {
    const value = content.value
    if (value === undefined || value.length > 64 * 1024) return
    for (let node: SplitNode | false = content.node; node !== false; node = node.parentNode) {
      if (node._boundary !== false && !closed.has(node) && value.includes(`--${node._boundary.toString("latin1")}--`)) {
        closed.add(node)
      }
    }
  }

  hookable.processChunk = function (this: unknown, data, done) {
    const refused =
      refusal ??
      (data.type === "node" ? inspectNode(data) : data.type === "body" ? inspectBody(data) : inspectStructure(data))
    if (refused !== undefined) return done(refused)
    return process.call(this, data, done)
  }

  return {
    refusal: () => refusal,
    problems: () => {
      const open = [...multiparts].filter((node) => !closed.has(node))
      if (open.length === 0) return found
      const names = open.slice(0, 5).map(partId).join(", ")
      return [
        ...found,
        `${open.length} multipart container(s) end without their closing boundary (${names}${open.length > 5 ? ", ..." : ""}): the message may be truncated`
      ]
    }
  }
}
