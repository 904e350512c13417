/**
 * The help desk's configuration is checked when it is built: the JSON configuration, the
 * workflow and the SLA options together, every problem in one `InvalidConfig`. A policy naming a
 * calendar that was not given fails here, not on every command.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"
import * as SlaPolicy from "../../src/sla/SlaPolicy.js"
import * as Status from "../../src/ticket/Status.js"
import * as ConfigError from "../../src/values/ConfigError.js"

const status = (id: string, category: Status.StatusCategory) => ({ id, category, label: id })

/** What building a help desk fails with, on fresh in-memory ports. */
const buildFails = (config: Parameters<typeof Helpdesk.make>[0], options: Helpdesk.Options = {}) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(
      Effect.provide(Effect.asVoid(Effect.service(Helpdesk.Helpdesk)), MemoryHelpdesk.layer(config, options))
    )
    const error = Option.getOrThrow(Exit.findErrorOption(exit))
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    return error
  })

const business = { minutes: 60, clock: "business" } as const
const policies = (calendar: string | undefined): SlaPolicy.PolicySet => ({
  policies: [
    {
      id: "vip",
      name: "VIP",
      ...(calendar === undefined ? {} : { calendar }),
      conditions: { tier: ["enterprise"] },
      targets: { first_reply: { high: business } }
    }
  ],
  default: { id: "standard", name: "Standard", targets: { resolution: { normal: business } } }
})

describe("the help desk's configuration", () => {
  it.effect("lists every problem at once: schema, workflow and options, each with its path", () =>
    Effect.gen(function* () {
      const error = yield* buildFails({
        workspaceId: "acme corp",
        workflow: {
          ...Status.defaultWorkflow,
          statuses: [...Status.defaultWorkflow.statuses.filter((s) => s.category !== "pending"), status("open", "new")]
        },
        maxAttempts: 0,
        colour: "blue"
      } as never)
      expect(error.config).toBe("helpdesk")
      expect(error.problems).toEqual([
        { path: ["colour"], message: expect.any(String) },
        { path: ["workspaceId"], message: expect.any(String) },
        { path: ["maxAttempts"], message: expect.any(String) },
        { path: ["workflow"], message: 'status "open" is declared twice' },
        { path: ["workflow"], message: 'no status in category "pending"' }
      ])
    })
  )

  it.effect("a policy naming a calendar not given fails when the help desk is built, at its calendar key", () =>
    Effect.gen(function* () {
      const error = yield* buildFails(
        { workspaceId: "acme" },
        { sla: { policies: policies("paris"), calendars: { london: BusinessCalendar.alwaysOpen } } }
      )
      expect(error.config).toBe("sla-policies")
      expect(error.problems).toEqual([
        { path: ["policies", 0, "calendar"], message: 'there is no calendar "paris"' },
        {
          path: ["default", "calendar"],
          message:
            'the policy counts business time and names no calendar, and there is no calendar "business_hours" to default to'
        }
      ])
    })
  )

  it.effect("policies counting business time without a calendar need business_hours", () =>
    Effect.gen(function* () {
      const error = yield* buildFails(
        { workspaceId: "acme" },
        { sla: { policies: policies(undefined), calendars: {} } }
      )
      expect(error.problems.map((p) => p.path)).toEqual([
        ["policies", 0, "calendar"],
        ["default", "calendar"]
      ])
      const built = yield* Effect.exit(
        Effect.provide(
          Effect.asVoid(Effect.service(Helpdesk.Helpdesk)),
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            { sla: { policies: policies(undefined), calendars: { business_hours: BusinessCalendar.alwaysOpen } } }
          )
        )
      )
      expect(Exit.isSuccess(built)).toBe(true)
    })
  )

  it.effect("a policy set built in code is checked as JSON would be: two policies with one id", () =>
    Effect.gen(function* () {
      const set = policies("paris")
      const error = yield* buildFails(
        { workspaceId: "acme" },
        {
          sla: {
            policies: { ...set, default: { ...set.default, id: "vip", calendar: "paris" } },
            calendars: { paris: BusinessCalendar.alwaysOpen }
          }
        }
      )
      expect(error).toMatchObject({
        config: "sla-policies",
        problems: [{ path: ["default", "id"], message: "the id vip is also at policies.0" }]
      })
    })
  )

  it.effect("problems in the configuration and the SLA options come together, the options' under sla.policies", () =>
    Effect.gen(function* () {
      const error = yield* buildFails(
        { workspaceId: "" },
        { sla: { policies: policies("paris"), calendars: { paris: BusinessCalendar.alwaysOpen } } }
      )
      expect(error.config).toBe("helpdesk")
      expect(error.problems.map((p) => p.path)).toEqual([["workspaceId"], ["sla", "policies", "default", "calendar"]])
    })
  )

  it.effect("a help desk whose calendars are all given is built, and tracks its SLAs", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "VPN",
        text: "Down",
        channel: "email"
      })
      const [listed] = (yield* helpdesk.asSystem("test").list({})).items
      expect(listed?.slaDueAt).toBeDefined()
    }).pipe(
      Effect.provide(
        Layer.fresh(
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            {
              sla: {
                policies: SlaPolicy.defaultPolicySet,
                calendars: { business_hours: BusinessCalendar.alwaysOpen }
              }
            }
          )
        )
      )
    )
  )
})
