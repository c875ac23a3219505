import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, runCli, startCluster } from "../test-support/cli-harness.js";
import { showUntil } from "../test-support/run-helpers.js";

// The built CLI against a coordinator with authentication on (bootstrap key and worker token), as processes.
describe("agnt5 keys and --api-key (authentication on)", () => {
  const adminKey = `cli-admin-${randomBytes(24).toString("hex")}`;
  const workerToken = `cli-worker-${randomBytes(24).toString("hex")}`;
  let cluster: CliCluster;
  const asAdmin = { AGNT5_API_KEY: adminKey };

  beforeAll(async () => {
    cluster = await startCluster({
      coordinator: {
        AGNT5_DEV_MODE: "0",
        AGNT5_BOOTSTRAP_API_KEY: adminKey,
        AGNT5_BOOTSTRAP_WORKER_TOKEN: workerToken,
      },
      worker: { AGNT5_WORKER_TOKEN: workerToken },
    });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("refuses a command without a key, saying how to pass one (exit 2)", async () => {
    const result = await runCli(["services"], cluster.url, { AGNT5_API_KEY: "" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("UNAUTHENTICATED");
    expect(result.stderr).toContain("--api-key or AGNT5_API_KEY");
  });

  it("creates a key (secret shown once), uses it, lists it by prefix, revokes it", async () => {
    const created = await runCli(
      ["--json", "keys", "create", "ops-bot", "--scope", "call", "read", "--role", "ops"],
      cluster.url,
      asAdmin,
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; secret: string; prefix: string; roles: string[] };
    expect(key.secret).toMatch(/^agnt5_sk_/);
    expect(key.roles).toEqual(["ops"]);

    const call = await runCli(["--api-key", key.secret, "call", "cli-test/greet", '{"name":"Kay"}'], cluster.url, {
      AGNT5_API_KEY: "",
    });
    expect(call).toMatchObject({ code: 0, stdout: '"Hello, Kay!"\n' });

    const listed = await runCli(["keys", "list"], cluster.url, asAdmin);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("ops-bot");
    expect(listed.stdout).toContain(key.prefix);
    expect(listed.stdout).not.toContain(key.secret);
    expect(listed.stdout).not.toContain(adminKey);

    const notAdmin = await runCli(["keys", "list"], cluster.url, { AGNT5_API_KEY: key.secret });
    expect(notAdmin.code).toBe(2);
    expect(notAdmin.stderr).toContain("FORBIDDEN");
    expect(notAdmin.stderr).toContain('"admin"');

    const revoked = await runCli(["keys", "revoke", key.id], cluster.url, asAdmin);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${key.id}`);
    const after = await runCli(["call", "cli-test/greet", '{"name":"Kay"}'], cluster.url, {
      AGNT5_API_KEY: key.secret,
    });
    expect(after.code).toBe(2);
    expect(after.stderr).toContain("UNAUTHENTICATED");
  });

  it("approves with a key holding the approve scope; the journal records the key's name, not --by", async () => {
    const started = await runCli(
      ["--json", "call", "cli-test/ship", '{"version":"3.0.0"}', "--async"],
      cluster.url,
      asAdmin,
    );
    expect(started.code).toBe(0);
    const id = (JSON.parse(started.stdout) as { invocationId: string }).invocationId;
    const saved = process.env.AGNT5_API_KEY;
    process.env.AGNT5_API_KEY = adminKey;
    try {
      await showUntil(cluster.url, id, (run) => run.pendingApprovals.length === 1);
    } finally {
      if (saved === undefined) delete process.env.AGNT5_API_KEY;
      else process.env.AGNT5_API_KEY = saved;
    }
    const reader = JSON.parse(
      (await runCli(["--json", "keys", "create", "reader", "--scope", "read"], cluster.url, asAdmin)).stdout,
    ) as { secret: string };
    const refused = await runCli(["runs", "approve", id, "deploy", "--by", "mallory"], cluster.url, {
      AGNT5_API_KEY: reader.secret,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"approve"');

    const approver = JSON.parse(
      (
        await runCli(
          ["--json", "keys", "create", "release-manager", "--scope", "approve", "read"],
          cluster.url,
          asAdmin,
        )
      ).stdout,
    ) as { secret: string };
    const approved = await runCli(["runs", "approve", id, "deploy", "--by", "mallory"], cluster.url, {
      AGNT5_API_KEY: approver.secret,
    });
    expect(approved).toMatchObject({ code: 0, stdout: `Approval "deploy" of run ${id} approved by this API key.\n` });
    const result = await runCli(["--json", "runs", "wait", id], cluster.url, { AGNT5_API_KEY: approver.secret });
    expect(result.stdout).toContain('"by":"release-manager"');
  });

  it("creates a worker token scoped to services, and refuses one without --service", async () => {
    const token = await runCli(
      ["keys", "create", "billing-workers", "--worker", "--service", "billing"],
      cluster.url,
      asAdmin,
    );
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/agnt5_wt_\S+/);
    expect(token.stdout).toContain("services billing");
    const missing = await runCli(["keys", "create", "w", "--worker"], cluster.url, asAdmin);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--service");
  });
});
