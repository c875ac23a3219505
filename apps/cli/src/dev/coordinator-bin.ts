import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError, EXIT } from "../errors.js";

/**
 * The coordinator's executable: AGNT5_COORDINATOR_BIN, else the "agnt5-coordinator" bin of the
 * installed @agnt5/coordinator package (found from its package.json, so the CLI depends on the
 * package's public bin, never on its internals).
 */
export function coordinatorBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AGNT5_COORDINATOR_BIN) return resolve(env.AGNT5_COORDINATOR_BIN);
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve("@agnt5/coordinator"));
  } catch (error) {
    throw new CliError(
      `Cannot find the @agnt5/coordinator package (${(error as Error).message}). Install it next to the CLI, or set AGNT5_COORDINATOR_BIN to its bin.`,
      { exitCode: EXIT.FAILED },
    );
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; bin?: string | Record<string, string> };
    if (pkg.name !== "@agnt5/coordinator") continue;
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.["agnt5-coordinator"];
    if (bin) return join(dir, bin);
    break;
  }
  throw new CliError(`The @agnt5/coordinator package found at ${entry} declares no "agnt5-coordinator" bin.`, {
    exitCode: EXIT.FAILED,
  });
}
