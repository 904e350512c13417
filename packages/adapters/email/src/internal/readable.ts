/**
 * A Node `Readable` as an Effect `Stream` that pulls one chunk at a time (so the reader's pace is
 * the producer's), and that drains instead of destroying the readable when the reader stops
 * early: mailparser keeps writing an attachment's content after a store refused it, and must be
 * able to finish that part and go on with the message.
 */
import type { Readable } from "node:stream"
import { Stream } from "effect"

const iterate = (readable: Readable): AsyncIterator<Uint8Array> => {
  let finished = false
  let failure: { readonly error: unknown } | undefined
  let wake: (() => void) | undefined
  const notify = () => {
    const resume = wake
    wake = undefined
    resume?.()
  }
  const onEnd = () => {
    finished = true
    notify()
  }
  const onError = (error: unknown) => {
    failure = { error }
    notify()
  }
  readable.on("readable", notify)
  readable.once("end", onEnd)
  readable.on("error", onError)
  const detach = () => {
    readable.off("readable", notify)
    readable.off("end", onEnd)
  }
  return {
    next: async (): Promise<IteratorResult<Uint8Array>> => {
      for (;;) {
        // Destroyed before the first pull (a source that failed at once): its error event is gone.
        if (failure === undefined && readable.destroyed && !readable.readableEnded) {
          failure = { error: readable.errored ?? new Error("the stream was destroyed before its end") }
        }
        if (failure !== undefined) {
          detach()
          throw failure.error
        }
        const chunk: unknown = readable.read()
        if (chunk !== null) {
          return { done: false, value: typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array) }
        }
        if (finished || readable.readableEnded) {
          detach()
          return { done: true, value: undefined }
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    },
    return: async (): Promise<IteratorResult<Uint8Array>> => {
      detach()
      // Discard the rest instead of destroying: the producer still has to reach its end.
      if (!readable.readableEnded) readable.resume()
      return { done: true, value: undefined }
    }
  }
}

/**
 * The chunks of `readable`; an `error` event fails the stream with `onError(error)`.
 */
export const fromReadable = <E>(readable: Readable, onError: (error: unknown) => E): Stream.Stream<Uint8Array, E> =>
  Stream.fromAsyncIterable({ [Symbol.asyncIterator]: () => iterate(readable) }, onError)
