/**
 * Contacts of inbound mail, found or created by address. Several processes taking in mail from
 * one new address at once create one contact: the directory refuses a second owner of an email
 * (`EmailTaken`), and whoever loses that race reads the winner's contact instead.
 */
import { type Directory, Helpdesk } from "@tessera/core"
import { Effect, Option } from "effect"
import type * as Inbound from "./Inbound.js"

/**
 * The contact that owns `address`, created (named after the mailbox's display name, else the
 * local part) when there is none.
 *
 * @category combinators
 * @since 0.1.0
 */
export const findOrCreate = (
  address: Inbound.Address
): Effect.Effect<Directory.Contact, Helpdesk.HelpdeskError, Helpdesk.Helpdesk> =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const existing = yield* helpdesk.findContactByEmail(address.address)
    if (Option.isSome(existing)) return existing.value
    const name = address.name.trim() !== "" ? address.name.trim() : (address.address.split("@")[0] ?? address.address)
    return yield* helpdesk
      .saveContact({ name: name.slice(0, 200), emails: [address.address] })
      .pipe(
        Effect.catchTag("EmailTaken", (taken) =>
          Effect.flatMap(helpdesk.findContactByEmail(address.address), (found) =>
            Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(taken)
          )
        )
      )
  })
