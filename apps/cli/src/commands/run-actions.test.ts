/**
 * pause, resume, retry and restart against a stub of the admin API: the exact request the CLI
 * sends, and what it prints and exits with for each answer the contract allows, including the 501
 * NOT_IMPLEMENTED a coordinator without run control answers. run-control.test.ts runs the same
 * commands against a real coordinator.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-support/cli-harness.js";

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

const summary = (id: string, status: string) => ({
  id,
  service: "shop",
  component: "checkout",
  kind: "workflow",
  status,
  attempt: 1,
  createdAt: "2026-12-02T10:00:00.000Z",
  updatedAt: "2026-12-02T10:00:01.000Z",
  completedAt: null,
  parentId: null,
  waitingOn: status === "paused" ? null : "timer until 2026-12-02T12:00:00.000Z",
  error: null,
});

const answers: Record<string, [number, unknown]> = {
  "POST /admin/v1/runs/r1/pause": [200, summary("r1", "paused")],
  "POST /admin/v1/runs/done/pause": [
    409,
    { error: { code: "RUN_NOT_PAUSABLE", message: 'Run "done" is completed; only an unfinished run can be paused' } },
  ],
  "POST /admin/v1/runs/r1/resume": [200, summary("r1", "suspended")],
  "POST /admin/v1/runs/r1/retry": [
    501,
    { error: { code: "NOT_IMPLEMENTED", message: "Retrying a run is not implemented by this coordinator yet" } },
  ],
  "POST /admin/v1/runs/r1/restart": [200, summary("r1-restart", "pending")],
  "POST /admin/v1/runs/missing/resume": [
    404,
    { error: { code: "RUN_NOT_FOUND", message: 'No run with id "missing"' } },
  ],
};

describe("agnt5 runs pause|resume|retry|restart (against a stub admin API)", () => {
  const seen: Seen[] = [];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      seen.push({ method: request.method!, url: request.url!, body });
      const [status, answer] = answers[`${request.method} ${request.url}`] ?? [
        404,
        { error: { code: "ROUTE_NOT_FOUND", message: `${request.method} ${request.url}` } },
      ];
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("pauses a run and prints its new status", async () => {
    const result = await runCli(["runs", "pause", "r1"], url);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe("Run r1: paused (workflow shop/checkout, attempt 1)\n");
    expect(seen.at(-1)).toEqual({ method: "POST", url: "/admin/v1/runs/r1/pause", body: {} });
  });

  it("exits 4 when the run cannot be paused, with the API's code and message", async () => {
    const result = await runCli(["runs", "pause", "done"], url);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('RUN_NOT_PAUSABLE: Run "done" is completed');
    const json = await runCli(["--json", "runs", "pause", "done"], url);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toEqual(answers["POST /admin/v1/runs/done/pause"]![1]);
  });

  it("resumes a run; exits 3 for a run that does not exist", async () => {
    const resumed = await runCli(["runs", "resume", "r1"], url);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("Run r1: suspended");
    expect(resumed.stdout).toContain("waiting on timer until 2026-12-02T12:00:00.000Z");
    const missing = await runCli(["runs", "resume", "missing"], url);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('RUN_NOT_FOUND: No run with id "missing"');
  });

  it("says clearly when the coordinator does not implement an action yet (exit 1)", async () => {
    const result = await runCli(["runs", "retry", "r1"], url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "NOT_IMPLEMENTED: Retrying a run is not implemented by this coordinator yet (this coordinator does not implement the action yet)",
    );
  });

  it("restarts from an entry as a new run, sending fromEntry (and the new run's id when given)", async () => {
    const result = await runCli(["runs", "restart", "r1", "--from", "2", "--run-id", "r1-restart"], url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Restarted r1 from entry 2 as a new run.");
    expect(result.stdout).toContain("Run r1-restart: pending");
    expect(seen.at(-1)).toEqual({
      method: "POST",
      url: "/admin/v1/runs/r1/restart",
      body: { fromEntry: 2, runId: "r1-restart" },
    });
  });

  it("prints exactly the API's JSON with --json", async () => {
    const result = await runCli(["--json", "runs", "pause", "r1"], url);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(summary("r1", "paused"))}\n`);
  });

  it("exits 2 without a request when --from is missing or not an entry number", async () => {
    const before = seen.length;
    const missing = await runCli(["runs", "restart", "r1"], url);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--from <entry>");
    const negative = await runCli(["runs", "restart", "r1", "--from", "-1"], url);
    expect(negative.code).toBe(2);
    expect(seen.length).toBe(before);
  });
});

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text ? (JSON.parse(text) as unknown) : undefined;
}
