/**
 * fast-check arbitraries for the ticketing domain: ids, priorities, channels, messy tags, message
 * bodies, actors, commands and events. Events and commands are built through their schema
 * classes, whose constructors validate, so every generated value is well formed; sequences of
 * events need not make sense (a reply before the opening, a second opening, another ticket's
 * events), which is what `evolve` must take. Pools of ids are small on purpose, so that generated
 * values collide the way real ones do. The arbitraries live in one file per kind under
 * `arbitraries/`: `Values` (levels, ids, tags, custom fields, messages, actors), `Events`,
 * `Commands` and `Hostile` (input that breaks naive quoting).
 */
export * from "./arbitraries/Commands.js"
export * from "./arbitraries/Events.js"
export * from "./arbitraries/Hostile.js"
export * from "./arbitraries/Values.js"
