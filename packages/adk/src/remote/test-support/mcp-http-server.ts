import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-expect-error: a plain .mjs module (the stdio server script), no declarations
import { createFilesServer, createFilesState } from "./mcp-files-server.mjs";

export type FilesState = {
  files: Map<string, string>;
  calls: Map<string, number>;
  lists: number;
};

export interface McpHttpServer {
  url: string;
  state: FilesState;
  /** Stops listening and drops every session (a server restart loses them). */
  stop(): Promise<void>;
  /** Listens again on the same port with no sessions (the state is kept). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The files MCP server over HTTP on a random port: Streamable HTTP with sessions at /mcp, or (sseOnly)
 * only the older SSE transport (GET /mcp opens the stream, POST /messages carries requests; POST /mcp is refused).
 */
export async function startMcpHttpServer(options: { sseOnly?: boolean } = {}): Promise<McpHttpServer> {
  const state: FilesState = createFilesState();
  let sessions = new Map<string, StreamableHTTPServerTransport>();
  let sseSessions = new Map<string, SSEServerTransport>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (options.sseOnly) {
      if (req.method === "GET" && url.pathname === "/mcp") {
        const transport = new SSEServerTransport("/messages", res);
        sseSessions.set(transport.sessionId, transport);
        await createFilesServer(state).connect(transport);
        return;
      }
      if (req.method === "POST" && url.pathname === "/messages") {
        const transport = sseSessions.get(url.searchParams.get("sessionId") ?? "");
        if (!transport) return void res.writeHead(404).end();
        return transport.handlePostMessage(req, res);
      }
      return void res.writeHead(405).end();
    }
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (transport === undefined) {
      if (typeof sessionId === "string") {
        res.writeHead(404, { "content-type": "application/json" });
        return void res.end(
          JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }),
        );
      }
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, created);
        },
      });
      transport = created;
      await createFilesServer(state).connect(transport);
    }
    await transport.handleRequest(req, res);
  };

  let server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const stop = async () => {
    for (const transport of [...sessions.values(), ...sseSessions.values()]) await transport.close().catch(() => {});
    sessions = new Map();
    sseSessions = new Map();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    state,
    stop,
    async restart() {
      server = createServer((req, res) => void handle(req, res));
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    },
    close: stop,
  };
}
