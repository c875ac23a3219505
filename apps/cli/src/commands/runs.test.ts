import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_BIN, type CliCluster, runCli, startCluster } from "../test-support/cli-harness.js";
import { LineProcess } from "../test-support/line-process.js";
import { showUntil, startRun } from "../test-support/run-helpers.js";

describe("agnt5 runs, services and entities (the built CLI against a coordinator and a worker as processes)", () => {
  let cluster: CliCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("shows a pending approval, waits with progress while it is approved, then prints the output", async () => {
    const id = await startRun(cluster.url, "cli-test/ship", '{"version":"1.2.0"}');
    await showUntil(cluster.url, id, (run) => run.pendingApprovals.length === 1);

    const show = await runCli(["runs", "show", id], cluster.url);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`Run:`);
    expect(show.stdout).toContain("cli-test/ship (workflow)");
    expect(show.stdout).toMatch(/Pending approvals\n\s+NAME\s+SINCE\s+TIMEOUT\s+ROLES\s+PAYLOAD\n\s+deploy\s/);
    expect(show.stdout).toContain('{"version":"1.2.0"}');
    expect(show.stdout).toContain(`npm run agnt5 -- runs approve ${id} <name> --by <you>`);

    // Not a terminal: progress is one plain line per change, on stderr.
    const wait = LineProcess.start("runs wait", [CLI_BIN, "runs", "wait", id], { AGNT5_URL: cluster.url });
    await wait.waitForLine(`run ${id} `);
    const approve = await runCli(
      ["runs", "approve", id, "deploy", "--by", "alice", "--comment", "ship it"],
      cluster.url,
    );
    expect(approve).toMatchObject({ code: 0, stdout: `Approval "deploy" of run ${id} approved by alice.\n` });
    expect(await wait.exited).toEqual({ code: 0, signal: null });
    const printed = wait.stdout.join("\n");
    expect(printed).toContain(`Run ${id}: completed`);
    expect(printed).toContain('"approved": true');
    expect(printed).toContain('"comment": "ship it"');
    expect(wait.lines.some((line) => line.includes("⠋"))).toBe(false);
  });

  it("rejects an approval", async () => {
    const id = await startRun(cluster.url, "cli-test/ship", '{"version":"2.0.0"}');
    await showUntil(cluster.url, id, (run) => run.pendingApprovals.length === 1);
    const reject = await runCli(["runs", "reject", id, "deploy", "--by", "bob"], cluster.url);
    expect(reject.code).toBe(0);
    const wait = await runCli(["--json", "runs", "wait", id], cluster.url);
    expect(wait.code).toBe(0);
    expect(JSON.parse(wait.stdout)).toMatchObject({ id, status: "completed", output: { approved: false, by: "bob" } });
  });

  it("signals a run waiting for a signal", async () => {
    const id = await startRun(cluster.url, "cli-test/wait_go", "null");
    await showUntil(cluster.url, id, (run) => run.waits.some((wait: any) => wait.name === "go"));
    const signal = await runCli(["runs", "signal", id, "go", '{"colour":"green"}'], cluster.url);
    expect(signal).toMatchObject({ code: 0, stdout: `Signal "go" delivered to run ${id}.\n` });
    const wait = await runCli(["runs", "wait", id], cluster.url);
    expect(wait.code).toBe(0);
    expect(wait.stdout).toContain('"colour": "green"');
  });

  it("cancels a waiting run; waiting for it then exits 1", async () => {
    const id = await startRun(cluster.url, "cli-test/wait_go", "null");
    await showUntil(cluster.url, id, (run) => run.waits.length > 0);
    const cancel = await runCli(["runs", "cancel", id], cluster.url);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`Run ${id}:`);
    const wait = await runCli(["runs", "wait", id], cluster.url);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`Run ${id}: cancelled`);
  });

  it("waits for a failed run: exit 1 with its error", async () => {
    const id = await startRun(cluster.url, "cli-test/explode", "null");
    const wait = await runCli(["runs", "wait", id], cluster.url);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`Run ${id}: failed`);
    expect(wait.stdout).toContain("FIXTURE_FAILURE: the fixture always fails");
  });

  it("shows a finished run's timeline, one row per journal entry", async () => {
    const id = await startRun(cluster.url, "cli-test/three_steps", '{"n":1}');
    expect((await runCli(["runs", "wait", id], cluster.url)).code).toBe(0);
    const show = await runCli(["runs", "show", id], cluster.url);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(
      /Timeline\n\s+#\s+KIND\s+NAME\s+STATUS\s+STARTED\s+DURATION\s+ATTEMPTS\s+RESULT \/ ERROR\n/,
    );
    expect(show.stdout).toMatch(/\n\s+0\s+step\s+one\s+completed\s.*\s2\n/);
    expect(show.stdout).toMatch(/\n\s+2\s+step\s+three\s+completed\s.*\s4\n/);
    expect(show.stdout).toContain('"value": 4');
  });

  it("lists runs with filters, pages and --json", async () => {
    const table = await runCli(["runs", "list", "--component", "three_steps"], cluster.url);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^ID\s+SERVICE\/COMPONENT\s+KIND\s+STATUS\s+ATTEMPT\s+CREATED\s+WAITING ON \/ ERROR\n/,
    );
    expect(table.stdout).toMatch(/cli-test\/three_steps\s+workflow\s+completed/);
    expect(table.stdout).not.toContain("cli-test/ship");

    const failed = await runCli(["--json", "runs", "list", "--status", "failed", "--since", "1h"], cluster.url);
    const runs = (JSON.parse(failed.stdout) as { runs: { status: string; component: string }[] }).runs;
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.status === "failed")).toBe(true);

    const paged = await runCli(["runs", "list", "--limit", "2"], cluster.url);
    expect(paged.stdout.trim().split("\n")).toHaveLength(4); // header, two runs, the "more" hint
    expect(paged.stdout).toContain("(more runs: --all, or a larger --limit)");
    const all = await runCli(["--json", "runs", "list", "--limit", "2", "--all"], cluster.url);
    expect((JSON.parse(all.stdout) as { runs: unknown[] }).runs.length).toBeGreaterThan(4);
  });

  it("exits 3 for a run that does not exist, 2 for a bad --since", async () => {
    const missing = await runCli(["runs", "show", "no-such-run"], cluster.url);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("RUN_NOT_FOUND");
    const since = await runCli(["runs", "list", "--since", "yesterday-ish"], cluster.url);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("--since must be a duration");
  });

  it("lists services with their components and workers", async () => {
    const table = await runCli(["services"], cluster.url);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^SERVICE\s+VERSION\s+STATUS\s+WORKERS\s+ACTIVE\s+CONNECTED\s+COMPONENTS\n/);
    expect(table.stdout).toMatch(/cli-test\s+\S+\s+live\s+1\s/);
    expect(table.stdout).toContain("greet (function)");
    const json = await runCli(["--json", "services"], cluster.url);
    expect(JSON.parse(json.stdout).services[0]).toMatchObject({ name: "cli-test", status: "live" });
  });

  it("lists entity types and keys, and shows a key's state and version", async () => {
    await runCli(["call", "cli-test/Counter/bob/add", '{"by":7}'], cluster.url);
    const types = await runCli(["entities", "list"], cluster.url);
    expect(types.code).toBe(0);
    expect(types.stdout).toMatch(/Counter\s+cli-test\s+\d+/);
    const keys = await runCli(["entities", "list", "Counter"], cluster.url);
    expect(keys.stdout).toMatch(/^KEY\s+VERSION\s+UPDATED\s+QUEUED\n/);
    expect(keys.stdout).toMatch(/\nbob\s+1\s/);
    const get = await runCli(["entities", "get", "Counter", "bob"], cluster.url);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain("Entity:   Counter/bob");
    expect(get.stdout).toContain("Version:  1");
    expect(get.stdout).toContain('"value": 7');
    const missing = await runCli(["entities", "get", "NoSuchType", "x"], cluster.url);
    expect(missing.code).toBe(3);
  });
});
