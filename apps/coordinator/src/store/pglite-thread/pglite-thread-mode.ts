// AGNT5_PGLITE_THREAD: where the embedded PGlite runs. "worker" (default): on its own worker
// thread, so its WASM does not hold the coordinator's event loop; "main": on the event loop.
import { ConfigError } from "../../config-error.js";

export type PgliteThreadMode = "worker" | "main";

export function pgliteThreadFromEnv(env: NodeJS.ProcessEnv = process.env): PgliteThreadMode {
  const raw = env.AGNT5_PGLITE_THREAD?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "worker") return "worker";
  if (raw === "main") return "main";
  // A ConfigError: the coordinator refuses to start with one line naming the setting, no stack.
  throw new ConfigError(
    "CONFIG_INVALID",
    `AGNT5_PGLITE_THREAD must be worker or main, got "${env.AGNT5_PGLITE_THREAD}"`,
  );
}
