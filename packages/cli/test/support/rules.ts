/**
 * Rule files for the command line's tests: a rule set a team might propose (routing, priorities,
 * tiers, a pair of rules that loop, a rule that never fires, an automation), and broken ones.
 */

/** The proposed rules, as the rule file holds them. */
export const proposed = [
  {
    id: "billing-to-finance",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "tags", op: "includes", value: "billing" },
    then: [{ set: "group", value: "finance" }]
  },
  {
    id: "refund-high",
    version: 1,
    kind: "trigger",
    on: ["created", "requester_replied"],
    if: { text: "message", op: "containsWords", value: "refund" },
    then: [{ set: "priority", value: "high" }]
  },
  {
    id: "premium-tag",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "requester.tier", op: "is", value: "premium" },
    then: [{ addTags: ["premium"] }]
  },
  {
    id: "vip-up",
    version: 1,
    kind: "trigger",
    if: {
      all: [
        { field: "tags", op: "includes", value: "vip" },
        { field: "priority", op: "is", value: "high" }
      ]
    },
    then: [{ set: "priority", value: "urgent" }]
  },
  {
    id: "vip-down",
    version: 1,
    kind: "trigger",
    if: {
      all: [
        { field: "tags", op: "includes", value: "vip" },
        { field: "priority", op: "is", value: "urgent" }
      ]
    },
    then: [{ set: "priority", value: "high" }]
  },
  {
    id: "legal-note",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "tags", op: "includes", value: "legal" },
    then: [{ note: "Legal request: loop in the legal team." }]
  },
  {
    id: "pending-reminder",
    version: 1,
    kind: "automation",
    if: {
      all: [
        { field: "status", op: "is", value: "pending" },
        { since: "statusChanged", op: "atLeast", hours: 72 },
        { field: "tags", op: "excludes", value: "reminded" }
      ]
    },
    then: [{ notify: { template: "pending-reminder", to: ["requester"] } }, { addTags: ["reminded"] }]
  }
]

/** The proposed rules without the pair that loops. */
export const calm = proposed.filter((r) => r.id !== "vip-up" && r.id !== "vip-down")

/** Rules the decoder refuses: an order on tags, no action, an unknown condition. */
export const undecodable = [
  {
    id: "tags-order",
    version: 1,
    kind: "trigger",
    if: {
      all: [
        { field: "priority", op: "is", value: "high" },
        { field: "tags", op: "lt", value: "x" }
      ]
    },
    then: [{ set: "priority", value: "urgent" }]
  },
  { id: "no-action", version: 1, kind: "trigger", if: { field: "priority", op: "is", value: "low" }, then: [] },
  {
    id: "unknown-condition",
    version: 1,
    kind: "trigger",
    if: { weather: "rainy" },
    then: [{ set: "priority", value: "low" }]
  }
]

/** Rules that decode, but one can never match (an error of the static checks). */
export const impossible = [
  calm[0],
  {
    id: "high-and-low",
    version: 1,
    kind: "trigger",
    if: {
      all: [
        { field: "priority", op: "is", value: "high" },
        { field: "priority", op: "is", value: "low" }
      ]
    },
    then: [{ addTags: ["odd"] }]
  }
]
