// The AGNT5_PGLITE_THREAD switch: its parsing, and the store opening and working in both modes.
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../config-error.js";
import { newPgliteDataDir } from "../../test-support/pglite-template.js";
import { openStore } from "../open-store.js";
import { pgliteThreadFromEnv } from "./pglite-thread-mode.js";

describe("AGNT5_PGLITE_THREAD", () => {
  it("is worker by default and accepts worker or main", () => {
    expect(pgliteThreadFromEnv({})).toBe("worker");
    expect(pgliteThreadFromEnv({ AGNT5_PGLITE_THREAD: "" })).toBe("worker");
    expect(pgliteThreadFromEnv({ AGNT5_PGLITE_THREAD: "worker" })).toBe("worker");
    expect(pgliteThreadFromEnv({ AGNT5_PGLITE_THREAD: " Main " })).toBe("main");
  });

  it("refuses anything else as a configuration mistake naming the setting", () => {
    const error = (() => {
      try {
        return pgliteThreadFromEnv({ AGNT5_PGLITE_THREAD: "both" });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("CONFIG_INVALID");
    expect((error as Error).message).toBe('AGNT5_PGLITE_THREAD must be worker or main, got "both"');
  });

  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it.each(["main", "worker"] as const)(
    "opens, writes and reopens the store with PGlite on the %s thread",
    async (mode) => {
      const dir = await newPgliteDataDir(`agnt5-pglite-${mode}-`);
      dirs.push(dir);
      const store = await openStore({ dataDir: dir, pgliteThread: mode });
      await store.db.transaction((tx) => tx.exec("CREATE TABLE mode_check (mode text)"));
      await store.db.query("INSERT INTO mode_check VALUES ($1)", [mode]);
      await store.close();
      // The other mode reads what this one wrote: both are the same cluster on disk.
      const other = await openStore({ dataDir: dir, pgliteThread: mode === "main" ? "worker" : "main" });
      try {
        expect(await other.db.query("SELECT mode FROM mode_check")).toEqual([{ mode }]);
      } finally {
        await other.close();
      }
    },
  );
});
