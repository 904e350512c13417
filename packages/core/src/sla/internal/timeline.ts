/**
 * The open time of a calendar as sorted, disjoint UTC intervals, cut into fixed chunks of
 * UTC time that are built lazily and memoised. Each chunk keeps prefix sums of its open time,
 * so the business time before an instant is one binary search, and adding business time is a
 * binary search on the prefix sums. Every function here works on epoch milliseconds and
 * returns `NaN` when a search gives up, so the hot path allocates nothing.
 */
import { DAY_MS } from "./civil.js"

/** Chunks cover this much UTC time each: chunk `k` is `[k * CHUNK_MS, (k + 1) * CHUNK_MS)`. */
export const CHUNK_MS = 128 * DAY_MS

/** A search for open (or closed) time gives up after this much time without finding it. */
export const HORIZON_MS = 3660 * DAY_MS

/** First supported instant: 1000-01-01T00:00:00Z. */
export const MIN_MS = Date.UTC(1000, 0, 1)

/** End of the supported instants: 9999-01-01T00:00:00Z. */
export const MAX_MS = Date.UTC(9999, 0, 1)

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

/** A calendar's open time: chunks built on demand and kept. */
export class Timeline {
  private readonly chunks = new Map<number, Chunk>()
  private lastIndex = Number.NaN
  private last: Chunk | undefined = undefined
  constructor(private readonly build: (index: number) => Chunk) {}

  chunk(index: number): Chunk {
    if (index === this.lastIndex) return this.last as Chunk
    let chunk = this.chunks.get(index)
    if (chunk === undefined) {
      chunk = this.build(index)
      this.chunks.set(index, chunk)
    }
    this.lastIndex = index
    this.last = chunk
    return chunk
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

/** Whether the calendar is open at `t`. */
export const isOpen = (timeline: Timeline, t: number): boolean => {
  const chunk = timeline.chunk(chunkIndex(t))
  const i = indexAfter(chunk, t)
  return i < chunk.n && (chunk.starts[i] as number) <= t
}

/** Open time in `[from, to)`, `from <= to`. */
export const between = (timeline: Timeline, from: number, to: number): number => {
  const first = chunkIndex(from)
  const lastIndex = chunkIndex(to)
  const chunk = timeline.chunk(first)
  if (first === lastIndex) return openBefore(chunk, to) - openBefore(chunk, from)
  let sum = chunk.total - openBefore(chunk, from)
  for (let k = first + 1; k < lastIndex; k++) sum += timeline.chunk(k).total
  return sum + openBefore(timeline.chunk(lastIndex), to)
}

/**
 * The earliest instant `r >= t` with `duration` open time in `[t, r)`: a due time that falls
 * exactly on a closing time is that closing time. `NaN` when no open time is found for
 * `HORIZON_MS` or the end of the supported range is reached.
 */
export const add = (timeline: Timeline, t: number, duration: number): number => {
  if (duration === 0) return t
  let k = chunkIndex(t)
  let chunk = timeline.chunk(k)
  let target = openBefore(chunk, t) + duration
  let lastOpen = t
  for (;;) {
    if (target <= chunk.total) return locate(chunk, target)
    target -= chunk.total
    if (chunk.n > 0) lastOpen = chunk.ends[chunk.n - 1] as number
    k++
    const start = k * CHUNK_MS
    if (start >= MAX_MS || start - lastOpen > HORIZON_MS) return Number.NaN
    chunk = timeline.chunk(k)
  }
}

/** The first open instant at or after `t`, or `NaN` (see `add`). */
export const nextOpening = (timeline: Timeline, t: number): number => {
  let k = chunkIndex(t)
  let chunk = timeline.chunk(k)
  const i = indexAfter(chunk, t)
  if (i < chunk.n) return Math.max(t, chunk.starts[i] as number)
  for (;;) {
    k++
    const start = k * CHUNK_MS
    if (start >= MAX_MS || start - t > HORIZON_MS) return Number.NaN
    chunk = timeline.chunk(k)
    if (chunk.n > 0) return chunk.starts[0] as number
  }
}

/**
 * The end of the open period that contains `t`, or of the next one when closed at `t`:
 * `[nextOpening(t), nextClosing(t))` is the first open period at or after `t`. `NaN` when the
 * period does not end within `HORIZON_MS` (a 24/7 calendar never closes).
 */
export const nextClosing = (timeline: Timeline, t: number): number => {
  const open = nextOpening(timeline, t)
  if (Number.isNaN(open)) return open
  let k = chunkIndex(open)
  let chunk = timeline.chunk(k)
  let end = chunk.ends[indexAfter(chunk, open)] as number
  // Chunks clip their intervals: an interval that reaches the chunk's end may go on.
  while (end === (k + 1) * CHUNK_MS) {
    if (end >= MAX_MS || end - t > HORIZON_MS) return Number.NaN
    k++
    chunk = timeline.chunk(k)
    if (chunk.n === 0 || chunk.starts[0] !== end) break
    end = chunk.ends[0] as number
  }
  return end
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
