// Prints the slowest test files with their durations, then one plain closing line,
// "N passed, N failed, N skipped", after vitest's own summary, so that tools reading the end of a
// CI log see how the run went without knowing vitest, and whoever wants the suite faster sees
// where its time goes. The closing line stays the log's last line.
import type { Reporter, TestModule } from "vitest/node"

const slowestShown = 15

// A file's own time: importing it (collect) plus its tests and hooks, in milliseconds.
const fileTime = (module: TestModule): number => {
  const diagnostic = module.diagnostic()
  return diagnostic.collectDuration + diagnostic.duration
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`.padStart(8)

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0 }
    for (const module of testModules) {
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) count.failed++
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") count.passed++
        else if (state === "failed") count.failed++
        else count.skipped++
      }
    }
    const slowest = [...testModules].sort((a, b) => fileTime(b) - fileTime(a)).slice(0, slowestShown)
    const lines = slowest.map((module) => {
      const diagnostic = module.diagnostic()
      return `${seconds(fileTime(module))} (import ${seconds(diagnostic.collectDuration).trim()})  ${module.relativeModuleId}`
    })
    if (lines.length > 0) process.stdout.write(`\nSlowest test files:\n${lines.join("\n")}\n`)
    process.stdout.write(`\n${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`)
  }
}
