/**
 * How every reliability scenario reports: one line, `reliability <scenario> <counts as JSON>`,
 * printed whether the test then passes or fails, so a CI log shows what each run found (40 kills,
 * 0 unopenable files) and not only that it passed.
 */

/** The counts of one scenario: what was tried and what went wrong, by name. */
export type Counts = Readonly<Record<string, number | string | boolean | ReadonlyArray<number | string>>>

/** Prints a scenario's counts as one greppable line, and returns them for the test's assertions. */
export const report = <C extends Counts>(scenario: string, counts: C): C => {
  console.log(`reliability ${scenario} ${JSON.stringify(counts)}`)
  return counts
}
