import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The API agent's OpenAPI 3.1 document: a todo list ($refs, a path parameter, a query parameter, a JSON body). */
export const todoSpec = {
  openapi: "3.1.0",
  info: { title: "Todos", version: "1.0.0" },
  paths: {
    "/todos": {
      get: {
        operationId: "listTodos",
        summary: "List todos",
        parameters: [{ name: "done", in: "query", schema: { type: "boolean" } }],
        responses: { "200": { description: "The todos" } },
      },
      post: {
        operationId: "createTodo",
        summary: "Add a todo",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/NewTodo" } } },
        },
        responses: { "201": { description: "Created" } },
      },
    },
    "/todos/{id}": {
      get: {
        operationId: "getTodo",
        summary: "One todo",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
        responses: { "200": { description: "The todo" }, "404": { description: "No such todo" } },
      },
    },
  },
  components: {
    schemas: {
      NewTodo: {
        type: "object",
        required: ["title"],
        properties: { title: { type: "string" }, done: { type: "boolean" } },
      },
    },
  },
};

/**
 * The todo API itself, so the example runs offline: started by the worker on a free local port. A real
 * deployment points `baseUrl` (or the spec's servers) at its API instead.
 */
export async function startTodoApi(): Promise<string> {
  const todos: Array<{ id: number; title: string; done: boolean }> = [
    { id: 1, title: "Try the agents example", done: true },
  ];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    const one = /^\/todos\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && one) {
      const todo = todos.find((entry) => entry.id === Number(one[1]));
      return todo ? send(200, todo) : send(404, { error: `No todo ${one[1]}` });
    }
    if (req.method === "GET" && url.pathname === "/todos") {
      const done = url.searchParams.get("done");
      return send(200, done === null ? todos : todos.filter((todo) => String(todo.done) === done));
    }
    if (req.method === "POST" && url.pathname === "/todos") {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { title?: string; done?: boolean };
      if (typeof body.title !== "string") return send(400, { error: "title is required" });
      // The same title twice is one todo: a retried call does not add it again.
      const existing = todos.find((todo) => todo.title === body.title);
      if (existing) return send(200, existing);
      const todo = { id: todos.length + 1, title: body.title, done: body.done ?? false };
      todos.push(todo);
      return send(201, todo);
    }
    send(404, { error: "No route" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
