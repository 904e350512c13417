/**
 * Mailboxes from mailparser's address headers, as `Inbound.Address` values: groups flattened,
 * domains lower-cased (the local part keeps its case, RFC 5321 2.4), entries without a usable
 * address left out, and the plus-address tokens (`support+t69369@`) of the recipients.
 */
import type { AddressObject, EmailAddress } from "mailparser"
import type * as Inbound from "../Inbound.js"

/** Mailboxes one address header may yield; the rest are left out. */
const maxAddresses = 500

const normalize = (address: string): string | undefined => {
  const trimmed = address.trim()
  const at = trimmed.lastIndexOf("@")
  if (at <= 0 || at === trimmed.length - 1 || trimmed.length > 320 || /[\s<>]/.test(trimmed)) return undefined
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`
}

const flatten = (entries: ReadonlyArray<EmailAddress>, into: Array<Inbound.Address>, dropped: { count: number }) => {
  for (const entry of entries) {
    if (into.length >= maxAddresses) return
    if (Array.isArray(entry.group)) {
      flatten(entry.group, into, dropped)
      continue
    }
    const name = typeof entry.name === "string" ? entry.name.trim() : ""
    const address = typeof entry.address === "string" ? normalize(entry.address) : undefined
    if (address === undefined) {
      if (typeof entry.address === "string" || name.length > 0) dropped.count++
      continue
    }
    into.push({ name, address })
  }
}

/**
 * The mailboxes of an address header (or of several headers of that name), and how many entries
 * had no usable address.
 */
export const mailboxes = (
  header: AddressObject | ReadonlyArray<AddressObject> | undefined
): { readonly addresses: ReadonlyArray<Inbound.Address>; readonly dropped: number } => {
  const addresses: Array<Inbound.Address> = []
  const dropped = { count: 0 }
  const objects: ReadonlyArray<AddressObject> =
    header === undefined ? [] : Array.isArray(header) ? header : [header as AddressObject]
  for (const object of objects) flatten(object.value, addresses, dropped)
  return { addresses, dropped: dropped.count }
}

/**
 * An address as the message's envelope gives it (`RCPT TO`), normalised like the headers'.
 */
export const envelopeAddress = (address: string): string | undefined => normalize(address.replace(/^<|>$/g, ""))

/**
 * The tokens after `+` in the local parts of `addresses` (`t69369.sig` of `support+t69369.sig@`),
 * each once.
 */
export const plusTokens = (addresses: ReadonlyArray<string>): ReadonlyArray<string> => {
  const tokens = new Set<string>()
  for (const address of addresses) {
    const local = address.slice(0, address.lastIndexOf("@"))
    const plus = local.indexOf("+")
    if (plus >= 0 && plus < local.length - 1) tokens.add(local.slice(plus + 1))
  }
  return [...tokens]
}
