// AGNT5_CLUSTER=1 refuses to start without the pieces replicas need, with one line naming the
// variable to set: through loadConfig, and as the process a user starts.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { ConfigError } from "../config-error.js";
import { runCoordinatorUntilExit } from "../test-support/coordinator-process.js";

const DB = "postgres://127.0.0.1:5432/test";
const REDIS = "redis://127.0.0.1:6379";
const COMPLETE = { AGNT5_CLUSTER: "1", AGNT5_DATABASE_URL: DB, AGNT5_REDIS_URL: REDIS };

/** Each refusal: the environment, and what its one line must name. */
const REFUSALS: Array<[string, Record<string, string>, RegExp]> = [
  ["without AGNT5_DATABASE_URL", { AGNT5_CLUSTER: "1", AGNT5_REDIS_URL: REDIS }, /set AGNT5_DATABASE_URL/],
  ["without AGNT5_REDIS_URL", { AGNT5_CLUSTER: "1", AGNT5_DATABASE_URL: DB }, /set AGNT5_REDIS_URL/],
  ["with AGNT5_ENTITY_STORE=redis", { ...COMPLETE, AGNT5_ENTITY_STORE: "redis" }, /unset AGNT5_ENTITY_STORE/],
  // Its own pool would write entity state without the replica's fencing token.
  ["with AGNT5_ENTITY_STORE=postgres", { ...COMPLETE, AGNT5_ENTITY_STORE: "postgres" }, /unset AGNT5_ENTITY_STORE/],
  ["with AGNT5_LEASE_SECONDS=soon", { ...COMPLETE, AGNT5_LEASE_SECONDS: "soon" }, /AGNT5_LEASE_SECONDS must be/],
  ["with AGNT5_LEASE_SECONDS=0", { ...COMPLETE, AGNT5_LEASE_SECONDS: "0" }, /AGNT5_LEASE_SECONDS must be/],
  ["with AGNT5_CLUSTER=yes", { ...COMPLETE, AGNT5_CLUSTER: "yes" }, /AGNT5_CLUSTER must be 1 or 0/],
];

describe("cluster configuration (AGNT5_CLUSTER)", () => {
  it.each(REFUSALS)("refuses %s with a ConfigError naming the variable", (_what, env, names) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).code).toBe("CONFIG_INVALID");
    expect((thrown as ConfigError).message).toMatch(names);
    expect((thrown as ConfigError).message).not.toContain("\n");
  });

  it("reads a complete configuration, and none without AGNT5_CLUSTER", () => {
    expect(
      loadConfig({
        ...COMPLETE,
        AGNT5_REPLICA_NAME: "east-1",
        AGNT5_LEASE_SECONDS: "4",
        AGNT5_ENTITY_STORE: "default",
      }).cluster,
    ).toEqual({ redisUrl: REDIS, replicaName: "east-1", leaseMs: 4_000 });
    expect(loadConfig(COMPLETE).cluster).toMatchObject({
      leaseMs: 10_000,
      replicaName: expect.stringMatching(/-\d+$/),
    });
    expect(loadConfig({ AGNT5_DATABASE_URL: DB }).cluster).toBeUndefined();
    expect(loadConfig({ AGNT5_CLUSTER: "0" }).cluster).toBeUndefined();
  });

  it("as a process: each refusal is one line on stderr and exit code 1", async () => {
    const exits = await Promise.all(
      REFUSALS.slice(0, 4).map(([, env]) => runCoordinatorUntilExit({ AGNT5_DEV_MODE: "1", ...env })),
    );
    exits.forEach((exit, i) => {
      expect(exit.code).toBe(1);
      const lines = exit.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Coordinator configuration is invalid \(CONFIG_INVALID\): /);
      expect(lines[0]).toMatch(REFUSALS[i]![2]);
    });
  });
});
