// Hands vitest the slow files first. Without a cache of earlier durations (a clean clone, as in
// CI) vitest starts the largest files first, which leaves short but slow files (a conformance
// suite over three databases in 30 lines) for last, where they run alone while the other workers
// have nothing left to do. Here the consumer test (it packs, installs with npm and runs every
// example and snippet: the longest file by far) starts first, then the files that need a server
// or a child process and the repository's own tests (docs, packaging), each group largest first;
// the many quick unit files fill in around them.
import { relative } from "node:path"
import { BaseSequencer, type TestSpecification } from "vitest/node"

const rank = (spec: TestSpecification): number => {
  const path = relative(spec.project.config.root, spec.moduleId)
  if (path.startsWith("test/consumer/")) return 0
  if (path.startsWith("test/") || /\.(integration|e2e)\.test\.ts$/.test(path)) return 1
  return 2
}

export default class SlowFilesFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const sorted = await super.sort(files)
    // Array.prototype.sort is stable: within a rank, vitest's own order stays.
    return sorted.sort((a, b) => rank(a) - rank(b))
  }
}
