/**
 * The whole path of a message for the end-to-end tests: a help desk on a SQLite file, intake's
 * services around it, and the handler both sources get (parse the raw mail, take it in, and
 * acknowledge what intake says to acknowledge, with the help desk's signed Message-ID and reply
 * address). The acknowledgements are kept in a list instead of being sent.
 */
import { Helpdesk, IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { Intake, type MailSource, Parse, Receive, Signature } from "../../src/index.js"

export const workspaceId = "acme"
export const mailbox = "support@acme.test"
export const own = { addresses: [mailbox], messageIdDomains: ["mail.acme.test"] }
export const keys = Effect.runSync(Signature.keys(["e2e-signing-key-0123456789abcdef0123"]))

/** Intake's services over a help desk on the SQLite file of `url` (`sqlite:/tmp/.../helpdesk.db`). */
export const layer = (url: string) =>
  Receive.layer({ keys, own }).pipe(
    Layer.provideMerge(
      Helpdesk.layer({ workspaceId }).pipe(
        Layer.provideMerge(Layer.merge(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered))
      )
    )
  )

/** An acknowledgement the help desk would send: to whom, its Message-ID and reply address. */
export interface Acknowledgement {
  readonly to: string
  readonly publicId: number
  readonly messageId: string
  readonly replyTo: string
  readonly subject: string
}

/** What the handler saw of one message: intake's outcome and whether it was acknowledged. */
export interface Taken {
  readonly messageId: string | undefined
  readonly outcome: Intake.Outcome["_tag"]
  readonly publicId: number | undefined
  readonly acknowledged: boolean
}

/** The handler of both sources: parse, intake, acknowledge; `onTaken` hears each result. */
export const handler =
  (acknowledgements: Array<Acknowledgement>, onTaken: (taken: Taken) => Effect.Effect<void> = () => Effect.void) =>
  (raw: Parameters<MailSource.Handler>[0], envelope: MailSource.Envelope) =>
    Effect.gen(function* () {
      const message = yield* Parse.parseInbound(raw, { workspaceId: envelope.workspaceId, deliveredTo: envelope.to })
      const result = yield* Intake.intake(message)
      const outcome = result.outcome
      const ticket = "ticket" in outcome ? outcome.ticket : undefined
      if (result.acknowledge && ticket !== undefined && message.from !== undefined) {
        acknowledgements.push({
          to: message.from.address,
          publicId: ticket.publicId,
          messageId: Signature.messageId(keys, {
            workspaceId,
            publicId: ticket.publicId,
            unique: `ack${acknowledgements.length + 1}`,
            domain: "mail.acme.test"
          }),
          replyTo: Signature.replyAddress(keys, { workspaceId, publicId: ticket.publicId, mailbox }),
          subject: `[#${ticket.publicId}] ${ticket.subject}`
        })
      }
      yield* onTaken({
        messageId: message.threading.messageId,
        outcome: outcome._tag,
        publicId: ticket?.publicId,
        acknowledged: result.acknowledge
      })
    })
