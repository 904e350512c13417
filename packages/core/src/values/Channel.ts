/**
 * The channel a ticket or a message came through. Channels shape expectations (email wants a
 * detailed answer, chat and phone want real time, social is public), so rules and SLAs read it.
 */
import { Schema } from "effect"

/**
 * Where a ticket or message came from.
 *
 * @category models
 * @since 0.1.0
 */
export const Channel = Schema.Literals(["email", "web", "chat", "phone", "sms", "social", "api"])
/** @category models @since 0.1.0 */
export type Channel = typeof Channel.Type
