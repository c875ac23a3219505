// AGNT5_PGLITE_THREAD: where the embedded PGlite runs. "worker" (default): on its own worker
// thread, so its WASM does not hold the coordinator's event loop; "main": on the event loop.

export type PgliteThreadMode = "worker" | "main";

export class PgliteThreadModeError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(raw: string) {
    super(`AGNT5_PGLITE_THREAD must be worker or main, got "${raw}"`);
    this.name = "PgliteThreadModeError";
  }
}

export function pgliteThreadFromEnv(env: NodeJS.ProcessEnv = process.env): PgliteThreadMode {
  const raw = env.AGNT5_PGLITE_THREAD?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "worker") return "worker";
  if (raw === "main") return "main";
  throw new PgliteThreadModeError(env.AGNT5_PGLITE_THREAD ?? "");
}
