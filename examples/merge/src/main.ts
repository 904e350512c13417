/**
 * Merge: Jane Sharpe emails about her VPN, then opens a chat about the same problem two hours
 * later. The help desk suggests the email ticket as the chat's duplicate (with a score and its
 * reasons), Mary merges the chat into it, and the merged timeline shows one history across both
 * channels, each message remembering where it came from. A later chat message lands on the
 * merged ticket; finally the merge is undone. The story runs on a demo clock, so the output is
 * the same on every machine.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Actor, createHelpdesk, type PromiseHelpdesk } from "@tessera/core"

/** A clock the story sets by hand (Paris time, UTC+1 in November). */
const demoClock = (start: string) => {
  let current = Date.parse(start)
  return {
    now: () => current,
    set: (iso: string) => {
      current = Date.parse(iso)
    }
  }
}

const time = (iso: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    weekday: "short",
    day: "2-digit",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23"
  })
    .format(new Date(iso))
    .replaceAll(",", "")

/** One message on one line: when, on which channel, who, what, and where it came from. */
const line = (m: PromiseHelpdesk.MessageJson, name: (id: string) => string): string => {
  const who = m.author._tag === "system" ? "system" : name(m.author.id)
  const from = m.origin === undefined ? "" : `  (from #${m.origin.publicId})`
  return `  ${time(m.at)}  ${m.channel.padEnd(5)}  ${who.padEnd(11)}  ${m.text}${from}`
}

/** The conversation of a ticket, one line per message, in time order, read page by page. */
const timeline = async (
  helpdesk: PromiseHelpdesk.HelpdeskClient,
  ticket: PromiseHelpdesk.TicketJson,
  name: (id: string) => string
): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  // #region read-conversation
  let cursor: string | undefined
  do {
    const page = await helpdesk
      .asSystem("demo")
      .messages(ticket.id, { limit: 100, ...(cursor === undefined ? {} : { cursor }) })
    for (const message of page.items) lines.push(line(message, name))
    cursor = page.nextCursor
  } while (cursor !== undefined)
  // #endregion
  return lines
}

/**
 * Runs the story and prints the suggestion, the merged timeline and the undo.
 */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const clock = demoClock("2026-11-10T09:12:00+01:00")
  const helpdesk = await createHelpdesk({ workspaceId: "acme", firstPublicId: 69369, now: clock.now })
  try {
    await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    const org = await helpdesk.saveOrganization({ id: "sharpe", name: "Sharpe & Co", domains: ["example.com"] })
    const jane = await helpdesk.saveContact({
      id: "jane",
      name: "Jane Sharpe",
      emails: ["jane.sharpe@example.com"],
      organization: org.id
    })
    const tom = await helpdesk.saveContact({
      id: "tom",
      name: "Tom Reed",
      emails: ["tom.reed@example.com"],
      organization: org.id
    })
    const names: Record<string, string> = { mary: "Mary", [jane.id]: "Jane Sharpe", [tom.id]: "Tom Reed" }
    const name = (id: string) => names[id] ?? id
    const mary = Actor.agent("mary")
    const asJane = Actor.contact(jane.id)

    // Tuesday 09:12: Jane emails about her VPN; Mary answers.
    const email = await helpdesk.open({
      requester: { id: jane.id },
      subject: "VPN disconnects every 10 minutes",
      text: "Since yesterday my VPN disconnects every ten minutes when I work from home.",
      channel: "email",
      tags: ["vpn"]
    })
    clock.set("2026-11-10T09:40:00+01:00")
    await helpdesk.reply({ ticket: email.publicId, by: mary, text: "Which VPN client version do you use?" })
    // Jane has another, unrelated question; Tom, a colleague, has his own VPN trouble.
    clock.set("2026-11-10T10:02:00+01:00")
    await helpdesk.open({
      requester: { id: jane.id },
      subject: "Invoice 4471 shows the wrong address",
      text: "The invoice for October still has our old office address.",
      channel: "email"
    })
    clock.set("2026-11-10T10:30:00+01:00")
    await helpdesk.open({
      requester: { id: tom.id },
      subject: "VPN drops in the Lyon office",
      text: "The VPN drops several times an hour here in Lyon.",
      channel: "web"
    })

    // 11:05: Jane opens a chat about the same problem.
    clock.set("2026-11-10T11:05:00+01:00")
    const chat = await helpdesk.open({
      requester: { id: jane.id },
      subject: "my vpn keeps disconnecting",
      text: "Hi, my VPN keeps disconnecting from home, any news?",
      channel: "chat",
      priority: "high"
    })

    // #region suggest
    const suggestions = await helpdesk.as(mary).suggestDuplicates({ ticket: chat.publicId })
    // #endregion
    print(`Possible duplicates of #${chat.publicId} "${chat.subject}" (${chat.channel}):`)
    for (const s of suggestions) {
      print(`  #${s.publicId}  score ${s.score.toFixed(2)}`)
      for (const r of s.reasons) print(`      ${r.kind.padEnd(17)} +${r.weight.toFixed(2)}  ${r.detail}`)
    }

    clock.set("2026-11-10T11:10:00+01:00")
    // #region merge
    const best = suggestions[0]
    if (best === undefined) throw new Error("the email ticket should be suggested")
    const merged = await helpdesk.merge({ target: best.publicId, sources: [chat.publicId], by: mary })
    // #endregion
    print("")
    print(
      `Merged #${chat.publicId} into #${merged.publicId} (priority ${merged.priority}, tags ${merged.tags.join(", ")}):`
    )
    for (const text of await timeline(helpdesk, merged, name)) print(text)
    const source = await helpdesk.as(mary).get(chat.id)
    print(`  #${source.publicId} is ${source.status}, merged into #${merged.publicId}`)

    // 11:20: Jane writes again in her chat: the message lands on the merged ticket.
    clock.set("2026-11-10T11:20:00+01:00")
    const landed = await helpdesk.reply({ ticket: chat.publicId, by: asJane, text: "Version 5.2.1, on Windows 11." })
    print("")
    print(`Jane's next chat message to #${chat.publicId} landed on #${landed.publicId}:`)
    // A command's answer carries the ticket's latest messages, not its whole conversation.
    const latest = landed.recentMessages.at(-1)
    print(latest === undefined ? "" : line(latest, name))

    // The merge was a mistake after all: undo it.
    clock.set("2026-11-10T11:30:00+01:00")
    // #region undo
    const restored = await helpdesk.undoMerge({ target: merged.publicId, source: chat.id, by: mary })
    // #endregion
    const target = await helpdesk.as(mary).get(merged.publicId)
    print("")
    print(`Undone: #${restored.publicId} is ${restored.status} again with its own messages:`)
    for (const text of await timeline(helpdesk, restored, name)) print(text)
    print(`#${target.publicId} keeps what came after the merge (priority ${target.priority}):`)
    for (const text of await timeline(helpdesk, target, name)) print(text)
  } finally {
    await helpdesk.close()
  }
}

// Run the story when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
