#!/usr/bin/env node
/**
 * The `tessera` executable: runs `Cli.run` on the process's arguments, streams and Ctrl-C, and
 * exits with its code. A dry run notes the first Ctrl-C and stops after the current ticket; a
 * second one exits at once (130).
 */
import { Effect } from "effect"
import * as Cli from "../Cli.js"

const trapInterrupt = () => {
  let interrupted = false
  process.on("SIGINT", () => {
    if (interrupted) process.exit(Cli.ExitCode.interrupted)
    interrupted = true
  })
  return () => interrupted
}

Effect.runPromise(
  Cli.run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: process.stderr,
    trapInterrupt
  })
).then((code) => {
  process.exitCode = code
})
