// bench/notify: delivering notifications with @tessera/notify (issue #17), each figure against a
// baseline measured in the same run. Each figure comes from its own module (`delivery.ts`: the
// outbox worker to an SMTP sink against nodemailer; `webhooks.ts`: the webhook sender against
// plain fetch); add one line to `measured` for another. Every figure
// holds `costRatio`: time per notification through Tessera / time per message sent directly
// (target <= 1.5).
//
// Usage: pnpm bench notify [--messages N] [--rounds N]
import { parseArgs } from "node:util"
import { figures, type Row, table } from "../lib/report.js"
import { delivery } from "./delivery.js"
import { type CostFigure, webhooks } from "./webhooks.js"

const { values } = parseArgs({
  options: { messages: { type: "string", default: "1000" }, rounds: { type: "string", default: "7" } }
})
const messages = Number(values.messages)
const rounds = Number(values.rounds)
const log = (message: string) => process.stderr.write(`[bench notify] ${message}\n`)

const measured: Record<string, CostFigure> = {}
measured.delivery = await delivery({ messages, rounds, log: (m) => log(`delivery: ${m}`) })
measured.webhooks = await webhooks({ messages, rounds, log: (m) => log(`webhooks: ${m}`) })

const rows: Array<Row> = Object.entries(measured).map(([name, figure]) => ({
  figure: name,
  value: figure.value,
  unit: figure.unit,
  baselineValue: figure.baselineValue,
  baseline: figure.baseline,
  costRatio: figure.costRatio,
  target: "costRatio <= 1.5"
}))
table(rows)
for (const [name, figure] of Object.entries(measured)) {
  if (figure.details === undefined) continue
  process.stdout.write(`\n${name}, median of the rounds (vs*: time per message / the baseline's):\n`)
  table(figure.details)
}
figures("notify", measured)
