// examples/agents' remote-tools worker as its README runs it: a coordinator and the worker as real
// processes (offline model); the file assistant on an MCP server (stdio) and the todo agent on an
// OpenAPI spec answer as the README shows, with the tool list and each remote call journaled.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster } from "./support/cluster.js";
import { createTestStore, type TestStore } from "./support/stores.js";

const remoteWorker = fileURLToPath(new URL("../../../examples/agents/dist/remote-worker.js", import.meta.url));

describe("examples/agents remote tools through the gateway", () => {
  let store: TestStore;
  let cluster: TestCluster;

  beforeAll(async () => {
    store = await createTestStore("pglite");
    cluster = await TestCluster.create(store);
    await cluster.startCoordinator();
    await cluster.startWorker({ OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", AGNT5_EXAMPLE_MODEL: "" }, remoteWorker);
  });

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
  });

  const run = async (agent: string, input: string, runId: string) => {
    const started = await postJson(`${cluster.url}/v1/agents/${agent}/runs`, { input, runId });
    expect(started.json).toEqual({ runId, created: true });
    const result = (await getJson(`${cluster.url}/v1/runs/${runId}/result?timeoutMs=30000`)).json;
    const journal = (await getJson(`${cluster.url}/v1/runs/${runId}/journal`)).json;
    return { result, names: journal.entries.map((entry: { name: string }) => entry.name) };
  };

  it("the file assistant lists and reads files on the MCP server", async () => {
    const { result, names } = await run("file_assistant", "What do the release notes say?", "files-1");
    expect(result).toMatchObject({
      status: "completed",
      output: {
        output: "/docs/release-notes.md says: v1.2: remote tools (MCP, OpenAPI, hosted) with every call journaled.",
      },
    });
    expect(names).toEqual([
      "agent:file_assistant:tools:filesystem",
      "agent:file_assistant:llm:0",
      "agent:file_assistant:tool:list_directory:0",
      "agent:file_assistant:llm:1",
      "agent:file_assistant:tool:read_file:1",
      "agent:file_assistant:llm:2",
    ]);
  });

  it("the todo agent calls the API its OpenAPI spec describes", async () => {
    const { result, names } = await run("todo_agent", "Write the migration guide", "todo-1");
    expect(result).toMatchObject({
      status: "completed",
      output: {
        output: "Added. Open todos: Write the migration guide.",
        toolCalls: [
          { name: "createTodo", result: { id: 2, title: "Write the migration guide", done: false } },
          { name: "listTodos", result: [{ id: 2, title: "Write the migration guide", done: false }] },
        ],
      },
    });
    expect(names).toEqual([
      "agent:todo_agent:llm:0",
      "agent:todo_agent:tool:createTodo:0",
      "agent:todo_agent:llm:1",
      "agent:todo_agent:tool:listTodos:1",
      "agent:todo_agent:llm:2",
    ]);
  });
});
