import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built entry point users run (`npm run coordinator`): what it prints is what they see. */
const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface ExitedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the coordinator as its own process, on a fresh PGlite directory and free ports, with `env`
 * over a clean AGNT5_* environment, and waits for it to exit: for start-up refusals only (a
 * coordinator that starts is not stopped here).
 */
export async function runCoordinatorUntilExit(env: Record<string, string>): Promise<ExitedProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the coordinator first (npm run build)`);
  const dataDir = await mkdtemp(join(tmpdir(), "agnt5-coordinator-process-"));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AGNT5_")));
  try {
    return await new Promise((resolve) => {
      execFile(
        process.execPath,
        [MAIN],
        {
          env: {
            ...inherited,
            AGNT5_DATA_DIR: dataDir,
            AGNT5_PGLITE_THREAD: "main",
            AGNT5_HOST: "127.0.0.1",
            AGNT5_HTTP_PORT: "0",
            AGNT5_GRPC_PORT: "0",
            AGNT5_LOG_FORMAT: "json",
            ...env,
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
