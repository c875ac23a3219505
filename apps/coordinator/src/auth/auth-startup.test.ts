// Start-up: outside dev mode the coordinator refuses to start without credentials, naming the
// variables to set; a too-short bootstrap secret is refused without being printed; dev mode says
// loudly that authentication is off. Keys work the same on PGlite, and /metrics can require one.
import { randomBytes } from "node:crypto";
import { AdminClient } from "@agnt5/admin-client";
import { describe, expect, it } from "vitest";
import { bearer, startAuthCoordinator } from "../test-support/auth-keys.js";
import { runCoordinatorUntilExit } from "../test-support/coordinator-process.js";
import { send } from "../test-support/http.js";
import { startTestCoordinator } from "../test-support/test-coordinator.js";
import { capturingLogger } from "../test-support/test-engine.js";
import type { AuthConfig } from "./auth-config.js";

const NO_CREDENTIALS: AuthConfig = {
  bootstrapApiKey: undefined,
  bootstrapWorkerToken: undefined,
  jwksUrl: undefined,
  jwtIssuer: undefined,
  jwtAudience: undefined,
  metricsRequireKey: false,
};

describe("authentication at start-up", () => {
  it("refuses to start without credentials outside dev mode, naming what to set", async () => {
    const starting = startTestCoordinator("postgres", { devMode: false, auth: NO_CREDENTIALS });
    await expect(starting).rejects.toThrow(/No credentials are configured/);
    await expect(starting).rejects.toThrow(/AGNT5_BOOTSTRAP_API_KEY/);
    await expect(starting).rejects.toThrow(/AGNT5_DEV_MODE=1/);
  });

  it("as a process: a configuration mistake is one line on stderr, without a stack; a crash keeps its stack", async () => {
    const [noCredentials, badPort, unreachableDb] = await Promise.all([
      runCoordinatorUntilExit({}),
      runCoordinatorUntilExit({ AGNT5_HTTP_PORT: "eighty" }),
      // Not a configuration error the coordinator can name: logged as a fatal error with its stack.
      runCoordinatorUntilExit({ AGNT5_DEV_MODE: "1", AGNT5_DATABASE_URL: "postgres://127.0.0.1:1/nothing" }),
    ]);

    expect(noCredentials.code).toBe(1);
    const refusal = noCredentials.stderr.trimEnd().split("\n");
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(
      /^Coordinator configuration is invalid \(AUTH_CONFIG_INVALID\): No credentials are configured.*AGNT5_BOOTSTRAP_API_KEY.*AGNT5_DEV_MODE=1/,
    );
    expect(noCredentials.stdout).not.toMatch(/"level":60|stack/);

    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toBe(
      'Coordinator configuration is invalid (CONFIG_INVALID): AGNT5_HTTP_PORT must be a non-negative integer, got "eighty"\n',
    );

    expect(unreachableDb.code).toBe(1);
    expect(unreachableDb.stderr).not.toContain("Coordinator configuration is invalid");
    const fatal = unreachableDb.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { stack?: string } })
      .find((line) => line.level === 60);
    expect(fatal?.msg).toMatch(/^Coordinator failed to start: .*ECONNREFUSED/);
    expect(fatal?.err?.stack).toMatch(/\n\s+at /);
  });

  it("refuses a bootstrap secret shorter than 32 characters without printing it", async () => {
    const short = "tooshort-secret-123";
    const starting = startTestCoordinator("postgres", {
      devMode: false,
      auth: { ...NO_CREDENTIALS, bootstrapApiKey: short },
    });
    await expect(starting).rejects.toThrow(/AGNT5_BOOTSTRAP_API_KEY is 19 characters long/);
    await expect(starting).rejects.not.toThrow(short);
  });

  it("warns once, at start, that dev mode turns authentication off, and lets requests in", async () => {
    const captured = capturingLogger();
    await using coordinator = await startTestCoordinator("postgres", { devMode: true }, captured.logger);
    const warnings = captured.lines.filter((line) => String(line.msg).includes("AGNT5_DEV_MODE is on"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe(40);
    // Every route the gateway registers has its scope in route-scopes.ts.
    expect(captured.lines.filter((line) => String(line.msg).includes("route-scopes.ts"))).toEqual([]);
    expect((await send(`${coordinator.url}/admin/v1/keys`)).status).toBe(200);
    // Who an approval records: in dev mode nobody in particular (the approver names themself).
    expect((await send(`${coordinator.url}/admin/v1/identity`)).body).toMatchObject({
      authentication: "off",
      kind: "dev",
    });
  });

  it("on PGlite: keys are created, used, listed and revoked; /metrics needs a read key when asked", async () => {
    const adminKey = randomBytes(32).toString("hex");
    const auth = await startAuthCoordinator("pglite", {
      auth: { ...NO_CREDENTIALS, bootstrapApiKey: adminKey, metricsRequireKey: true },
    });
    try {
      const url = auth.coordinator.url;
      // The bootstrap key is this test's own (the override replaces the helper's auth settings).
      const admin = new AdminClient({ baseUrl: url, apiKey: adminKey });
      const reader = await admin.createKey({ name: "scraper", scopes: ["read"] });
      expect((await send(`${url}/metrics`)).status).toBe(401);
      expect((await send(`${url}/metrics`, { headers: bearer(reader.secret) })).status).toBe(200);
      expect(await admin.getIdentity()).toEqual({
        authentication: "on",
        kind: "api_key",
        name: "bootstrap-admin",
        scopes: ["call", "workflows:start", "signal", "approve", "read", "admin", "worker"],
        roles: ["admin"],
      });
      expect((await send(`${url}/admin/v1/identity`, { headers: bearer(reader.secret) })).body).toMatchObject({
        name: "scraper",
        scopes: ["read"],
        roles: [],
      });
      expect((await send(`${url}/health`)).status).toBe(200);
      await admin.revokeKey(reader.id);
      expect((await send(`${url}/metrics`, { headers: bearer(reader.secret) })).status).toBe(401);
      const listed = await admin.listKeys({ includeRevoked: true });
      expect(listed.keys.find((key) => key.id === reader.id)?.revokedAt).not.toBeNull();
    } finally {
      await auth.close();
    }
  });
});
