/**
 * A byte limit on a stream as it is read: the bytes that actually arrive are counted, whatever
 * size the sender declared, and past the limit the stream fails with `MailSource.MessageTooLarge`
 * so that a reader never takes a cut message for a whole one. The source is left unread from
 * there (paused, not destroyed), for its owner to drain.
 */
import { type Readable, Transform } from "node:stream"
import { MessageTooLarge } from "../MailSource.js"

export interface Limited {
  /** What the reader reads: the source's bytes up to the limit, then the error. */
  readonly stream: Readable
  /** Whether the source went past the limit. */
  readonly exceeded: () => boolean
}

export const limit = (source: Readable, maxBytes: number): Limited => {
  let received = 0
  let over = false
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length
      if (received > maxBytes) {
        over = true
        source.unpipe(stream)
        callback(new MessageTooLarge({ limit: maxBytes, received }))
        return
      }
      callback(null, chunk)
    }
  })
  source.once("error", (error) => stream.destroy(error))
  source.pipe(stream)
  return { stream, exceeded: () => over }
}
