// Synthetic tickets for the store bench: deterministic (seeded), realistic enough for the
// planner and the full-text index. Rows are built as the `tickets` projection and `ticket_texts`
// keep them: the `summary` is the ticket exactly as `Schema.encodeSync(Ticket.Ticket)` gives it
// without its `messages`, the texts hold the subject and each encoded message with their words,
// and a sample of rows is decoded back with core's schemas before anything is loaded.
import { Priority, Ticket, TicketQuery } from "@tessera/core"
import { Schema } from "effect"
import { prng as rng } from "../lib/random.js"

/** Bump when the generated data changes: it is part of the cache key of the built databases. */
export const dataVersion = 3

/** Workspaces and their sizes: the one measured, and two others the workspace filter must skip. */
export const workspaces = (mainTickets: number): ReadonlyArray<{ readonly id: string; readonly tickets: number }> => [
  { id: "ws_bench", tickets: mainTickets },
  { id: "ws_other_a", tickets: Math.round(mainTickets / 20) },
  { id: "ws_other_b", tickets: Math.round(mainTickets / 20) }
]

export const mainWorkspace = "ws_bench"
export const groupCount = 50
/** Group ids are the same in every workspace, so only the workspace filter tells them apart. */
export const groupId = (i: number): string => `grp_${String(i).padStart(2, "0")}`

// -- randomness ---------------------------------------------------------------------------------

/** Samples indexes 0..n-1 with weight 1 / (i + 1)^s (Zipf), by binary search on the CDF. */
const zipf = (n: number, s: number): ((random: () => number) => number) => {
  const cdf = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** s
    cdf[i] = total
  }
  for (let i = 0; i < n; i++) cdf[i] = (cdf[i] as number) / total
  return (random) => {
    const u = random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cdf[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

// -- vocabulary ---------------------------------------------------------------------------------

/** The most frequent words: English function words, then a help desk's own words. */
const headWords = (
  "the i to and a my is it not in for on of this you we with can be have please that our " +
  "was but are from when after an at error account login password email user reset access " +
  "order invoice payment refund issue problem help working cannot update app page server " +
  "customer support ticket request team system data file report time today still again " +
  "new our phone number link screen browser message notification settings billing charge " +
  "card subscription plan upgrade cancel shipping delivery package tracking address return " +
  "vpn network connection printer laptop install license key sync backup calendar meeting " +
  "slow crash freeze timeout outage sso mfa token certificate expired locked disabled " +
  "invite permission role admin dashboard export import api integration webhook mobile ios " +
  "android windows mac download upload attachment pdf spreadsheet contract quote renewal"
).split(" ")

const onsets = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl", "r", "s"]
const moreOnsets = ["sh", "st", "t", "tr", "v", "w", "z", "qu", "sl", "fl"]
const vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
const codas = ["", "n", "r", "l", "s", "t", "m", "x", "nd", "rk"]

/** `size` distinct lowercase words: the head words, then pronounceable made-up ones. */
export const vocabulary = (size: number): ReadonlyArray<string> => {
  const words = [...new Set(headWords)]
  const seen = new Set(words)
  const random = rng(7)
  const allOnsets = [...onsets, ...moreOnsets]
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(random() * xs.length)] as A
  while (words.length < size) {
    const syllables = 2 + Math.floor(random() * 2)
    let w = ""
    for (let s = 0; s < syllables; s++) w += pick(allOnsets) + pick(vowels)
    w += pick(codas)
    if (!seen.has(w)) {
      seen.add(w)
      words.push(w)
    }
  }
  return words
}

export const vocabularySize = 5000
const vocab = vocabulary(vocabularySize)
const sampleWord = zipf(vocabularySize, 1.0)

/** Search terms of known frequency: common help-desk words and rare made-up ones. */
export const searchWords = {
  common: ["password", "login", "invoice", "refund", "error", "email", "vpn", "printer", "billing", "access"],
  rare: vocab.slice(3000, 3040)
}

// -- rows ---------------------------------------------------------------------------------------

/** A `tickets` row as the projection keeps it (times in epoch milliseconds). */
export interface TicketRow {
  readonly id: string
  readonly workspace_id: string
  readonly public_id: number
  readonly version: number
  readonly subject: string
  readonly requester: string
  readonly organization: string | null
  readonly channel: string
  readonly priority: string
  readonly priority_rank: number
  readonly type: string | null
  readonly status: string
  readonly category: string
  readonly group_id: string | null
  readonly assignee: string | null
  readonly created_at: number
  readonly updated_at: number
  readonly sla_due_at: number | null
  /**
   * The snapshot: the ticket encoded without its messages (also `TicketQuery.TicketSummary`
   * encoded, without `slaDueAt`); the messages are in `ticket_texts`.
   */
  readonly summary: string
  /** SQLite only: the stable ticket number (insertion order, from 1), the texts' key prefix. */
  readonly num: number
}

export const ticketColumns = [
  "id",
  "workspace_id",
  "public_id",
  "version",
  "subject",
  "requester",
  "organization",
  "channel",
  "priority",
  "priority_rank",
  "type",
  "status",
  "category",
  "group_id",
  "assignee",
  "created_at",
  "updated_at",
  "sla_due_at",
  "summary"
] as const satisfies ReadonlyArray<keyof TicketRow>

/** SQLite's `tickets` columns: the common ones and `num`. */
export const sqliteTicketColumns = [...ticketColumns, "num"] as const satisfies ReadonlyArray<keyof TicketRow>

export interface TagRow {
  readonly workspace_id: string
  readonly ticket_id: string
  readonly tag: string
}

/** The full-text key span of one ticket on SQLite: its texts are `num * textSpan + n`. */
export const textSpan = 16_777_216

/** A `ticket_texts` row: the subject (`n` 0, no data) or a message (`n` 1.., encoded as JSON). */
export interface TextRow {
  /** SQLite only: `num * textSpan + n`. */
  readonly key: number
  readonly workspace_id: string
  readonly ticket_id: string
  readonly n: number
  readonly data: string | null
  /** `TicketQuery.words` of the text, joined by spaces. */
  readonly words: string
  /** `public` for the subject and replies, `internal` for notes (requesters' searches skip them). */
  readonly visibility: "public" | "internal"
}

export const textColumns = [
  "workspace_id",
  "ticket_id",
  "n",
  "data",
  "words",
  "visibility"
] as const satisfies ReadonlyArray<keyof TextRow>

/** SQLite's `ticket_texts` columns: the common ones and `key`. */
export const sqliteTextColumns = ["key", ...textColumns] as const satisfies ReadonlyArray<keyof TextRow>

/** One batch of generated rows; `snapshots` are the generated tickets encoded, for `check` only. */
export interface Batch {
  readonly tickets: ReadonlyArray<TicketRow>
  readonly tags: ReadonlyArray<TagRow>
  readonly texts: ReadonlyArray<TextRow>
  readonly snapshots: ReadonlyArray<Record<string, unknown>>
}

const channels = ["email", "email", "email", "web", "web", "chat", "phone", "api"] as const
const priorities = ["low", "normal", "normal", "normal", "normal", "high", "high", "urgent"] as const
const types = [null, "question", "incident", "problem", "task"] as const
const tagNames = Array.from({ length: 120 }, (_, i) => (i < 20 ? headWords[60 + i] : `tag-${i}`) as string)
const sampleTag = zipf(tagNames.length, 1.1)
const sampleGroup = zipf(groupCount, 0.6)

/** Categories with their share: 80% resolved, 20% unresolved. */
const categories: ReadonlyArray<readonly [string, number]> = [
  ["closed", 0.65],
  ["solved", 0.15],
  ["new", 0.05],
  ["open", 0.08],
  ["pending", 0.05],
  ["on_hold", 0.02]
]

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
const base32 = (value: number, length: number): string => {
  let out = ""
  let rest = value
  for (let i = 0; i < length; i++) {
    out = alphabet[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

const hour = 3_600_000
const day = 24 * hour
/** "Now" of the data set: tickets were created over the three years before it. */
export const dataNow = Date.UTC(2026, 10, 1)
const span = 3 * 365 * day

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The tickets of one workspace, oldest first, in batches of `batchSize`; `seed` makes each
 * workspace different. Their `num`s are `firstNum`, `firstNum + 1`, ...
 */
export function* ticketBatches(
  workspaceId: string,
  count: number,
  seed: number,
  batchSize: number,
  firstNum: number
): Generator<Batch> {
  const random = rng(seed)
  const int = (n: number) => Math.floor(random() * n)
  const text = (min: number, max: number) => {
    const n = min + int(max - min + 1)
    const out: Array<string> = []
    for (let i = 0; i < n; i++) out.push(vocab[sampleWord(random)] as string)
    return out.join(" ")
  }
  const step = span / count
  let tickets: Array<TicketRow> = []
  let tags: Array<TagRow> = []
  let texts: Array<TextRow> = []
  let snapshots: Array<Record<string, unknown>> = []
  for (let n = 0; n < count; n++) {
    const created = dataNow - span + Math.floor(n * step + random() * step)
    const id = `tkt_${base32(created, 10)}${base32(int(32 ** 6), 6)}${base32(n % 32 ** 4, 4)}`
    let u = random()
    let category = "closed"
    for (const [c, share] of categories) {
      if (u < share) {
        category = c
        break
      }
      u -= share
    }
    const resolved = category === "solved" || category === "closed"
    const group = random() < 0.95 ? groupId(sampleGroup(random)) : null
    const assignee = category === "new" ? null : random() < 0.85 ? `agt_${String(int(300)).padStart(3, "0")}` : null
    const requester = `con_${base32(int(400_000), 5)}`
    const organization = random() < 0.6 ? `org_${base32(int(20_000), 4)}` : null
    const channel = channels[int(channels.length)] as string
    const priority = priorities[int(priorities.length)] as Priority.Priority
    const type = types[int(types.length)] ?? null
    const subject = text(3, 9)
    const messages: Array<Record<string, unknown>> = []
    const author = { _tag: "contact", id: requester }
    messages.push({
      id: `msg_${id.slice(4)}a`,
      visibility: "public",
      author,
      channel,
      at: iso(created),
      text: text(8, 30),
      attachments: []
    })
    const replies = int(3)
    let at = created
    for (let r = 0; r < replies; r++) {
      at += int(2 * day) + 1
      const agentAuthor = { _tag: "agent", id: assignee ?? "agt_000" }
      messages.push({
        id: `msg_${id.slice(4)}${r}`,
        visibility: r % 2 === 0 ? "public" : "internal",
        author: agentAuthor,
        channel: r % 2 === 0 ? channel : "web",
        at: iso(at),
        text: text(5, 25),
        attachments: []
      })
    }
    const statusChanges = resolved ? 1 + int(2) : int(2)
    const updated = Math.min(dataNow, at + int(3 * day) + 1)
    const ticketTags: Array<string> = []
    const tagCount = int(4)
    for (let t = 0; t < tagCount; t++) {
      const tag = tagNames[sampleTag(random)] as string
      if (!ticketTags.includes(tag)) ticketTags.push(tag)
    }
    const version = messages.length + statusChanges + int(3)
    // SLA due times: unresolved tickets have one (pending / on hold ones sometimes none: paused).
    const slaDue =
      resolved || ((category === "pending" || category === "on_hold") && random() < 0.5)
        ? null
        : created + (1 + int(72)) * hour
    const state: Record<string, unknown> = {
      id,
      workspaceId,
      publicId: n + 1,
      version,
      subject,
      description: messages[0]?.text,
      requester,
      ...(organization === null ? {} : { organization }),
      channel,
      priority,
      ...(type === null ? {} : { type }),
      status: category,
      category,
      ...(group === null ? {} : { group }),
      ...(assignee === null ? {} : { assignee }),
      supportLevel: 1,
      tags: ticketTags,
      customFields: {},
      followers: [],
      messages,
      links: [],
      createdAt: iso(created),
      updatedAt: iso(updated),
      statusChangedAt: iso(updated),
      ...(category === "solved" ? { solvedAt: iso(updated) } : {}),
      ...(category === "closed" ? { closedAt: iso(updated) } : {}),
      ...(replies > 0 ? { firstAgentReplyAt: messages[1]?.at } : {})
    }
    const num = firstNum + n
    tickets.push({
      id,
      workspace_id: workspaceId,
      public_id: n + 1,
      version,
      subject,
      requester,
      organization,
      channel,
      priority,
      priority_rank: Priority.rank(priority),
      type,
      status: category,
      category,
      group_id: group,
      assignee,
      created_at: created,
      updated_at: updated,
      sla_due_at: slaDue,
      summary: JSON.stringify({ ...state, messages: undefined }),
      num
    })
    // The words are already what `TicketQuery.words` gives: lowercase ASCII, space-separated.
    const base = num * textSpan
    texts.push({
      key: base,
      workspace_id: workspaceId,
      ticket_id: id,
      n: 0,
      data: null,
      words: subject,
      visibility: "public"
    })
    for (let m = 0; m < messages.length; m++) {
      const message = messages[m] as Record<string, unknown>
      texts.push({
        key: base + m + 1,
        workspace_id: workspaceId,
        ticket_id: id,
        n: m + 1,
        data: JSON.stringify(message),
        words: message.text as string,
        visibility: message.visibility === "internal" ? "internal" : "public"
      })
    }
    snapshots.push(state)
    for (const tag of ticketTags) tags.push({ workspace_id: workspaceId, ticket_id: id, tag })
    if (tickets.length === batchSize) {
      yield { tickets, tags, texts, snapshots }
      tickets = []
      tags = []
      texts = []
      snapshots = []
    }
  }
  if (tickets.length > 0) yield { tickets, tags, texts, snapshots }
}

const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)
const encodeTicket = Schema.encodeSync(Ticket.Ticket)
const encodeSummary = Schema.encodeSync(Schema.fromJsonString(TicketQuery.TicketSummary))

/**
 * Checks generated rows against core, for the first `sample` tickets of a batch: the snapshot
 * (`summary` with the messages of the ticket's texts) decodes as a `Ticket` that encodes exactly
 * as the generated ticket, `summary` is that ticket encoded without its messages (and its
 * `TicketSummary`), the texts are the subject and the encoded messages in order with their
 * `TicketQuery.words`, joined they are `TicketQuery.searchDocument`, and the columns agree.
 * Throws on the first mismatch, so a bad generator never gets loaded.
 */
export const check = (batch: Batch, sample: number): void => {
  const textsOf = new Map<string, Array<TextRow>>()
  for (const t of batch.texts) {
    const list = textsOf.get(t.ticket_id)
    if (list === undefined) textsOf.set(t.ticket_id, [t])
    else list.push(t)
  }
  batch.tickets.slice(0, sample).forEach((row, i) => {
    const fail = (what: string) => {
      throw new Error(`bench data: ticket ${row.id}: ${what}`)
    }
    const texts = [...(textsOf.get(row.id) ?? [])].sort((a, b) => a.n - b.n)
    const [subject, ...messages] = texts
    if (subject === undefined || subject.n !== 0 || subject.data !== null) fail("no subject text (n 0, data null)")
    messages.forEach((m, k) => {
      if (m.n !== k + 1 || m.data === null) fail(`message text ${k + 1} missing or without data`)
    })
    const ticket = decodeTicket({
      ...JSON.parse(row.summary),
      messages: messages.map((m) => JSON.parse(m.data ?? "null"))
    })
    const encoded = encodeTicket(ticket)
    if (JSON.stringify(encoded) !== JSON.stringify(batch.snapshots[i]))
      fail("summary + texts do not decode to the generated ticket")
    const { messages: encodedMessages, ...withoutMessages } = encodeTicket({ ...ticket, messages: [] })
    if (encodedMessages.length !== 0 || JSON.stringify(withoutMessages) !== row.summary)
      fail("summary is not the ticket encoded without its messages")
    if (encodeSummary(TicketQuery.summarize(ticket)) !== row.summary) fail("summary is not summarize(ticket) encoded")
    if (messages.length !== encoded.messages.length) fail("not one text per message")
    encoded.messages.forEach((m, k) => {
      if (JSON.stringify(m) !== messages[k]?.data) fail(`text ${k + 1} is not message ${k} encoded`)
    })
    const sources = [ticket.subject, ...ticket.messages.map((m) => m.text)]
    texts.forEach((t, k) => {
      if (t.words !== TicketQuery.words(sources[k] ?? "").join(" ")) fail(`text ${k}: words are not words(text)`)
      if (t.workspace_id !== row.workspace_id || t.key !== row.num * textSpan + t.n) fail(`text ${k}: workspace or key`)
      if (t.visibility !== (k === 0 ? "public" : ticket.messages[k - 1]?.visibility)) fail(`text ${k}: visibility`)
    })
    if (texts.map((t) => t.words).join(" ") !== TicketQuery.searchDocument(ticket))
      fail("the texts' words are not searchDocument(ticket)")
    if (ticket.id !== row.id || ticket.workspaceId !== row.workspace_id || ticket.version !== row.version)
      fail("id, workspace or version")
    if (ticket.publicId !== row.public_id || ticket.subject !== row.subject) fail("public id or subject")
    if (ticket.category !== row.category || ticket.status !== row.status) fail("status")
    if ((ticket.group ?? null) !== row.group_id || (ticket.assignee ?? null) !== row.assignee) fail("group/assignee")
    if (ticket.priority !== row.priority || (ticket.type ?? null) !== row.type) fail("priority/type")
  })
}

/** The tag names, most frequent first. */
export const tags: ReadonlyArray<string> = tagNames
