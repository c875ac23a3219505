// An agent on an MCP server and an OpenAPI API, its worker SIGKILLed right after both remote calls
// were recorded: the run resumes on a new worker process to its answer, and each server counts
// exactly one call (the replay returns the recorded results).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster } from "./support/cluster.js";
import { createTestStore, type TestStore } from "./support/stores.js";

const workerScript = fileURLToPath(new URL("./fixtures/remote-tools-worker.mjs", import.meta.url));
const mcpServer = fileURLToPath(
  new URL("../../../packages/adk/src/remote/test-support/mcp-files-server.mjs", import.meta.url),
);

const spec = {
  openapi: "3.1.0",
  info: { title: "Pets", version: "1.0.0" },
  paths: {
    "/pets/{petId}": {
      get: {
        operationId: "getPet",
        parameters: [{ name: "petId", in: "path", required: true, schema: { $ref: "#/components/schemas/Id" } }],
        responses: { "200": { description: "the pet" } },
      },
    },
  },
  components: { schemas: { Id: { type: "integer" } } },
};

describe("remote tool calls survive a worker SIGKILL (pglite)", () => {
  let store: TestStore;
  let cluster: TestCluster;
  let scratch: string;
  let api: Server;
  const apiCalls: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "agnt5-remote-"));
    api = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/openapi.json") return void res.end(JSON.stringify(spec));
      apiCalls.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.end(JSON.stringify({ id: 1, name: "Rex" }));
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    store = await createTestStore("pglite");
    cluster = await TestCluster.create(store);
    await cluster.startCoordinator();
  });

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
    await new Promise((resolve) => api?.close(resolve));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("resumes without calling the MCP server or the API again", async () => {
    const mcpLog = join(scratch, "mcp-calls.log");
    writeFileSync(mcpLog, "");
    const env = {
      E2E_MARKER_DIR: scratch,
      E2E_MCP_SERVER: mcpServer,
      E2E_MCP_CALL_LOG: mcpLog,
      E2E_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    };
    const first = await cluster.startWorker(env, workerScript);
    const started = await postJson(`${cluster.url}/v1/agents/remote_tools/runs`, { input: "go", runId: "remote-1" });
    expect(started.json).toEqual({ runId: "remote-1", created: true });
    await expect(first.exited).resolves.toMatchObject({ signal: "SIGKILL" });

    await cluster.startWorker(env, workerScript);
    const result = (await getJson(`${cluster.url}/v1/runs/remote-1/result?timeoutMs=30000`)).json;
    expect(result).toMatchObject({
      status: "completed",
      output: { output: 'Got "ship remote tools" and {"id":1,"name":"Rex"}' },
    });
    expect(readFileSync(mcpLog, "utf8").trim().split("\n")).toEqual(["read_file"]);
    expect(apiCalls).toEqual(["GET /pets/1 Bearer e2e-token"]);
    const journal = (await getJson(`${cluster.url}/v1/runs/remote-1/journal`)).json;
    expect(journal.entries.map((entry: { name: string }) => entry.name)).toEqual([
      "agent:remote_tools:tools:files",
      "agent:remote_tools:llm:0",
      "agent:remote_tools:tool:read_file:0",
      "agent:remote_tools:tool:getPet:1",
      "agent:remote_tools:llm:1",
    ]);
  });
});
