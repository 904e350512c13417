import { Actor } from "@tessera/core"
import { describe, expect, it } from "vitest"
import * as Recipients from "../src/Recipients.js"
import { message, snapshot, ticket } from "./support/fixtures.js"

const addresses = (rs: ReadonlyArray<{ readonly address: string; readonly audience: string }>) =>
  rs.map((r) => `${r.audience}:${r.address}`)

describe("Recipients.resolve", () => {
  it("resolves roles to people with their audience, once each", () => {
    const t = ticket({
      followers: [
        { _tag: "contact", id: "con_bob" },
        { _tag: "agent", id: "agt_tom" }
      ] as never
    })
    const rs = Recipients.resolve(t, ["requester", "followers", "assignee", "group", "requester"], snapshot)
    expect(addresses(rs)).toEqual([
      "customer:jane@example.com",
      "customer:bob@example.com",
      "agent:tom@acme.test",
      "agent:mary@acme.test"
    ])
  })

  it("leaves out inactive agents, unknown ids and the agent who caused it", () => {
    const rs = Recipients.resolve(ticket(), ["group", "agent:agt_nobody", "agent:agt_old"], snapshot, {
      actor: Actor.agent("agt_mary")
    })
    expect(addresses(rs)).toEqual(["agent:tom@acme.test"])
  })

  it("an address is an agent's when an agent has it, a contact's when a contact has it, else a customer's", () => {
    const rs = Recipients.resolve(ticket(), ["MARY@acme.test", "bob@example.com", "someone@else.test"], snapshot)
    expect(addresses(rs)).toEqual(["agent:mary@acme.test", "customer:bob@example.com", "customer:someone@else.test"])
    expect(rs[1]?.contact).toBe("con_bob")
  })

  it("takes language and time zone from the application, with defaults", () => {
    const rs = Recipients.resolve(ticket(), ["requester", "assignee"], snapshot, {
      defaultLanguage: "fr",
      defaultTimeZone: "Europe/Paris",
      localeOf: (p) => (p._tag === "contact" ? { language: "en-GB", timeZone: "Europe/London" } : {})
    })
    expect(rs.map((r) => [r.language, r.timeZone])).toEqual([
      ["en-GB", "Europe/London"],
      ["fr", "Europe/Paris"]
    ])
  })

  // #17: contacts carry their own language and time zone in core's directory.
  it("a contact's own language and time zone come after the application's and before the defaults", () => {
    const withLocale = {
      ...snapshot,
      contacts: snapshot.contacts.map((c) =>
        c.id === "con_jane" ? { ...c, language: "fr-CA", timeZone: "America/Toronto" } : c
      )
    }
    const defaults = { defaultLanguage: "de", defaultTimeZone: "Europe/Berlin" }
    const own = Recipients.resolve(ticket(), ["requester", "bob@example.com"], withLocale, defaults)
    expect(own.map((r) => [r.address, r.language, r.timeZone])).toEqual([
      ["jane@example.com", "fr-CA", "America/Toronto"],
      ["bob@example.com", "de", "Europe/Berlin"]
    ])
    const partly = Recipients.resolve(ticket(), ["requester"], withLocale, {
      ...defaults,
      localeOf: () => ({ language: "en-GB" })
    })
    expect(partly.map((r) => [r.language, r.timeZone])).toEqual([["en-GB", "America/Toronto"]])
  })

  it("a requester who opened the ticket by email is unverified until they write after the help desk answered", () => {
    const jane = { _tag: "contact", id: "con_jane" } as const
    const mary = { _tag: "agent", id: "agt_mary" } as const
    const opened = ticket()
    expect(Recipients.resolve(opened, ["requester"], snapshot)[0]?.verified).toBe(false)
    const wroteAgainAlone = ticket({ messages: [...opened.messages, message("m2", "public", jane, "again")] })
    expect(Recipients.isVerified(wroteAgainAlone, "con_jane")).toBe(false)
    const answered = ticket({
      messages: [...opened.messages, message("m2", "public", mary, "on it"), message("m3", "public", jane, "thanks")]
    })
    expect(Recipients.isVerified(answered, "con_jane")).toBe(true)
    expect(Recipients.isVerified(ticket({ channel: "web" }), "con_jane")).toBe(true)
    expect(Recipients.isVerified(opened, "con_jane", new Set(["con_jane"]))).toBe(true)
    expect(Recipients.isVerified(opened, "con_bob")).toBe(true)
  })
})
