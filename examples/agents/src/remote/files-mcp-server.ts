// A small MCP server for the file assistant: an in-memory workspace behind list_directory,
// read_file and write_file, spoken to over stdio (the worker starts it as a child process). Built
// with the MCP SDK's server side; any MCP server works the same way (e.g. over Streamable HTTP
// with `mcpServerUrl`).
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const files = new Map<string, string>([
  ["/docs/release-notes.md", "v1.2: remote tools (MCP, OpenAPI, hosted) with every call journaled."],
  ["/docs/todo.md", "Write the migration guide."],
]);

const pathInput = { type: "object", properties: { path: { type: "string" } }, required: ["path"] };

const server = new Server({ name: "workspace-files", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "list_directory", description: "List the files under a directory", inputSchema: pathInput },
    { name: "read_file", description: "Read a text file", inputSchema: pathInput },
    {
      name: "write_file",
      description: "Write a text file",
      inputSchema: {
        type: "object",
        properties: { path: { type: "string" }, content: { type: "string" } },
        required: ["path", "content"],
      },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = (request.params.arguments ?? {}) as { path?: string; content?: string };
  const text = (value: string, isError = false) => ({ content: [{ type: "text" as const, text: value }], isError });
  switch (request.params.name) {
    case "list_directory": {
      const prefix = `${String(args.path).replace(/\/$/, "")}/`;
      return text([...files.keys()].filter((path) => path.startsWith(prefix)).join("\n"));
    }
    case "read_file": {
      const content = files.get(String(args.path));
      return content === undefined ? text(`No such file: ${args.path}`, true) : text(content);
    }
    case "write_file":
      files.set(String(args.path), String(args.content));
      return text(`Wrote ${args.path}`);
    default:
      return text(`Unknown tool ${request.params.name}`, true);
  }
});
await server.connect(new StdioServerTransport());
