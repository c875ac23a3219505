import { fileURLToPath } from "node:url";
import { Agent, MCPTool, OpenAPITool, registerAgent } from "@agnt5/sdk";
import { exampleModel } from "../model.js";
import type { OfflineRule } from "../offline-model.js";
import { startTodoApi, todoSpec } from "./todo-api.js";

/** The tool results the model was sent so far, oldest first (text or JSON). */
function toolResults(messages: Parameters<OfflineRule>[0]): string[] {
  return messages.flatMap((message) =>
    message.role === "tool"
      ? message.content.map((part) => (typeof part.output === "string" ? part.output : JSON.stringify(part.output)))
      : [],
  );
}

// --- A file assistant on an MCP server -----------------------------------------------------------

/**
 * The seed's `MCPTool(name="filesystem", capabilities=[...])`: the server's tools, filtered, offered to
 * the model at the start of each run (the list journaled as `agent:file_assistant:tools:filesystem`),
 * each call journaled. The server runs as a child process over stdio; `mcpServerUrl` reaches one over HTTP.
 */
const filesystem = new MCPTool({
  name: "filesystem",
  command: process.execPath,
  args: [fileURLToPath(new URL("./files-mcp-server.js", import.meta.url))],
  capabilities: ["list_directory", "read_file"],
});

export const fileAssistant = new Agent({
  name: "file_assistant",
  model: await exampleModel("file_assistant", (messages) => {
    const [listing, content] = toolResults(messages);
    if (listing === undefined) {
      return { toolCalls: [{ toolCallId: "ls-1", toolName: "list_directory", input: { path: "/docs" } }] };
    }
    const first = listing.split("\n")[0] ?? "";
    if (content === undefined) {
      return { toolCalls: [{ toolCallId: "read-1", toolName: "read_file", input: { path: first } }] };
    }
    return { text: `${first} says: ${content}` };
  }),
  instructions: "Answer questions about the workspace's files. List and read them with your tools.",
  tools: [filesystem],
});
registerAgent(fileAssistant);

// --- An API agent on an OpenAPI spec ---------------------------------------------------------------

/** The seed's `OpenAPITool.from_spec(operations=[...])`: one tool per operation, each call journaled. */
const todoTools = await OpenAPITool.fromSpec({
  spec: todoSpec,
  operations: ["listTodos", "createTodo", "getTodo"],
  baseUrl: process.env.AGNT5_EXAMPLE_TODO_API ?? (await startTodoApi()),
});

export const todoAgent = new Agent({
  name: "todo_agent",
  model: await exampleModel("todo_agent", (messages) => {
    const [created, open] = toolResults(messages);
    const title = [...messages].find((message) => message.role === "user")?.content;
    if (created === undefined) {
      return {
        toolCalls: [{ toolCallId: "add-1", toolName: "createTodo", input: { body: { title: String(title) } } }],
      };
    }
    if (open === undefined) {
      return { toolCalls: [{ toolCallId: "open-1", toolName: "listTodos", input: { done: false } }] };
    }
    const titles = (JSON.parse(open) as Array<{ title: string }>).map((todo) => todo.title);
    return { text: `Added. Open todos: ${titles.join("; ")}.` };
  }),
  instructions: "Manage the user's todo list with the API's tools.",
  tools: todoTools,
});
registerAgent(todoAgent);
