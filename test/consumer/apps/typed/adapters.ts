// The published declarations of @tessera/notify, type-checked with the app (`skipLibCheck: false`):
// its types name nodemailer's, which come from @types/nodemailer, a dependency of the package.
// (@tessera/redis is left out: ioredis's own declarations import `redis-errors`, which has none,
// so a project that type-checks its libraries fails on ioredis itself, with or without Tessera.)
// Compiled, not run.
import { Notifier, type SmtpSender } from "@tessera/notify"

export const mail: SmtpSender.Options = { smtp: { host: "127.0.0.1", port: 2525, secure: false } }
export const loopCaps: Notifier.Config["loopCaps"] = false
export const make = Notifier.make
