import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, freePort, runCli, startCluster } from "../test-support/cli-harness.js";

describe("agnt5 call (the built CLI against a coordinator and a worker as processes)", () => {
  let cluster: CliCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("calls a handler and prints its output as JSON", async () => {
    const result = await runCli(["call", "cli-test/greet", '{"name":"Alice"}'], cluster.url);
    expect(result).toMatchObject({ code: 0, stdout: '"Hello, Alice!"\n' });
    expect(result.stderr).toMatch(/^\(invocation \S+\)/);
  });

  it("prints exactly the gateway's answer with --json", async () => {
    const result = await runCli(["--json", "call", "cli-test/greet", '{"name":"Bob"}'], cluster.url);
    expect(result).toMatchObject({ code: 0, stdout: '"Hello, Bob!"\n' });
  });

  it("accepts an invocation without waiting with --async", async () => {
    const result = await runCli(["call", "cli-test/greet", '{"name":"Eve"}', "--async"], cluster.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Invocation \S+ accepted\. Follow it: npm run agnt5 -- runs wait \S+/);
  });

  it("calls an entity method by <service>/<type>/<key>/<method>", async () => {
    await runCli(["call", "cli-test/Counter/alice/add", '{"by":2}'], cluster.url);
    const second = await runCli(["call", "cli-test/Counter/alice/add", '{"by":3}'], cluster.url);
    expect(second).toMatchObject({ code: 0 });
    expect(JSON.parse(second.stdout)).toEqual({ value: 5 });
  });

  it("exits 1 with the handler's error code when the call fails", async () => {
    const result = await runCli(["call", "cli-test/explode"], cluster.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("FIXTURE_FAILURE: the fixture always fails");
  });

  it("exits 3 when the service does not exist", async () => {
    const result = await runCli(["call", "no-such-service/greet", "{}"], cluster.url);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("SERVICE_NOT_FOUND");
  });

  it("prints the API's error document on stdout with --json, besides the exit code", async () => {
    const result = await runCli(["--json", "call", "no-such-service/greet", "{}"], cluster.url);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "SERVICE_NOT_FOUND" } });
  });

  it("exits 2 on a malformed target or JSON input, before any request", async () => {
    const target = await runCli(["call", "just-a-name"], cluster.url);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain("<service>/<handler>");
    const json = await runCli(["call", "cli-test/greet", "{name: Alice}"], cluster.url);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain("not valid JSON");
  });

  it("exits 5 naming the URL and how to start a coordinator when nothing listens", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(["call", "cli-test/greet", "{}"], url);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`Cannot reach the coordinator at ${url}`);
    expect(result.stderr).toContain("npm run agnt5 -- dev");
  });
});
