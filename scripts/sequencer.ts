// Hands vitest the files that need a server or a child process first. Without a cache of earlier
// durations (a clean clone, as in CI) vitest starts the largest files first, which leaves short
// but slow files (a conformance suite over three databases in 30 lines) for last, where they
// run alone while the other workers have nothing left to do; the many quick unit files fill in
// around the slow ones instead.
import { BaseSequencer, type TestSpecification } from "vitest/node"

const slow = (spec: TestSpecification): boolean => /\.(integration|e2e)\.test\.ts$/.test(spec.moduleId)

export default class SlowFilesFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const sorted = await super.sort(files)
    return [...sorted.filter(slow), ...sorted.filter((spec) => !slow(spec))]
  }
}
