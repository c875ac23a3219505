import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));
const BLOCK = fileURLToPath(new URL("./test-support/block-mcp-sdk.mjs", import.meta.url));

// The built package (the test task runs after the build), in a process where importing the MCP SDK fails.
const SCRIPT = `
const adk = await import("@agnt5/adk");
const { z } = await import("zod");
const ping = adk.tool({ name: "ping", description: "Ping", input: z.object({}) }, () => "pong");
const agent = new adk.Agent({ name: "a", model: "openai/gpt-4o-mini", tools: [ping] });
const mcp = new adk.MCPTool({ name: "files", mcpServerUrl: "http://127.0.0.1:9/mcp" });
console.log("loaded", agent.tools.length, mcp.name);
await mcp.tools().catch((error) => console.log("on use:", error.message));
`;

describe("the MCP SDK is loaded lazily", () => {
  it("importing @agnt5/adk and defining agents and MCPTools does not load it; using an MCPTool does", async () => {
    const { stdout } = await run(process.execPath, ["--import", BLOCK, "--input-type=module", "-e", SCRIPT], {
      cwd: PACKAGE,
    });
    expect(stdout).toBe("loaded 1 files\non use: blocked import: @modelcontextprotocol/sdk/client/index.js\n");
  });
});
