/**
 * A ticket's summary read back from the projection's `summary` column without the schema: the
 * store wrote that JSON itself (`PlainJson`, from a summary the help desk had just folded), so
 * only its date-times need turning back into values; running `TicketSummary`'s decoder checked
 * every field again and cost a queue far more per changed ticket than the rest of its row. Tests
 * hold it to the schema's own decoding on random tickets (`SummaryJson.test.ts`). The caller's
 * query is still decoded and checked by the help desk, as everything that enters it.
 */
import type { TicketQuery } from "@tessera/core"
import { DateTime } from "effect"

/** The summary's fields, in the schema's order, and what each holds. */
const fields: ReadonlyArray<readonly [string, "date" | "merges" | "ratings" | "plain"]> = [
  ["id", "plain"],
  ["workspaceId", "plain"],
  ["publicId", "plain"],
  ["version", "plain"],
  ["subject", "plain"],
  ["description", "plain"],
  ["requester", "plain"],
  ["organization", "plain"],
  ["channel", "plain"],
  ["priority", "plain"],
  ["type", "plain"],
  ["status", "plain"],
  ["category", "plain"],
  ["group", "plain"],
  ["assignee", "plain"],
  ["supportLevel", "plain"],
  ["tags", "plain"],
  ["customFields", "plain"],
  ["followers", "plain"],
  ["links", "plain"],
  ["createdAt", "date"],
  ["updatedAt", "date"],
  ["statusChangedAt", "date"],
  ["solvedAt", "date"],
  ["closedAt", "date"],
  ["firstAgentReplyAt", "date"],
  ["mergedInto", "plain"],
  ["mergedFrom", "merges"],
  ["complexity", "plain"],
  ["ratings", "ratings"],
  ["announcedProblems", "plain"],
  ["slaDueAt", "date"]
]

/** The field names, for the test that holds them to the schema's. */
export const fieldNames: ReadonlyArray<string> = fields.map(([name]) => name)

/** A survey's rating as the summary's JSON holds it. */
interface Rated {
  readonly survey: string
  readonly rating: unknown
  readonly comment?: string
  readonly at: string
}

const utc = (iso: string): DateTime.Utc => DateTime.toUtc(DateTime.makeUnsafe(iso))

/**
 * The summary a `summary` column holds, as `Schema.decodeUnknownSync(TicketSummary)` of its
 * parsed JSON gives it for the JSON the store writes: the fields in the schema's order, the
 * date-times as `DateTime.Utc`. Throws on JSON that does not parse (the caller reports it).
 *
 * @category decoding
 * @since 0.1.0
 */
export const parse = (text: string): TicketQuery.TicketSummary => {
  const json = JSON.parse(text) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [name, kind] of fields) {
    const value = json[name]
    if (value === undefined) continue
    out[name] =
      kind === "plain"
        ? value
        : kind === "date"
          ? utc(value as string)
          : kind === "ratings"
            ? (value as ReadonlyArray<Rated>).map(({ survey, rating, comment, at }) =>
                // The schema's order: the fold writes `at` before `comment`.
                comment === undefined ? { survey, rating, at: utc(at) } : { survey, rating, comment, at: utc(at) }
              )
            : (value as ReadonlyArray<{ readonly mergedAt: string }>).map((merge) => ({
                ...merge,
                mergedAt: utc(merge.mergedAt)
              }))
  }
  return out as unknown as TicketQuery.TicketSummary
}
