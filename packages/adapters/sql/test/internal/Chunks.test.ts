/**
 * Multi-row writes cut to what one statement may carry: its bound parameters and, for MySQL,
 * its size in bytes (issue 14), counted generously, with a row larger than the budget alone.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { inChunks } from "../../src/internal/Chunks.js"

/** The slices `inChunks` writes for `rows`. */
const slicesOf = async <A>(rows: ReadonlyArray<A>, parameters: number, bytes?: number) => {
  const slices: Array<Array<A>> = []
  await inChunks(parameters, bytes)(rows, async (slice) => {
    slices.push(slice)
  })
  return slices
}

const rows = fc.array(fc.record({ id: fc.string({ maxLength: 4 }), text: fc.string({ maxLength: 400 }) }), {
  maxLength: 60
})

describe("Chunks.inChunks", () => {
  it("writes every row once, in order, each slice within the parameters and within the bytes unless alone (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        rows,
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 100, max: 3_000 }),
        async (all, parameters, bytes) => {
          const slices = await slicesOf(all, parameters, bytes)
          expect(slices.flat()).toEqual(all)
          for (const slice of slices) {
            expect(slice.length).toBeGreaterThan(0)
            expect(slice.length * 2).toBeLessThanOrEqual(Math.max(2, parameters - 16))
            const size = slice.reduce((sum, row) => sum + 3 * (row.id.length + row.text.length) + 8, 0)
            if (slice.length > 1) expect(size).toBeLessThanOrEqual(bytes)
          }
        }
      )
    )
  })

  it("cuts a write of large rows by their size, and without a byte budget only by parameters", async () => {
    const large = Array.from({ length: 10 }, (_, i) => ({ id: String(i), text: "é".repeat(1_000) }))
    expect((await slicesOf(large, 65_535, 7_000)).map((slice) => slice.length)).toEqual([2, 2, 2, 2, 2])
    expect((await slicesOf(large, 65_535, 100)).map((slice) => slice.length)).toEqual(Array(10).fill(1))
    expect((await slicesOf(large, 65_535)).map((slice) => slice.length)).toEqual([10])
    expect(await slicesOf([], 65_535, 100)).toEqual([])
  })
})
