// An MCP server for tests and the example, built with the SDK's server side: a small in-memory file
// system (list_directory, read_file, write_file), `add` (structured content), `fail` (an isError
// result), `slow` (answers after `ms`). tools/list is paginated, two tools a page. Each call is
// counted in `calls` and, when MCP_CALL_LOG names a file, appended to it (counted outside the client).
// Run as a script, it serves over stdio.
import { appendFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const TOOLS = [
  {
    name: "list_directory",
    description: "List the files in a directory",
    inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
  {
    name: "read_file",
    description: "Read a text file",
    inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
  {
    name: "write_file",
    description: "Write a text file",
    inputSchema: {
      type: "object",
      properties: { path: { type: "string" }, content: { type: "string" } },
      required: ["path", "content"],
    },
  },
  {
    name: "add",
    description: "Add two numbers",
    inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    outputSchema: { type: "object", properties: { sum: { type: "number" } }, required: ["sum"] },
  },
  { name: "fail", description: "Always fails", inputSchema: { type: "object", properties: {} } },
  {
    name: "slow",
    description: "Answers after ms milliseconds",
    inputSchema: { type: "object", properties: { ms: { type: "number" } }, required: ["ms"] },
  },
];
const PAGE = 2;

/** The shared state of one server process: files and call counts. */
export function createFilesState() {
  return {
    files: new Map([
      ["/docs/readme.md", "# Project\nRun npm start."],
      ["/docs/todo.txt", "ship remote tools"],
    ]),
    /** Calls by tool name. */
    calls: new Map(),
    /** tools/list requests. */
    lists: 0,
  };
}

/** A fresh MCP Server over `state` (one per HTTP session; the state is shared). */
export function createFilesServer(state) {
  const server = new Server({ name: "files", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    state.lists++;
    const start = Number(request.params?.cursor ?? 0);
    const next = start + PAGE;
    return { tools: TOOLS.slice(start, next), ...(next < TOOLS.length ? { nextCursor: String(next) } : {}) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    state.calls.set(name, (state.calls.get(name) ?? 0) + 1);
    if (process.env.MCP_CALL_LOG) appendFileSync(process.env.MCP_CALL_LOG, `${name}\n`);
    const text = (value) => ({ content: [{ type: "text", text: value }] });
    switch (name) {
      case "list_directory": {
        const prefix = `${String(args.path).replace(/\/$/, "")}/`;
        return text([...state.files.keys()].filter((path) => path.startsWith(prefix)).join("\n"));
      }
      case "read_file": {
        const content = state.files.get(String(args.path));
        if (content === undefined) return { ...text(`No such file: ${args.path}`), isError: true };
        return text(content);
      }
      case "write_file":
        state.files.set(String(args.path), String(args.content));
        return text(`Wrote ${String(args.content).length} characters to ${args.path}`);
      case "add": {
        const sum = Number(args.a) + Number(args.b);
        return { ...text(String(sum)), structuredContent: { sum } };
      }
      case "fail":
        return { ...text("disk on fire"), isError: true };
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, Number(args.ms)));
        return text(`done after ${args.ms} ms`);
      default:
        return { ...text(`Unknown tool ${name}`), isError: true };
    }
  });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  await createFilesServer(createFilesState()).connect(new StdioServerTransport());
}
