// Reporting helpers shared by the benches: an aligned text table for people, and the one-line
// JSON summary that must end every bench's output (the contract is in bench/README.md).
// Benches may read real time; only packages/*/src may not.
import { performance } from "node:perf_hooks"

/** A cell of a report table: numbers are right-aligned, text is left-aligned. */
export type Cell = string | number

/** One row of a report table, keyed by column name. */
export type Row = Readonly<Record<string, Cell>>

/** One measured figure, compared with a baseline measured in the same run. */
export interface Figure {
  readonly value: number
  readonly unit: string
  /** What the baseline is, in words ("Array.sort of the same tickets"). */
  readonly baseline: string
  readonly baselineValue: number
  /** `value / baselineValue` unless given. */
  readonly ratio?: number
  /**
   * Optional: time per item through Tessera / time per item of the baseline, for figures that
   * are rates (where `ratio` reads the other way); printed when given.
   */
  readonly costRatio?: number
  /**
   * Optional: the least `ratio` the figure could show, measured in the same run, where part of
   * `value` is work that the code measured cannot avoid (`appendOverheadRatio`: the help desk's
   * own work on the memory store, added to the baseline); printed when given.
   */
  readonly floorRatio?: number
}

const formatCell = (cell: Cell): string => {
  if (typeof cell === "string") return cell
  if (!Number.isFinite(cell)) return String(cell)
  if (Number.isInteger(cell)) return String(cell)
  const magnitude = Math.abs(cell)
  if (magnitude >= 100) return cell.toFixed(1)
  if (magnitude >= 1) return cell.toFixed(2)
  return cell.toPrecision(3)
}

/** Prints `rows` to stdout as an aligned text table; columns appear in first-seen order. */
export const table = (rows: ReadonlyArray<Row>): void => {
  const columns: Array<string> = []
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key)
  if (columns.length === 0) return
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column] ?? "")))
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => (line[i] ?? "").length)))
  const numeric = columns.map((column) => rows.some((row) => typeof row[column] === "number"))
  const render = (line: ReadonlyArray<string>) =>
    line
      .map((text, i) => {
        const width = widths[i] ?? 0
        return numeric[i] ? text.padStart(width) : text.padEnd(width)
      })
      .join("  ")
      .trimEnd()
  const out = [render(columns), widths.map((width) => "-".repeat(width)).join("  "), ...cells.map(render)]
  process.stdout.write(`${out.join("\n")}\n`)
}

/** Figures grouped under a name (a back end, a data set): `{ sqlite: { latencyP99: {...} } }`. */
export type FigureGroup = Readonly<Record<string, Figure>>

const isFigure = (fig: Figure | FigureGroup): fig is Figure => typeof (fig as Figure).value === "number"

/** The optional numbers a figure may carry, printed only when given. */
const extras = ["costRatio", "floorRatio"] as const

type Checked = Omit<Required<Figure>, (typeof extras)[number]> & Partial<Pick<Figure, (typeof extras)[number]>>

const checked = (benchName: string, name: string, fig: Figure): Checked => {
  const ratio = fig.ratio ?? fig.value / fig.baselineValue
  const given = extras.flatMap((field) => (fig[field] === undefined ? [] : [[field, fig[field]] as const]))
  for (const [field, n] of [
    ["value", fig.value],
    ["baselineValue", fig.baselineValue],
    ["ratio", ratio],
    ...given
  ] as const) {
    if (!Number.isFinite(n)) throw new Error(`bench ${benchName}: figure ${name} has a non-finite ${field} (${n})`)
  }
  const out = { value: fig.value, unit: fig.unit, baseline: fig.baseline, baselineValue: fig.baselineValue, ratio }
  return { ...out, ...Object.fromEntries(given) }
}

/**
 * Prints the bench's machine-readable summary: one JSON line, which must be the last line of
 * its output. A top-level entry is a figure, or a group of figures (one level of nesting, say
 * one group per database); a group's figures are checked and printed exactly as top-level ones.
 * Throws on a figure that is not a finite number rather than print a made-up one.
 */
export const figures = (benchName: string, figs: Readonly<Record<string, Figure | FigureGroup>>): void => {
  const out: Record<string, Checked | Record<string, Checked>> = {}
  for (const [name, fig] of Object.entries(figs)) {
    if (isFigure(fig)) {
      out[name] = checked(benchName, name, fig)
      continue
    }
    const group: Record<string, Checked> = {}
    for (const [inner, innerFig] of Object.entries(fig)) group[inner] = checked(benchName, `${name}.${inner}`, innerFig)
    if (Object.keys(group).length === 0) throw new Error(`bench ${benchName}: figure group ${name} is empty`)
    out[name] = group
  }
  process.stdout.write(`${JSON.stringify({ bench: benchName, figures: out })}\n`)
}

/**
 * The `p`th percentile (0 to 100) of samples sorted in ascending order, interpolating linearly
 * between the two nearest ranks (so `percentile(s, 50)` is the median).
 */
export const percentile = (sortedSamples: ReadonlyArray<number>, p: number): number => {
  if (sortedSamples.length === 0) throw new RangeError("percentile of no samples")
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`)
  const rank = (p / 100) * (sortedSamples.length - 1)
  const lower = Math.floor(rank)
  const upper = Math.ceil(rank)
  const low = sortedSamples[lower] as number
  const high = sortedSamples[upper] as number
  return low + (high - low) * (rank - lower)
}

/** How to sample a function. */
export interface TimeOptions {
  /** Measured samples (default 100). */
  readonly iterations?: number
  /** Unmeasured calls first, to let the JIT settle (default 10% of the measured calls). */
  readonly warmup?: number
  /** Calls per sample, for functions too fast to time one call at a time (default 1). */
  readonly batch?: number
}

/** Samples in milliseconds per call, sorted ascending, with the usual summary figures. */
export interface Timing {
  readonly samples: ReadonlyArray<number>
  readonly mean: number
  readonly min: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
}

const summarize = (samples: Array<number>): Timing => {
  samples.sort((a, b) => a - b)
  return {
    samples,
    mean: samples.reduce((sum, s) => sum + s, 0) / samples.length,
    min: percentile(samples, 0),
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: percentile(samples, 100)
  }
}

const settings = (options: TimeOptions) => {
  const iterations = options.iterations ?? 100
  const batch = options.batch ?? 1
  const warmup = options.warmup ?? Math.ceil(iterations / 10)
  if (!(Number.isInteger(iterations) && iterations > 0 && Number.isInteger(batch) && batch > 0))
    throw new RangeError("iterations and batch must be positive integers")
  return { iterations, batch, warmup }
}

/** Times a synchronous function with `performance.now()`: milliseconds per call. */
export const timeIt = (fn: () => unknown, options: TimeOptions = {}): Timing => {
  const { iterations, batch, warmup } = settings(options)
  for (let i = 0; i < warmup * batch; i++) fn()
  const samples: Array<number> = []
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    for (let j = 0; j < batch; j++) fn()
    samples.push((performance.now() - start) / batch)
  }
  return summarize(samples)
}

/** Like `timeIt`, awaiting each call (for benches against a database or a server). */
export const timeItAsync = async (fn: () => Promise<unknown>, options: TimeOptions = {}): Promise<Timing> => {
  const { iterations, batch, warmup } = settings(options)
  for (let i = 0; i < warmup * batch; i++) await fn()
  const samples: Array<number> = []
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    for (let j = 0; j < batch; j++) await fn()
    samples.push((performance.now() - start) / batch)
  }
  return summarize(samples)
}
