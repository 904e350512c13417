/**
 * Values of schema classes built from fields that are valid by construction: the class's
 * prototype holding the fields, which is what its constructor builds once it has parsed them
 * (`Data.Class` assigns the parsed fields to the new instance). The help desk decides events from
 * a checked state, a decoded command and its own clock, and parsing them again on every command
 * cost more than some of the statements that store them. Tests hold each use to the constructor's
 * own result (`test/ticket/trustedEvents.test.ts`); anything not valid by construction goes
 * through the constructor.
 */

/**
 * An instance of `cls` with exactly `fields` (`_tag` and defaults included), not parsed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const trusted = <A extends object>(cls: abstract new (...args: never) => A, fields: object): A =>
  Object.assign(Object.create(cls.prototype) as A, fields)
