import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, runCli, startCluster } from "../test-support/cli-harness.js";
import { showUntil, startRun } from "../test-support/run-helpers.js";

describe("agnt5 runs pause|resume|retry|restart against a coordinator and a worker as processes", () => {
  let cluster: CliCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("pauses a waiting run and resumes it; it then completes when signalled", async () => {
    const id = await startRun(cluster.url, "cli-test/wait_go", "null");
    await showUntil(cluster.url, id, (run) => run.waits.some((wait: any) => wait.name === "go"));
    const pause = await runCli(["runs", "pause", id], cluster.url);
    expect(pause).toMatchObject({ code: 0, stderr: "" });
    expect(pause.stdout).toMatch(new RegExp(`^Run ${id}: paused \\(workflow cli-test/wait_go`));
    const list = await runCli(["runs", "list", "--status", "paused"], cluster.url);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+cli-test/wait_go\\s+workflow\\s+paused`));

    const resume = await runCli(["runs", "resume", id], cluster.url);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toContain(`Run ${id}: `);
    expect(resume.stdout).not.toContain(": paused");
    expect((await runCli(["runs", "signal", id, "go", '"now"'], cluster.url)).code).toBe(0);
    const wait = await runCli(["runs", "wait", id], cluster.url);
    expect(wait.code).toBe(0);
    expect(wait.stdout).toContain('"got": "now"');
  });

  it("exits 4 when a finished run is paused or a completed run retried", async () => {
    const id = await startRun(cluster.url, "cli-test/three_steps", '{"n":0}');
    expect((await runCli(["runs", "wait", id], cluster.url)).code).toBe(0);
    const pause = await runCli(["runs", "pause", id], cluster.url);
    expect(pause.code).toBe(4);
    expect(pause.stderr).toContain("RUN_NOT_PAUSABLE");
    const retry = await runCli(["runs", "retry", id], cluster.url);
    expect(retry.code).toBe(4);
    expect(retry.stderr).toContain("RUN_NOT_RETRYABLE");
  });

  it("retries a failed run as its next attempt", async () => {
    const id = await startRun(cluster.url, "cli-test/explode", "null");
    expect((await runCli(["runs", "wait", id], cluster.url)).code).toBe(1);
    const retry = await runCli(["runs", "retry", id], cluster.url);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(new RegExp(`^Run ${id}: \\w+ \\(function cli-test/explode, attempt 2`));
    // The fixture fails every time: the retried attempt fails again, and wait says so.
    const wait = await runCli(["runs", "wait", id], cluster.url);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain("attempt 2");
  });

  it("restarts a run from an entry as a new run that replays the entries before it", async () => {
    const id = await startRun(cluster.url, "cli-test/three_steps", '{"n":10}');
    expect((await runCli(["runs", "wait", id], cluster.url)).code).toBe(0);
    const restart = await runCli(["--json", "runs", "restart", id, "--from", "1"], cluster.url);
    expect(restart.code).toBe(0);
    const newRun = JSON.parse(restart.stdout) as { id: string; component: string };
    expect(newRun.id).not.toBe(id);
    expect(newRun.component).toBe("three_steps");
    const wait = await runCli(["--json", "runs", "wait", newRun.id], cluster.url);
    expect(wait.code).toBe(0);
    const detail = JSON.parse(wait.stdout) as { output: unknown; timeline: { name: string }[] };
    expect(detail.output).toEqual({ value: 13 });
    expect(detail.timeline.map((entry) => entry.name)).toEqual(["one", "two", "three"]);
  });
});
