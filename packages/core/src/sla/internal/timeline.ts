/**
 * The open time of a calendar as sorted, disjoint UTC intervals, cut into fixed chunks of UTC
 * time that are built on demand and kept in a small cache. Each chunk keeps prefix sums of its
 * open time, so the business time before an instant is one binary search, and adding business
 * time is a binary search on the prefix sums. Spans across years are `far.ts`. Every function here
 * works on epoch milliseconds and answers with a number: `NaN` when a search gives up,
 * `Infinity` past the end of the supported range and `-Infinity` before its start.
 */
import * as Lru from "../../internal/lru.js"
import { DAY_MS, yearStart } from "./civil.js"
import { work } from "./work.js"

/** Chunks cover this much UTC time each: chunk `k` is `[k * CHUNK_MS, (k + 1) * CHUNK_MS)`. */
export const CHUNK_MS = 128 * DAY_MS

/** A search for open (or closed) time gives up after this much time without finding it. */
export const HORIZON_MS = 3660 * DAY_MS

/** First supported instant: 1000-01-01T00:00:00Z. */
export const MIN_MS = Date.UTC(1000, 0, 1)

/** End of the supported instants: 9999-01-01T00:00:00Z. */
export const MAX_MS = Date.UTC(9999, 0, 1)

/** The first and last supported years. */
export const FIRST_YEAR = 1000
export const LAST_YEAR = 9998

/** Chunks a calendar keeps: about 22 years of them, whatever the spans it is asked about. */
const CHUNKS_KEPT = 64

/** Year totals a calendar keeps, by signature (a few hundred are distinct in the whole range). */
const YEARS_KEPT = 4096

/**
 * The open intervals of one chunk, `[starts[i], ends[i])`, sorted, disjoint and not touching,
 * clipped to the chunk. `cum[i]` is the open time before interval `i`; `cum[n]` the total.
 */
export interface Chunk {
  readonly n: number
  readonly starts: Float64Array
  readonly ends: Float64Array
  readonly cum: Float64Array
  readonly total: number
}

/** Builds a chunk from sorted, disjoint intervals given as `[start0, end0, start1, end1, ...]`. */
export const makeChunk = (bounds: ReadonlyArray<number>): Chunk => {
  const n = bounds.length / 2
  const starts = new Float64Array(n)
  const ends = new Float64Array(n)
  const cum = new Float64Array(n + 1)
  let total = 0
  for (let i = 0; i < n; i++) {
    const start = bounds[2 * i] as number
    const end = bounds[2 * i + 1] as number
    starts[i] = start
    ends[i] = end
    cum[i] = total
    total += end - start
  }
  cum[n] = total
  return { n, starts, ends, cum, total }
}

const EMPTY = makeChunk([])

/**
 * Appends `[start, end)` to a list of sorted bounds, merging it with the last interval when
 * they overlap or touch. Intervals must arrive sorted by start.
 */
export const pushMerged = (bounds: Array<number>, start: number, end: number): void => {
  if (end <= start) return
  const last = bounds.length - 1
  if (last > 0 && start <= (bounds[last] as number)) {
    if (end > (bounds[last] as number)) bounds[last] = end
    return
  }
  bounds.push(start, end)
}

/** Where a calendar's open time comes from. */
export interface Source {
  /** The open intervals in `[from, to)` (within the supported range), clipped to it. */
  readonly build: (from: number, to: number) => Chunk
  /** What the open time of a UTC year depends on: years with equal signatures have equal open time. */
  readonly signature: (year: number) => string | number
  /** Chunk `index` clipped to the supported range, when it is best made from other timelines' chunks. */
  readonly chunk?: (index: number) => Chunk
  /** The open time of a UTC year, when it can be had without building the year. */
  readonly yearTotal?: (year: number) => number
}

/** A calendar's open time: chunks and year totals built on demand, a bounded number of each kept. */
export class Timeline {
  // Read with `peek`: the oldest entry goes first, however often it is used.
  private readonly chunks = Lru.make<number, Chunk>(CHUNKS_KEPT)
  private readonly years = Lru.make<string | number, number>(YEARS_KEPT)
  private lastIndex = Number.NaN
  private last: Chunk = EMPTY
  constructor(readonly source: Source) {}

  /** Chunk `index`, clipped to the supported range. */
  chunk(index: number): Chunk {
    if (index === this.lastIndex) return this.last
    let chunk = this.chunks.peek(index)
    if (chunk === undefined) {
      const from = Math.max(index * CHUNK_MS, MIN_MS)
      const to = Math.min((index + 1) * CHUNK_MS, MAX_MS)
      chunk =
        from >= to ? EMPTY : this.source.chunk !== undefined ? this.source.chunk(index) : this.source.build(from, to)
      // The oldest chunk goes first: a calendar asked about many eras keeps only the latest few.
      this.chunks.set(index, chunk)
    }
    this.lastIndex = index
    this.last = chunk
    return chunk
  }

  /** The open time of UTC year `year` (1000-9998). */
  yearTotal(year: number): number {
    work.yearsStepped++
    const signature = this.source.signature(year)
    let total = this.years.peek(signature)
    if (total === undefined) {
      total =
        this.source.yearTotal !== undefined
          ? this.source.yearTotal(year)
          : this.source.build(yearStart(year), yearStart(year + 1)).total
      this.years.set(signature, total)
    }
    return total
  }

  /** How many chunks and year totals are kept (for tests of the memory bound). */
  get kept(): { readonly chunks: number; readonly years: number } {
    return { chunks: this.chunks.size, years: this.years.size }
  }
}

/** The chunk index of an instant. */
export const chunkIndex = (t: number): number => Math.floor(t / CHUNK_MS)

/** The first interval of the chunk that ends after `t` (`n` if none). */
const indexAfter = (chunk: Chunk, t: number): number => {
  const ends = chunk.ends
  let lo = 0
  let hi = chunk.n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ends[mid] as number) <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Open time in the chunk before `t`. */
const openBefore = (chunk: Chunk, t: number): number => {
  const i = indexAfter(chunk, t)
  if (i === chunk.n) return chunk.total
  const start = chunk.starts[i] as number
  return t > start ? (chunk.cum[i] as number) + (t - start) : (chunk.cum[i] as number)
}

/** The earliest instant of the chunk with `target` (> 0, <= total) open time before it. */
const locate = (chunk: Chunk, target: number): number => {
  const cum = chunk.cum
  let lo = 0
  let hi = chunk.n - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((cum[mid + 1] as number) < target) lo = mid + 1
    else hi = mid
  }
  return (chunk.starts[lo] as number) + (target - (cum[lo] as number))
}

/** The latest instant of the chunk with `target` (>= 0, < total) open time before it. */
const locateBack = (chunk: Chunk, target: number): number => {
  const cum = chunk.cum
  let lo = 0
  let hi = chunk.n - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((cum[mid + 1] as number) <= target) lo = mid + 1
    else hi = mid
  }
  return (chunk.starts[lo] as number) + (target - (cum[lo] as number))
}

/** Whether the calendar is open at `t`. */
export const isOpen = (timeline: Timeline, t: number): boolean => {
  const chunk = timeline.chunk(chunkIndex(t))
  const i = indexAfter(chunk, t)
  return i < chunk.n && (chunk.starts[i] as number) <= t
}

/** Open time in `[from, to)`, `from <= to`, chunk by chunk. */
export const between = (timeline: Timeline, from: number, to: number): number => {
  const first = chunkIndex(from)
  const lastIndex = chunkIndex(to)
  const chunk = timeline.chunk(first)
  if (first === lastIndex) return openBefore(chunk, to) - openBefore(chunk, from)
  let sum = chunk.total - openBefore(chunk, from)
  for (let k = first + 1; k < lastIndex; k++) sum += timeline.chunk(k).total
  return sum + openBefore(timeline.chunk(lastIndex), to)
}

/** The answer of a search forward that ran out of chunks, after open time last seen at `lastOpen`. */
const pastEnd = (lastOpen: number): number => (MAX_MS - lastOpen > HORIZON_MS ? Number.NaN : Number.POSITIVE_INFINITY)

/** The answer of a search backward that ran out of chunks, before open time first seen at `firstOpen`. */
const beforeStart = (firstOpen: number): number =>
  firstOpen - MIN_MS > HORIZON_MS ? Number.NaN : Number.NEGATIVE_INFINITY

/**
 * The earliest instant `r >= t` with `duration` open time in `[t, r)`: a due time that falls
 * exactly on a closing time is that closing time. `NaN` when it meets a stretch of more than
 * `HORIZON_MS` without open time (counted from `t` or the last open time), `Infinity` when the
 * range ends first, and `undefined` when it is not found before chunk `lastChunk`.
 */
export const add = (timeline: Timeline, t: number, duration: number, lastChunk = Number.POSITIVE_INFINITY) => {
  if (duration === 0) return t
  let k = chunkIndex(t)
  let chunk = timeline.chunk(k)
  let target = openBefore(chunk, t) + duration
  let lastOpen = t
  for (;;) {
    if (chunk.n > 0 && (chunk.starts[0] as number) - lastOpen > HORIZON_MS) return Number.NaN
    if (target <= chunk.total) return locate(chunk, target)
    target -= chunk.total
    if (chunk.n > 0) lastOpen = Math.max(lastOpen, chunk.ends[chunk.n - 1] as number)
    k++
    const start = k * CHUNK_MS
    if (start >= MAX_MS) return pastEnd(lastOpen)
    if (start - lastOpen > HORIZON_MS) return Number.NaN
    if (k > lastChunk) return undefined
    chunk = timeline.chunk(k)
  }
}

/**
 * The latest instant `r <= t` with `duration` open time in `[r, t)`: a start that falls exactly
 * on an opening time is that opening time. `NaN`, `-Infinity` and `undefined` as in `add`, the
 * other way round (`firstChunk` is the earliest chunk to look at).
 */
export const subtract = (timeline: Timeline, t: number, duration: number, firstChunk = Number.NEGATIVE_INFINITY) => {
  if (duration === 0) return t
  let k = chunkIndex(t)
  let chunk = timeline.chunk(k)
  let available = openBefore(chunk, t)
  let target = duration
  let firstOpen = t
  for (;;) {
    if (chunk.n > 0 && firstOpen - (chunk.ends[chunk.n - 1] as number) > HORIZON_MS) return Number.NaN
    if (target <= available) return locateBack(chunk, available - target)
    target -= available
    if (chunk.n > 0) firstOpen = Math.min(firstOpen, chunk.starts[0] as number)
    const end = k * CHUNK_MS
    k--
    if (end <= MIN_MS) return beforeStart(firstOpen)
    if (firstOpen - end > HORIZON_MS) return Number.NaN
    if (k < firstChunk) return undefined
    chunk = timeline.chunk(k)
    available = chunk.total
  }
}

/** The first open instant at or after `t`; `NaN` or `Infinity` as in `add`. */
export const nextOpening = (timeline: Timeline, t: number): number => {
  let k = chunkIndex(t)
  let chunk = timeline.chunk(k)
  const i = indexAfter(chunk, t)
  if (i < chunk.n) return Math.max(t, chunk.starts[i] as number)
  for (;;) {
    k++
    const start = k * CHUNK_MS
    if (start >= MAX_MS) return pastEnd(t)
    if (start - t > HORIZON_MS) return Number.NaN
    chunk = timeline.chunk(k)
    if (chunk.n > 0) return (chunk.starts[0] as number) - t > HORIZON_MS ? Number.NaN : (chunk.starts[0] as number)
  }
}

/**
 * The end of the open period that contains `t`, or of the next one when closed at `t`:
 * `[nextOpening(t), nextClosing(t))` is the first open period at or after `t`. `NaN` when the
 * period does not end within `HORIZON_MS` (a 24/7 calendar never closes), `Infinity` when it
 * runs to the end of the range.
 */
export const nextClosing = (timeline: Timeline, t: number): number => {
  const open = nextOpening(timeline, t)
  if (!Number.isFinite(open)) return open
  let k = chunkIndex(open)
  let chunk = timeline.chunk(k)
  let end = chunk.ends[indexAfter(chunk, open)] as number
  // Chunks clip their intervals: an interval that reaches the chunk's end may go on.
  while (end === (k + 1) * CHUNK_MS || end === MAX_MS) {
    if (end >= MAX_MS) return pastEnd(t)
    if (end - t > HORIZON_MS) return Number.NaN
    k++
    chunk = timeline.chunk(k)
    if (chunk.n === 0 || chunk.starts[0] !== end) break
    end = chunk.ends[0] as number
  }
  return end - t > HORIZON_MS ? Number.NaN : end
}

/** The end of the last open interval that starts before `t` (clipped to `t`), looking back at most to `since`. */
export const lastClosing = (timeline: Timeline, t: number, since: number): number => {
  for (let k = chunkIndex(t - 1); k >= chunkIndex(since); k--) {
    const chunk = timeline.chunk(k)
    let lo = 0
    let hi = chunk.n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((chunk.starts[mid] as number) < t) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) return Math.min(chunk.ends[lo - 1] as number, t)
  }
  return Number.NaN
}

/** The intervals open in both chunks. */
export const intersectChunks = (a: Chunk, b: Chunk): Chunk => {
  const bounds: Array<number> = []
  let i = 0
  let j = 0
  while (i < a.n && j < b.n) {
    const start = Math.max(a.starts[i] as number, b.starts[j] as number)
    const endA = a.ends[i] as number
    const endB = b.ends[j] as number
    const end = Math.min(endA, endB)
    if (start < end) bounds.push(start, end)
    if (endA < endB) i++
    else j++
  }
  return makeChunk(bounds)
}

/** The intervals open in either chunk. */
export const unionChunks = (a: Chunk, b: Chunk): Chunk => {
  const bounds: Array<number> = []
  let i = 0
  let j = 0
  while (i < a.n || j < b.n) {
    const takeA = j >= b.n || (i < a.n && (a.starts[i] as number) <= (b.starts[j] as number))
    if (takeA) {
      pushMerged(bounds, a.starts[i] as number, a.ends[i] as number)
      i++
    } else {
      pushMerged(bounds, b.starts[j] as number, b.ends[j] as number)
      j++
    }
  }
  return makeChunk(bounds)
}
