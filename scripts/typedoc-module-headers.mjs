/**
 * A TypeDoc plugin that documents each namespace (`export * as Ticket from "./ticket/Ticket.js"`)
 * with the 2-4 sentence header its module opens with. TypeDoc takes a file's first comment as
 * the module's only when it carries `@module`; our headers do not, and a namespace whose module
 * has no header still fails the build (`validation.notDocumented`).
 */
import { Comment, CommentTag, Converter, ReflectionKind } from "typedoc"

/** The text and block tags of a file's leading `/** ... *\/` comment, or undefined. */
const header = (text) => {
  const match = /^(?:#![^\n]*\n)?\s*\/\*\*([\s\S]*?)\*\//.exec(text)
  if (!match) return undefined
  const lines = match[1].split("\n").map((line) => line.replace(/^\s*\* ?/, "").trimEnd())
  const summary = []
  const tags = []
  for (const line of lines) {
    const tag = /^@(\w+)\s*(.*)$/.exec(line)
    if (tag) tags.push({ name: `@${tag[1]}`, text: tag[2] })
    else if (tags.length > 0) tags[tags.length - 1].text += `\n${line}`
    else summary.push(line)
  }
  const body = summary.join("\n").trim()
  return body === "" ? undefined : { body, tags }
}

/** @param {import("typedoc").Application} app */
export const load = (app) => {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.comment || !reflection.kindOf(ReflectionKind.Namespace)) return
    const symbol = context.getSymbolFromReflection(reflection)
    const file = symbol?.declarations?.find((declaration) => "fileName" in declaration && "statements" in declaration)
    const parsed = file ? header(file.text) : undefined
    if (!parsed) return
    reflection.comment = new Comment(
      [{ kind: "text", text: parsed.body }],
      parsed.tags.map((tag) => new CommentTag(tag.name, [{ kind: "text", text: tag.text.trim() }]))
    )
  })
}
