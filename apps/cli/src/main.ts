#!/usr/bin/env node
import { CommanderError } from "commander";
import { CliError, EXIT } from "./errors.js";
import { createProgram } from "./program.js";

const program = createProgram();
// Commander exits with 1 on a usage error by default; ours is 2 (1 means the run or call failed).
program.exitOverride();
for (const command of program.commands) {
  command.exitOverride();
  for (const sub of command.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version "exit" with 0; everything else is a usage error (already printed).
    process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else if (error instanceof CliError) {
    process.stderr.write(`Error: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`Error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT.FAILED;
  }
}
