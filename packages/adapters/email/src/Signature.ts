/**
 * Signed ticket tokens: what makes a reply's claim to a ticket believable. The help desk's
 * outbound Message-IDs (`<t69369.<mac>.<unique>@domain>`) and reply addresses
 * (`support+t69369.<mac>@domain`) carry the ticket's number and an HMAC-SHA256 of the workspace
 * and that number under the installation's key; a reply that quotes one back proves it answers a
 * mail the help desk sent for that ticket. Keys rotate through a list: the first signs, every one
 * verifies. Deciding what a verified token does is `Threading`'s job.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Lru } from "@tessera/core"
import { Effect, Option, Schema } from "effect"

/**
 * The keys tokens are signed with: `signing` makes new tokens, every key of `accepted` (which
 * includes `signing`) verifies them, so an old key stays accepted while its mail is answered.
 *
 * @category models
 * @since 0.1.0
 */
export interface Keys {
  readonly signing: Uint8Array
  readonly accepted: ReadonlyArray<Uint8Array>
}

/**
 * The signing keys given are unusable: none, or one shorter than `minimumKeyBytes`.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidKeys extends Schema.TaggedError<InvalidKeys>()("InvalidKeys", {
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Invalid signing keys: ${this.reason}`
  }
}

/**
 * The shortest key accepted, in bytes (as UTF-8 text or raw bytes): 32, the HMAC-SHA256 block
 * size's half and the length of its output, so a key is never weaker than the MAC.
 *
 * @category models
 * @since 0.1.0
 */
export const minimumKeyBytes = 32

/**
 * Characters of the MAC in a token: 16 base32 characters, 80 bits. Guessing one takes 2^79
 * tries on average, each a mail through the help desk's front door.
 *
 * @category models
 * @since 0.1.0
 */
export const macLength = 16

/**
 * Keys from secrets, newest first: the first signs, all verify.
 *
 * @example
 * const keys = yield* Signature.keys([process.env.MAIL_KEY_2026, process.env.MAIL_KEY_2025])
 *
 * @category constructors
 * @since 0.1.0
 */
export const keys = (secrets: ReadonlyArray<string | Uint8Array>): Effect.Effect<Keys, InvalidKeys> => {
  const bytes = secrets.map((s) => (typeof s === "string" ? new TextEncoder().encode(s) : Uint8Array.from(s)))
  const [signing] = bytes
  if (signing === undefined) return Effect.fail(new InvalidKeys({ reason: "no key given" }))
  const short = bytes.findIndex((b) => b.length < minimumKeyBytes)
  if (short >= 0) {
    return Effect.fail(new InvalidKeys({ reason: `key ${short} is shorter than ${minimumKeyBytes} bytes` }))
  }
  return Effect.succeed({ signing, accepted: bytes })
}

const alphabet = "abcdefghijklmnopqrstuvwxyz234567"

/** RFC 4648 base32, lower case, no padding: survives mail systems that fold the local part's case. */
const base32 = (bytes: Uint8Array): string => {
  let out = ""
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31]
  return out
}

/** The MAC of one ticket of one workspace; the version prefix lets the format change later. */
const mac = (key: Uint8Array, workspaceId: string, publicId: number): string =>
  base32(createHmac("sha256", key).update(`tessera-ticket-v1\u0000${workspaceId}\u0000${publicId}`).digest()).slice(
    0,
    macLength
  )

// A ticket's token never changes under a key, and each mail about it carries it twice or more
// (Message-ID, reply address, references): the latest tickets' are kept, per signing key.
const tokens = new WeakMap<Uint8Array, Lru.Lru<string, string>>()

/**
 * The signed token of a ticket: `t69369.<mac>`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const token = (keys: Keys, workspaceId: string, publicId: number): string => {
  let known = tokens.get(keys.signing)
  if (known === undefined) {
    known = Lru.make(1024)
    tokens.set(keys.signing, known)
  }
  const key = `${workspaceId}\u0000${publicId}`
  const found = known.get(key)
  if (found !== undefined) return found
  const made = `t${publicId}.${mac(keys.signing, workspaceId, publicId)}`
  known.set(key, made)
  return made
}

/**
 * A Message-ID for a mail the help desk sends about a ticket, without angle brackets:
 * `t69369.<mac>.<unique>@domain`. `unique` (letters, digits, `-`, `_`) makes it unique per mail;
 * the outbox entry's id is a good one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const messageId = (
  keys: Keys,
  options: { readonly workspaceId: string; readonly publicId: number; readonly unique: string; readonly domain: string }
): string =>
  `${token(keys, options.workspaceId, options.publicId)}.${options.unique.replace(/[^\w-]/g, "_")}@${options.domain}`

/**
 * The reply address of a ticket: the mailbox with the signed token as its plus part
 * (`support@acme.test` becomes `support+t69369.<mac>@acme.test`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const replyAddress = (
  keys: Keys,
  options: { readonly workspaceId: string; readonly publicId: number; readonly mailbox: string }
): string => {
  const at = options.mailbox.lastIndexOf("@")
  const local = options.mailbox.slice(0, at).split("+")[0]
  return `${local}+${token(keys, options.workspaceId, options.publicId)}${options.mailbox.slice(at)}`
}

/**
 * What a string that looks like a ticket token holds: the number, and the MAC when it has one
 * (`t69369` alone is an unsigned token).
 *
 * @category models
 * @since 0.1.0
 */
export interface Parsed {
  readonly publicId: number
  readonly mac: string | undefined
}

const tokenPattern = /^t([1-9]\d{0,14})(?:\.([a-z2-7]+))?(?:[.@]|$)/

/**
 * Reads a token at the start of a plus part (`t69369.<mac>`) or of a Message-ID
 * (`t69369.<mac>.<unique>@domain`); case-insensitive. Nothing else counts as a token.
 *
 * @category combinators
 * @since 0.1.0
 */
export const parse = (text: string): Option.Option<Parsed> => {
  const found = tokenPattern.exec(text.toLowerCase())
  if (found === null) return Option.none()
  const publicId = Number(found[1])
  return Number.isSafeInteger(publicId) ? Option.some({ publicId, mac: found[2] }) : Option.none()
}

/**
 * Whether `parsed`'s MAC is the one of its number in this workspace under one of the accepted
 * keys. Every key is compared, in constant time, whichever matches: the time taken says nothing
 * about the MAC.
 *
 * @category predicates
 * @since 0.1.0
 */
export const verify = (keys: Keys, workspaceId: string, parsed: Parsed): boolean => {
  // A MAC's length is no secret: a wrong one is refused at once.
  if (parsed.mac === undefined || parsed.mac.length !== macLength) return false
  const given = Buffer.from(parsed.mac)
  let matched = false
  for (const key of keys.accepted) {
    matched = timingSafeEqual(given, Buffer.from(mac(key, workspaceId, parsed.publicId))) || matched
  }
  return matched
}
