/**
 * `--config`: the help desk's workflow and custom fields, which decide what the rules' commands
 * may do. A rule that sets a custom field the configuration does not define changes nothing, as
 * in the help desk; defined, it changes the field.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Rule, RuleTriggers } from "@tessera/rules"
import { Effect, Result } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as HelpdeskConfig from "../src/HelpdeskConfig.js"
import * as Replay from "../src/Replay.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-config-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, content: string) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const planRule = Rule.decodeRuleSet([
  {
    id: "gold-plan",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "tags", op: "includes", value: "gold" },
    then: [{ setField: "plan", value: "gold" }]
  }
])

/** The opening of a ticket tagged gold, on a help desk without rules. */
const opening = Effect.runPromise(
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const ticket = yield* helpdesk.open({
      requester: { email: "jane@example.com" },
      subject: "Upgrade",
      text: "Please",
      channel: "web",
      tags: ["gold"]
    })
    return Replay.unitsOf(yield* helpdesk.asSystem("test").history(ticket.id))[0] as Replay.Unit
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
)

describe("the help desk's configuration", () => {
  it("gives the rules its custom fields: a rule may then set one", async () => {
    const rules = Result.isSuccess(planRule) ? planRule.success : []
    const config = await Effect.runPromise(
      HelpdeskConfig.read(
        file(
          "helpdesk.json",
          JSON.stringify({
            workspaceId: "acme",
            customFields: [{ key: "plan", label: "Plan", type: "text" }],
            maxAttempts: 5
          })
        )
      )
    )
    expect(config.workspaceId).toBe("acme")
    const unit = await opening
    const [without, withConfig] = await Promise.all([
      Effect.runPromise(Replay.run(RuleTriggers.make(rules), unit)),
      Effect.runPromise(Replay.run(RuleTriggers.make(rules), unit, config.settings))
    ])
    expect(without.changes).toEqual([])
    expect(withConfig.changes.map((e) => e._tag)).toEqual(["CustomFieldChanged"])
  })

  it("refuses a file that is not a configuration, saying where", async () => {
    const error = await Effect.runPromise(
      Effect.flip(HelpdeskConfig.read(file("bad.json", JSON.stringify({ customFields: [{ key: "plan" }] }))))
    )
    expect(error.message).toMatch(
      /^Cannot use the help desk configuration .*bad\.json: customFields\.0\.label: Missing key/
    )
    const notJson = await Effect.runPromise(Effect.flip(HelpdeskConfig.read(file("x.json", "{"))))
    expect(notJson.message).toContain("not valid JSON")
  })
})
