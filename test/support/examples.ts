/**
 * Runs an example's program as its `start` script does (tsx, the source condition, the "run when
 * executed" guard), so the examples' end-to-end tests check the program itself, not only its
 * `main` function.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * The output of `src/main.ts` of the example whose test file is `testFile` (its
 * `import.meta.url`), with `env` in place of this process's environment when given.
 */
export const start = (testFile: string, env: NodeJS.ProcessEnv = process.env): string => {
  const exampleDir = fileURLToPath(new URL("..", testFile))
  // The same command as the package's `start` script.
  return execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
    cwd: exampleDir,
    encoding: "utf8",
    env
  })
}
