/**
 * Counters of the work the business-calendar engine does: offsets read from `Intl`, intervals
 * built, years summed. Tests bound these instead of wall time (shared machines are noisy), and
 * the calendar benchmark prints them. Counting has no effect on any result.
 */

/** What has been done since the last `reset`. */
export interface Work {
  /** Offsets read from `Intl` (one `format` call each). */
  offsetProbes: number
  /** Spans of UTC time turned into open intervals (a chunk, a year, a composed calendar's side). */
  spansBuilt: number
  /** Days of opening hours laid out while building those spans. */
  daysBuilt: number
  /** Years whose open time was looked up (memoised or not) by a call across years. */
  yearsStepped: number
}

/** The counters, updated in place by the engine. */
export const work: Work = { offsetProbes: 0, spansBuilt: 0, daysBuilt: 0, yearsStepped: 0 }

/** Sets every counter to zero and returns the counts before. */
export const reset = (): Work => {
  const before = { ...work }
  work.offsetProbes = 0
  work.spansBuilt = 0
  work.daysBuilt = 0
  work.yearsStepped = 0
  return before
}
