import { fc, test } from "@fast-check/vitest"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as DefaultTemplates from "../src/DefaultTemplates.js"
import * as Template from "../src/Template.js"

const kind = (name: string) => {
  const found = Template.builtInKinds.find((k) => k.name === name)
  if (found === undefined) throw new Error(`no kind ${name}`)
  return found
}

const template = (overrides: Partial<Template.Template>): Template.Template => ({
  kind: "acknowledgement",
  language: "en",
  subject: "[#{{ticket.number}}] {{ticket.subject}}",
  text: "Hello {{requester.name}}",
  html: "<p>Hello {{requester.name}}</p>",
  ...overrides
})

const problems = (t: Template.Template, fields?: Template.FieldPolicy) =>
  Effect.runSync(Effect.flip(Template.check(t, kind(t.kind), fields))).problems

describe("Template.check", () => {
  it("accepts a template whose placeholders its kind offers", () => {
    const t = template({ text: "{{ sla.expected }} {{message.text}}" })
    expect(Effect.runSync(Template.check(t, kind("acknowledgement")))).toEqual(t)
  })

  it("refuses an unknown placeholder and an internal note in a customer template, listing both", () => {
    const t = template({ subject: "{{ticket.subjet}}", text: "{{note.text}}", html: "{{ticket.number}}" })
    expect(problems(t)).toEqual([
      { part: "subject", placeholder: "ticket.subjet", reason: "unknown" },
      { part: "text", placeholder: "note.text", reason: "not-visible" }
    ])
  })

  it("lets an agent template use the internal note of a mention", () => {
    const t = template({ kind: "mentioned", text: "{{note.author}}: {{note.text}}" })
    expect(Effect.runSync(Template.check(t, kind("mentioned"))).text).toBe(t.text)
  })

  it("offers a custom field to customers unless the workspace declares it internal", () => {
    const fields = [
      { key: "plan", label: "Plan", type: "text" },
      { key: "cost_center", label: "Cost center", type: "text", internal: true }
    ] satisfies Template.FieldPolicy
    const t = template({ text: "{{ticket.fields.plan}} {{ticket.fields.cost_center}} {{ticket.fields.nope}}" })
    expect(problems(t, fields)).toEqual([
      { part: "text", placeholder: "ticket.fields.cost_center", reason: "not-visible" },
      { part: "text", placeholder: "ticket.fields.nope", reason: "unknown" }
    ])
    const forAgents = template({ kind: "assigned", text: "{{ticket.fields.cost_center}}" })
    expect(Effect.runSync(Template.check(forAgents, kind("assigned"), fields)).kind).toBe("assigned")
  })

  it("refuses braces that form no placeholder", () => {
    const t = template({ text: "{{ ticket number }} and {{ticket.number" })
    expect(problems(t).map((p) => p.reason)).toEqual(["malformed", "malformed"])
  })

  it("a survey template may use the survey link, an acknowledgement may not", () => {
    expect(problems(template({ text: "{{survey.url}}" }))).toEqual([
      { part: "text", placeholder: "survey.url", reason: "unknown" }
    ])
    const survey = template({ kind: "survey", text: "{{survey.url}}" })
    expect(Effect.runSync(Template.check(survey, kind("survey"))).kind).toBe("survey")
  })

  it("every default template passes the check it would face when saved, in English and French", () => {
    for (const t of DefaultTemplates.defaults) Effect.runSync(Template.check(t, kind(t.kind)))
    for (const k of Template.builtInKinds) {
      expect(DefaultTemplates.defaults.filter((t) => t.kind === k.name).map((t) => t.language)).toEqual(["en", "fr"])
    }
  })
})

describe("Template.render", () => {
  const context = new Map([
    ["ticket.subject", "Broken\r\nBcc: evil@example.com"],
    ["requester.name", `<script>alert("x")</script> & co`],
    ["ticket.number", "1042"]
  ])

  it("escapes values in HTML and keeps them readable in text", () => {
    const out = Template.render(template({}), context)
    expect(out.html).toBe("<p>Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</p>")
    expect(out.text).toBe(`Hello <script>alert("x")</script> & co`)
  })

  it("a subject never holds a line break, whatever a value holds", () => {
    const out = Template.render(template({ subject: "{{ticket.subject}}\n{{ticket.number}}" }), context)
    expect(out.subject).toBe("Broken Bcc: evil@example.com 1042")
  })

  it("a placeholder the context lacks renders as nothing", () => {
    expect(Template.render(template({ text: "[{{note.text}}]" }), context).text).toBe("[]")
  })

  it("text values lose control characters but keep their lines", () => {
    expect(Template.textSafe("a\r\nb\u0000c\u001bd\re")).toBe("a\nbcd\ne")
  })

  // The escapes as first written, one pass per character class: each pass is plain to check,
  // and the one-pass versions must say exactly the same.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the reference
  const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g
  const textReference = (value: string) => value.replace(/\r\n?/g, "\n").replace(controls, "")
  const htmlReference = (value: string) =>
    textReference(value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;")
      .replace(/\n/g, "<br>\n")
  const tricky = fc.string({
    unit: fc.oneof(
      fc.constantFrom("\r", "\n", "\t", "\u0000", "\u000b", "\u000c", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029"),
      fc.constantFrom("&", "<", ">", '"', "'", "a", " ", "é", "=?"),
      fc.string({ maxLength: 1, unit: "binary" })
    ),
    maxLength: 40
  })
  test.prop([tricky])("text and HTML values escape as the one-class-at-a-time passes do", (value) => {
    expect(Template.textSafe(value)).toBe(textReference(value))
    expect(Template.htmlSafe(value)).toBe(htmlReference(value))
  })
})
