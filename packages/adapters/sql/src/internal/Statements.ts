/**
 * What a statement's SQL text tells the client that sends it. PostgreSQL clients of
 * `Connection.open` name repeated texts (prepared once, then often run with a generic plan); a
 * text carrying `planWithValues` stays unnamed, so that the server plans it with its values every
 * time. Statements need that when a value decides the plan, such as a list of a thousand tags.
 */

/**
 * The SQL comment that keeps a statement unnamed: PostgreSQL then plans it with its values (a
 * parameter array becomes a constant the executor can hash, for one).
 *
 * @category models
 * @since 0.1.0
 */
export const planWithValues = "/* plan with values */"
