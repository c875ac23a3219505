/**
 * Test-only: PGlite's first open of an empty data directory runs initdb in WASM (5-7 s on a loaded
 * two-core machine); opening a copy of an initialised, migrated one takes well under a second. The
 * global setup (global-setup.ts) makes one such directory per test run and names it in
 * AGNT5_TEST_PGLITE_TEMPLATE; tests copy it. Migrating from empty stays tested: the template is
 * made by migrating an empty directory, and PostgreSQL tests migrate a fresh schema every time.
 */
import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PGLITE_TEMPLATE_ENV = "AGNT5_TEST_PGLITE_TEMPLATE";

/**
 * A new temporary coordinator data directory (`<dir>/pglite` is the database), a copy of the
 * migrated template when the global setup made one, else empty (first open initialises it).
 */
export async function newPgliteDataDir(prefix = "agnt5-pglite-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const template = process.env[PGLITE_TEMPLATE_ENV];
  if (template) await cp(template, dir, { recursive: true });
  return dir;
}
