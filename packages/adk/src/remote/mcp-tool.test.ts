import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DurableContext } from "@agnt5/core";
import { ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Agent, MCPTool } from "../index.js";
import { runDurable } from "../test-support/durable-run.js";
import { type McpHttpServer, startMcpHttpServer } from "./test-support/mcp-http-server.js";

const STDIO_SERVER = fileURLToPath(new URL("./test-support/mcp-files-server.mjs", import.meta.url));

let server: McpHttpServer;
const opened: MCPTool[] = [];
const mcp = (options: ConstructorParameters<typeof MCPTool>[0]) => {
  const tool = new MCPTool(options);
  opened.push(tool);
  return tool;
};
beforeAll(async () => {
  server = await startMcpHttpServer();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((tool) => tool.close()));
});
afterAll(() => server.close());

/** The file assistant's script: list, read, add (structured), fail (isError), then the answer. */
const SCRIPT: ScriptedResponse[] = [
  { toolCalls: [{ toolCallId: "c1", toolName: "list_directory", input: { path: "/docs" } }] },
  { toolCalls: [{ toolCallId: "c2", toolName: "read_file", input: { path: "/docs/todo.txt" } }] },
  {
    toolCalls: [
      { toolCallId: "c3", toolName: "add", input: { a: 2, b: 3 } },
      { toolCallId: "c4", toolName: "fail", input: {} },
    ],
  },
  { text: "Your todo: ship remote tools." },
];

const fileAgent = (model: ScriptedModel, files: MCPTool) =>
  new Agent({ name: "files", model, instructions: "Help with files.", tools: [files] });

const runHandler = (model: ScriptedModel, files: MCPTool) => async (ctx: DurableContext) => {
  const result = await fileAgent(model, files).run("What is left to do?", { ctx });
  return { status: result.status, output: result.output, toolCalls: result.toolCalls };
};

describe("MCPTool over Streamable HTTP", () => {
  it("lists every page of the server's tools, filtered by capabilities", async () => {
    const all = await mcp({ name: "files", mcpServerUrl: server.url }).tools();
    expect(all.map((tool) => tool.name)).toEqual(["list_directory", "read_file", "write_file", "add", "fail", "slow"]);
    const some = await mcp({ name: "files", mcpServerUrl: server.url, capabilities: ["read_file", "add"] }).tools();
    expect(some.map((tool) => [tool.name, tool.description])).toEqual([
      ["read_file", "Read a text file"],
      ["add", "Add two numbers"],
    ]);
    expect(some[1]?.inputSchema).toMatchObject({ properties: { a: { type: "number" } }, required: ["a", "b"] });
    await expect(
      mcp({ name: "files", mcpServerUrl: server.url, capabilities: ["read_file", "delete_file"] }).tools(),
    ).rejects.toThrow(
      'MCP server "files" has no tool "delete_file" (capabilities); its tools: list_directory, read_file, write_file, add, fail, slow',
    );
  });

  it("an agent uses the tools; the list and each call are journaled; isError and structured content reach the model; a replay calls nothing", async () => {
    const capabilities = ["list_directory", "read_file", "add", "fail"];
    const calls = () => Object.fromEntries(server.state.calls);
    const before = { calls: calls(), lists: server.state.lists };
    const model = new ScriptedModel(SCRIPT);
    const run = runDurable([], runHandler(model, mcp({ name: "files", mcpServerUrl: server.url, capabilities })));
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({
      type: "completed",
      value: { status: "completed", output: "Your todo: ship remote tools." },
    });
    const toolCalls = (outcome as { value: { toolCalls: Array<{ name: string; result?: unknown; error?: string }> } })
      .value.toolCalls;
    expect(toolCalls.map(({ name, result, error }) => ({ name, result, error }))).toEqual([
      { name: "list_directory", result: "/docs/readme.md\n/docs/todo.txt", error: undefined },
      { name: "read_file", result: "ship remote tools", error: undefined },
      { name: "add", result: { sum: 5 }, error: undefined },
      { name: "fail", result: undefined, error: 'Tool "fail" failed: disk on fire' },
    ]);
    // The model was offered exactly the filtered tools, and got the failure as an error result.
    expect(model.calls[0]?.request.tools?.map((tool) => tool.name)).toEqual(capabilities);
    expect(model.calls[3]?.request.messages.at(-1)).toMatchObject({
      role: "tool",
      content: [
        { toolName: "add", output: { sum: 5 } },
        { toolName: "fail", output: 'Tool "fail" failed: disk on fire', isError: true },
      ],
    });
    expect(
      run
        .journal()
        .map((entry) => entry.name)
        .slice(0, 3),
    ).toEqual(["agent:files:tools:files", "agent:files:llm:0", "agent:files:tool:list_directory:0"]);
    const afterRun = { calls: calls(), lists: server.state.lists };
    expect(afterRun.lists - before.lists).toBe(3); // three pages
    for (const name of capabilities) expect((afterRun.calls[name] ?? 0) - (before.calls[name] ?? 0)).toBe(1);

    // Replayed whole by a fresh worker (a new MCPTool, no cache): no tools/list, no tools/call.
    const journal = run.journal();
    const replay = runDurable(
      journal,
      runHandler(new ScriptedModel([]), mcp({ name: "files", mcpServerUrl: server.url, capabilities })),
    );
    await expect(replay.outcome).resolves.toEqual(outcome);
    expect({ calls: calls(), lists: server.state.lists }).toEqual(afterRun);

    // Cut right after read_file was recorded: only add and fail run again.
    const cut = journal.findIndex((entry) => entry.name === "agent:files:tool:read_file:1") + 1;
    const resumed = runDurable(
      journal.slice(0, cut),
      runHandler(new ScriptedModel(SCRIPT.slice(2)), mcp({ name: "files", mcpServerUrl: server.url, capabilities })),
    );
    await expect(resumed.outcome).resolves.toEqual(outcome);
    expect(server.state.lists).toBe(afterRun.lists);
    expect(calls()).toEqual({
      ...afterRun.calls,
      add: (afterRun.calls.add ?? 0) + 1,
      fail: (afterRun.calls.fail ?? 0) + 1,
    });
  });

  it("caches the tool list until refresh()", async () => {
    const files = mcp({ name: "files", mcpServerUrl: server.url });
    await files.tools();
    const lists = server.state.lists;
    await files.tools();
    expect(server.state.lists).toBe(lists);
    files.refresh();
    await files.tools();
    expect(server.state.lists).toBe(lists + 3);
  });

  it("reconnects when the connection is lost (the server restarted and forgot the session)", async () => {
    const files = mcp({ name: "files", mcpServerUrl: server.url, capabilities: ["add"] });
    const [add] = await files.tools();
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "add", input: { a: 1, b: 1 } }] },
      { text: "2" },
      { toolCalls: [{ toolName: "add", input: { a: 2, b: 2 } }] },
      { text: "4" },
    ]);
    const agent = new Agent({ name: "calc", model, tools: [add!] });
    const noReconnect = mcp({ name: "files", mcpServerUrl: server.url, capabilities: ["add"], maxReconnects: 0 });
    const [addOnce] = await noReconnect.tools();
    const first = await agent.run("1+1");
    await server.stop();
    await server.restart();
    const second = await agent.run("2+2");
    expect(second.toolCalls[0]?.error).toBeUndefined();
    expect([first.toolCalls[0]?.result, second.toolCalls[0]?.result]).toEqual([{ sum: 2 }, { sum: 4 }]);
    // Without reconnecting, the lost session is the call's failure.
    const model2 = new ScriptedModel([{ toolCalls: [{ toolName: "add", input: { a: 3, b: 3 } }] }, { text: "?" }]);
    const third = await new Agent({ name: "calc", model: model2, tools: [addOnce!] }).run("3+3");
    expect(third.toolCalls[0]?.error).toMatch(/^Tool "add" failed: MCP server "files" could not be reached/);
  });

  it("a call past timeoutMs reaches the model as a tool error", async () => {
    const files = mcp({ name: "files", mcpServerUrl: server.url, capabilities: ["slow"], timeoutMs: 50 });
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "slow", input: { ms: 5000 } }] },
      { text: "Too slow." },
    ]);
    const result = await new Agent({ name: "waiter", model, tools: [files] }).run("Wait");
    expect(result.toolCalls[0]?.error).toMatch(/^Tool "slow" failed: MCP server "files": .*Request timed out/);
  });

  it("falls back to SSE for a server that refuses Streamable HTTP", async () => {
    const old = await startMcpHttpServer({ sseOnly: true });
    try {
      const files = mcp({ name: "files", mcpServerUrl: old.url, capabilities: ["read_file"] });
      const model = new ScriptedModel([
        { toolCalls: [{ toolName: "read_file", input: { path: "/docs/readme.md" } }] },
        { text: "It says run npm start." },
      ]);
      const result = await new Agent({ name: "reader", model, tools: [files] }).run("Readme?");
      expect(result.toolCalls[0]?.result).toBe("# Project\nRun npm start.");
      expect(old.state.calls.get("read_file")).toBe(1);
    } finally {
      await old.close();
    }
  });
});

describe("MCPTool over stdio", () => {
  it("starts the server as a child process; an agent's calls are journaled and a replay does not repeat them (counted by the server)", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "mcp-stdio-")), "calls.log");
    writeFileSync(log, "");
    const stdio = () =>
      mcp({
        name: "files",
        command: process.execPath,
        args: [STDIO_SERVER],
        env: { PATH: process.env.PATH ?? "", MCP_CALL_LOG: log },
        capabilities: ["list_directory", "read_file", "add", "fail"],
      });
    const run = runDurable([], runHandler(new ScriptedModel(SCRIPT), stdio()));
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({ type: "completed", value: { status: "completed" } });
    const logged = () => readFileSync(log, "utf8").trim().split("\n");
    expect(logged()).toEqual(["list_directory", "read_file", "add", "fail"]);
    const replay = runDurable(run.journal(), runHandler(new ScriptedModel([]), stdio()));
    await expect(replay.outcome).resolves.toEqual(outcome);
    expect(logged()).toHaveLength(4);
  });
});
