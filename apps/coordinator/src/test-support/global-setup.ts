/**
 * Vitest global setup of the coordinator's tests: one migrated PGlite data directory that every
 * test copies instead of initialising its own (see pglite-template.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../store/open-store.js";
import { PGLITE_TEMPLATE_ENV } from "./pglite-template.js";

export default async function setup(): Promise<() => Promise<void>> {
  const template = await mkdtemp(join(tmpdir(), "agnt5-coordinator-pglite-template-"));
  const store = await openStore({ dataDir: template });
  await store.close();
  process.env[PGLITE_TEMPLATE_ENV] = template;
  return () => rm(template, { recursive: true, force: true });
}
