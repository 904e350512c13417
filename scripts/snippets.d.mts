/** A fenced code block of the docs (see `snippets.mjs`). */
export interface Snippet {
  /** The markdown file, relative to the root given to `extractSnippets`. */
  readonly file: string
  /** The 1-based line of the opening fence. */
  readonly line: number
  /** The fence's language, lower case (`ts`, `sh`, `` for none). */
  readonly lang: string
  /** The block's text. */
  readonly code: string
  /** Whether the block is a program to run. */
  readonly run: boolean
  /** Why a program block is not run (from its `no-run` marker). */
  readonly reason?: string
  /** How to run it: `node` (a program), or `vitest` (a test file). */
  readonly runner: "node" | "vitest"
  /** Environment variables the block needs (a server's URL). */
  readonly env: ReadonlyArray<string>
  /** The packages the block imports, for the project it runs in. */
  readonly packages: ReadonlyArray<string>
}
/** The markdown files whose blocks are snippets, relative to `root`. */
export declare const markdownFiles: (root: string) => ReadonlyArray<string>
/** The package names a program imports or requires. */
export declare const importedPackages: (code: string) => ReadonlyArray<string>
/** Every fenced code block of the docs under `root`. */
export declare const extractSnippets: (root: string) => ReadonlyArray<Snippet>
