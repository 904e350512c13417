import { Readable } from "node:stream"
import { describe, expect, it } from "vitest"
import * as Limit from "../../src/internal/limit.js"

const read = async (stream: Readable): Promise<{ bytes: number; error: unknown }> => {
  let bytes = 0
  try {
    for await (const chunk of stream) bytes += (chunk as Buffer).length
    return { bytes, error: undefined }
  } catch (error) {
    return { bytes, error }
  }
}

describe("limit (the IMAP poller's byte limit on what is read)", () => {
  it("passes a stream within the limit through whole", async () => {
    const limited = Limit.limit(Readable.from([Buffer.alloc(600), Buffer.alloc(400)]), 1000)
    expect(await read(limited.stream)).toEqual({ bytes: 1000, error: undefined })
    expect(limited.exceeded()).toBe(false)
  })

  it("fails with MessageTooLarge once the bytes read pass the limit, whatever size was declared", async () => {
    const limited = Limit.limit(Readable.from([Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)]), 1000)
    const { bytes, error } = await read(limited.stream)
    expect(bytes).toBeLessThanOrEqual(1000) // never more than the limit reaches the reader
    expect(error).toMatchObject({ _tag: "MessageTooLarge", limit: 1000, received: 1200 })
    expect(limited.exceeded()).toBe(true)
  })

  it("passes a source's own failure on, without calling it a size problem", async () => {
    const source = new Readable({
      read() {
        this.destroy(new Error("connection reset"))
      }
    })
    const limited = Limit.limit(source, 1000)
    expect((await read(limited.stream)).error).toMatchObject({ message: "connection reset" })
    expect(limited.exceeded()).toBe(false)
  })
})
