import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@agnt5/coordinator";

/**
 * Initialises one PGlite data dir with the migrations applied; each test copies it instead of
 * paying PGlite's first-open cost (seconds) again.
 */
export default async function setup() {
  const template = mkdtempSync(join(tmpdir(), "agnt5-pglite-template-"));
  const store = await openStore({ dataDir: template });
  await store.close();
  process.env.AGNT5_E2E_PGLITE_TEMPLATE = template;
  return () => rmSync(template, { recursive: true, force: true });
}
