/**
 * Feeds the raw message to mailparser, chunk by chunk, counting bytes against `maxMessageBytes`
 * as they pass and waiting for the parser to drain (so a 50 MB message never sits in a buffer).
 * With `keepRaw` it tees every chunk into the raw original's sink first; once the parse has
 * failed it can go on feeding that sink alone, so the original of a refused message is complete.
 */
import type { Readable, Writable } from "node:stream"

/** Slices of a `Uint8Array` input: small enough that every limit trips early. */
const sliceBytes = 64 * 1024

/** How the input ended. */
export type PumpEnd =
  | { readonly _tag: "Ended"; readonly bytes: number }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "SourceFailed"; readonly error: unknown }
  | { readonly _tag: "Stopped" }

export interface Pump {
  /** Settles once the input is read to its end, refused or stopped; never rejects. */
  readonly done: Promise<PumpEnd>
  /** Stops writing to the parser (it failed); the raw sink, if any, still gets the rest. */
  readonly detachParser: () => void
  /** Stops reading altogether. */
  readonly stop: () => void
}

const wait = (stream: Writable): Promise<void> =>
  new Promise((resolve) => {
    const settle = () => {
      stream.off("drain", settle)
      stream.off("close", settle)
      stream.off("error", settle)
      resolve()
    }
    stream.once("drain", settle)
    stream.once("close", settle)
    stream.once("error", settle)
  })

const usable = (stream: Writable | undefined): stream is Writable =>
  stream !== undefined && !stream.destroyed && !stream.writableEnded

const write = async (stream: Writable | undefined, chunk: Uint8Array): Promise<void> => {
  if (usable(stream) && !stream.write(chunk) && usable(stream)) await wait(stream)
}

async function* slices(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += sliceBytes) yield bytes.subarray(at, at + sliceBytes)
}

/**
 * Starts reading `source` into `parser` (and `raw`), failing the parse through `onRefused` when
 * the message grows past `maxBytes` or the source fails.
 */
export const start = (
  source: Uint8Array | Readable,
  options: {
    readonly maxBytes: number
    readonly parser: Writable
    readonly raw: Writable | undefined
    readonly onRefused: (end: PumpEnd) => void
  }
): Pump => {
  let parser: Writable | undefined = options.parser
  let stopped = false
  const chunks: AsyncIterator<unknown> =
    source instanceof Uint8Array ? slices(source) : (source[Symbol.asyncIterator]() as AsyncIterator<unknown>)

  const finish = (end: PumpEnd): PumpEnd => {
    if (end._tag === "Ended") {
      parser?.end()
      options.raw?.end()
    } else {
      options.raw?.destroy(new Error(`the raw original is incomplete (${end._tag})`))
      if (end._tag !== "Stopped") options.onRefused(end)
      if (!(source instanceof Uint8Array) && end._tag !== "SourceFailed") void chunks.return?.()
    }
    return end
  }

  const run = async (): Promise<PumpEnd> => {
    let bytes = 0
    for (;;) {
      let next: IteratorResult<unknown>
      try {
        next = await chunks.next()
      } catch (error) {
        return finish(stopped ? { _tag: "Stopped" } : { _tag: "SourceFailed", error })
      }
      if (stopped) return finish({ _tag: "Stopped" })
      if (next.done === true) return finish({ _tag: "Ended", bytes })
      const chunk = typeof next.value === "string" ? Buffer.from(next.value) : (next.value as Uint8Array)
      bytes += chunk.length
      if (bytes > options.maxBytes) return finish({ _tag: "TooLarge" })
      await write(options.raw, chunk)
      await write(parser, chunk)
    }
  }

  return {
    done: run(),
    detachParser: () => {
      parser = undefined
    },
    stop: () => {
      stopped = true
      parser = undefined
      options.raw?.destroy(new Error("the raw original is incomplete (Stopped)"))
      if (!(source instanceof Uint8Array)) void chunks.return?.()
    }
  }
}
