/**
 * Customer tiers: the names a workspace gives its levels of service. A leaf value, so that SLA
 * and priority policies can match on a tier without depending on the directory.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A customer tier (`free`, `premium`, `enterprise`, ...): workspaces name their own.
 *
 * @category models
 * @since 0.1.0
 */
export const Tier = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_-]{0,31}$/, {
    message: "Expected a tier of 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter"
  })
)
/** @category models @since 0.1.0 */
export type Tier = typeof Tier.Type
