/**
 * What mailparser has emitted and the parse has not taken yet, without a queue and a stream per
 * message: the text (one object, at the end) is only kept, and the parse wakes for an attachment
 * (mailparser waits until it is read) and for the end of the input. The first end or failure
 * settles the inbox; what arrives after it is dropped, and the attachments that came before it
 * are still taken first.
 */
import { Effect } from "effect"
import type { AttachmentStream, MessageText } from "mailparser"
import type { EmailError } from "../EmailError.js"

export interface Inbox {
  /** The message's text, once mailparser has emitted it. */
  readonly text: () => MessageText | undefined
  /** Takes what mailparser emitted. */
  readonly offer: (item: AttachmentStream | MessageText) => void
  /** The input ended (mailparser's `end`). */
  readonly end: () => void
  /** The input failed: the parse fails with `error`. */
  readonly fail: (error: EmailError) => void
  /** The next attachment, or `undefined` once the input has ended; the input's failure, if it failed. */
  readonly next: Effect.Effect<AttachmentStream | undefined, EmailError>
}

export const make = (): Inbox => {
  let text: MessageText | undefined
  const attachments: Array<AttachmentStream> = []
  let settled: { readonly error: EmailError | undefined } | undefined
  let wake: (() => void) | undefined

  const notify = () => {
    const resume = wake
    wake = undefined
    resume?.()
  }
  const settle = (error: EmailError | undefined) => {
    if (settled !== undefined) return
    settled = { error }
    notify()
  }

  const next: Effect.Effect<AttachmentStream | undefined, EmailError> = Effect.suspend(() => {
    const attachment = attachments.shift()
    if (attachment !== undefined) return Effect.succeed(attachment)
    if (settled !== undefined) return settled.error === undefined ? Effect.undefined : Effect.fail(settled.error)
    return Effect.callback<AttachmentStream | undefined, EmailError>((resume) => {
      wake = () => resume(next)
      return Effect.sync(() => {
        wake = undefined
      })
    })
  })

  return {
    text: () => text,
    offer: (item) => {
      if (settled !== undefined) return
      if (item.type === "text") {
        text = item
        return
      }
      attachments.push(item)
      notify()
    },
    end: () => settle(undefined),
    fail: (error) => settle(error),
    next
  }
}
