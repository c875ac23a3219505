import { Command } from "commander";
import { registerCallCommand } from "./commands/call.js";
import { registerDevCommand } from "./commands/dev.js";
import { registerEntitiesCommands } from "./commands/entities.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerReplicasCommand } from "./commands/replicas.js";
import { registerRunsCommands } from "./commands/runs.js";
import { registerServicesCommand } from "./commands/services.js";
import { DEFAULT_URL } from "./context.js";

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the run or call failed (or was cancelled), or the coordinator answered with another error
  2  usage error (unknown command or option, bad JSON, a request the API refused as malformed)
  3  not found (run, service, entity type or key, route)
  4  conflict (e.g. the run is finished and cannot be paused)
  5  the coordinator is unreachable

Environment:
  AGNT5_URL          the coordinator's HTTP address (default ${DEFAULT_URL})
  AGNT5_API_KEY      API key sent as Authorization: Bearer (as --api-key)
  AGNT5_TLS_CA_FILE  PEM CA that signed an https:// coordinator's certificate (as --ca)`;

/** The `agnt5` command tree. */
export function createProgram(): Command {
  const program = new Command("agnt5")
    .description("AGNT5 from a terminal: run a worker in dev mode, call handlers, inspect and act on runs and entities")
    .option("--url <url>", `the coordinator's HTTP address (default: AGNT5_URL or ${DEFAULT_URL})`)
    .option("--json", "print the API's JSON instead of tables (for scripts)")
    .option("--api-key <key>", "API key for a coordinator with authentication on (default: AGNT5_API_KEY)")
    .option("--ca <file>", "PEM CA that signed an https:// coordinator's certificate (default: AGNT5_TLS_CA_FILE)")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);
  registerDevCommand(program);
  registerCallCommand(program);
  registerRunsCommands(program);
  registerEntitiesCommands(program);
  registerServicesCommand(program);
  registerKeysCommands(program);
  registerReplicasCommand(program);
  return program;
}
