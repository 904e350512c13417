/**
 * Helpers for building JavaScript functions from generated source (`new Function`), for
 * `Compile`. The source only ever holds identifiers and integers this package made up; every
 * value that comes from a rule (strings, numbers, tag lists, predicates) travels through a
 * constants array and is referred to as `k<n>`, so no rule text can ever become code.
 */

let available: boolean | undefined

/**
 * Whether this runtime lets us build functions from source: a Content Security Policy without
 * `unsafe-eval` forbids `new Function`. Asked once.
 */
export const canGenerate = (): boolean => {
  if (available === undefined) {
    try {
      available = new Function("return 1")() === 1
    } catch {
      available = false
    }
  }
  return available
}

/** The constants a generated function refers to, each once, by a name this module chose. */
export class Constants {
  readonly values: Array<unknown> = []
  private readonly names = new Map<unknown, string>()
  /** The identifier under which `value` is visible to the generated code. */
  ref(value: unknown): string {
    let name = this.names.get(value)
    if (name === undefined) {
      name = `k${this.values.length}`
      this.values.push(value)
      this.names.set(value, name)
    }
    return name
  }
}

/** An integer as source text; anything else is refused (only integers are written into code). */
export const int = (n: number): string => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`)
  return String(n)
}

/**
 * Builds the function whose source is `fn` (a function expression) with `constants` in scope as
 * `k0`, `k1`, ...
 */
export const build = <F>(constants: Constants, fn: string): F => {
  const bindings = constants.values.map((_, i) => `k${i} = k[${i}]`)
  const source = `"use strict";\n${bindings.length === 0 ? "" : `const ${bindings.join(", ")};\n`}return ${fn}`
  return new Function("k", source)(constants.values) as F
}
