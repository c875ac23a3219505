import { type JsonSchema, type Logger, silentLogger, TerminalError } from "@agnt5/core";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Tool, type ToolContext } from "../tool.js";
import type { RemoteToolDefinition, ToolSource } from "./tool-source.js";

export interface MCPToolOptions {
  /** Names the server's tool list in the journal (`agent:<agent>:tools:<name>`); unique among an agent's sources. */
  name: string;
  /** A Streamable HTTP endpoint ("http://localhost:3000/mcp"); older servers answering only SSE are reached over SSE. */
  mcpServerUrl?: string;
  /** Or a server started as a child process, spoken to over stdio. */
  command?: string;
  args?: readonly string[];
  /** The child's environment (default: the SDK's safe subset of this process's: PATH, HOME, ...). */
  env?: Record<string, string>;
  cwd?: string;
  /** The server's tools the agent may call (default: all). A name the server does not have is an error naming it. */
  capabilities?: readonly string[];
  /** Sent with every HTTP request (auth); never logged. */
  headers?: Record<string, string>;
  /** "auto" (default): Streamable HTTP, then SSE when the server refuses it. */
  transport?: "auto" | "streamable-http" | "sse";
  /** How long one call may take (default: the SDK's 60 s); past it the model is told the call timed out. */
  timeoutMs?: number;
  /** Reconnections per request when the connection is lost (default 2). */
  maxReconnects?: number;
  /**
   * Keep the server's tool list after the first listing (default true): each run still journals the
   * list it offered. refresh() drops it; false lists on every run.
   */
  cacheToolsList?: boolean;
  logger?: Logger;
}

type Sdk = {
  Client: typeof import("@modelcontextprotocol/sdk/client/index.js").Client;
  McpError: typeof import("@modelcontextprotocol/sdk/types.js").McpError;
};

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * An MCP server's tools for an agent (the seed's `MCPTool(name, mcp_server_url, capabilities)`), on the
 * official MCP TypeScript SDK, loaded only when a server is first reached. Put it in an agent's `tools`:
 * at the start of each run its tools are listed (every page), filtered by `capabilities` and journaled,
 * then offered to the model; each call is `callTool`, journaled like any tool run, so a replay neither
 * lists nor calls again. A result with `isError` reaches the model as a tool error with the server's
 * text; `structuredContent` is the result when the server gives it, otherwise the text (or the content
 * parts when not all text). A lost connection is re-established and the request sent again.
 */
export class MCPTool implements ToolSource {
  readonly kind = "tool-source" as const;
  readonly name: string;
  readonly #options: MCPToolOptions;
  readonly #logger: Logger;
  #client: Promise<Client> | undefined;
  #cached: RemoteToolDefinition[] | undefined;

  constructor(options: MCPToolOptions) {
    if (typeof options?.name !== "string" || !TOOL_NAME.test(options.name)) {
      throw definitionError(
        `An MCPTool needs a name of 1-64 letters, digits, "_" or "-", got ${JSON.stringify(options?.name)}`,
      );
    }
    if ((options.mcpServerUrl === undefined) === (options.command === undefined)) {
      throw definitionError(`MCPTool "${options.name}" needs exactly one of mcpServerUrl (HTTP) or command (stdio)`);
    }
    if (options.mcpServerUrl !== undefined && !URL.canParse(options.mcpServerUrl)) {
      throw definitionError(
        `MCPTool "${options.name}": mcpServerUrl is not a URL: ${JSON.stringify(options.mcpServerUrl)}`,
      );
    }
    this.name = options.name;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The server's tools as agent tools (listed now unless cached): for generate() or a run's `tools`. */
  async tools(options: { abortSignal?: AbortSignal } = {}): Promise<Tool[]> {
    const definitions = await this.listToolDefinitions({
      abortSignal: options.abortSignal ?? new AbortController().signal,
    });
    return this.toolsFrom(definitions);
  }

  /** Drops the cached tool list: the next run lists the server's tools again. */
  refresh(): void {
    this.#cached = undefined;
  }

  /** Closes the connection (a stdio server's process ends); the next use connects again. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.then((connected) => connected.close()).catch(() => {});
  }

  async listToolDefinitions(options: { abortSignal: AbortSignal }): Promise<RemoteToolDefinition[]> {
    if (this.#cached !== undefined && this.#options.cacheToolsList !== false) return this.#cached;
    const listed: RemoteToolDefinition[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#request((client) =>
        client.listTools(cursor === undefined ? {} : { cursor }, { signal: options.abortSignal }),
      );
      for (const tool of page.tools) {
        listed.push({
          name: tool.name,
          description: tool.description ?? tool.title ?? tool.name,
          inputSchema: tool.inputSchema as JsonSchema,
          meta: { mcpName: tool.name },
        });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    const selected = this.#select(listed);
    this.#cached = selected;
    return selected;
  }

  toolsFrom(definitions: readonly RemoteToolDefinition[]): Tool[] {
    return definitions.map(
      (definition) =>
        new Tool({
          name: definition.name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64),
          description: definition.description,
          inputSchema: definition.inputSchema,
          handler: (input: Record<string, unknown>, ctx: ToolContext) =>
            this.#call(String(definition.meta?.mcpName ?? definition.name), input, ctx),
        }),
    );
  }

  #select(listed: RemoteToolDefinition[]): RemoteToolDefinition[] {
    const wanted = this.#options.capabilities;
    if (wanted === undefined) return listed;
    const byName = new Map(listed.map((definition) => [definition.name, definition]));
    return wanted.map((name) => {
      const definition = byName.get(name);
      if (definition === undefined) {
        throw definitionError(
          `MCP server "${this.name}" has no tool "${name}" (capabilities); its tools: ${[...byName.keys()].join(", ") || "none"}`,
        );
      }
      return definition;
    });
  }

  async #call(mcpName: string, input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const result = await this.#request((client) =>
      client.callTool({ name: mcpName, arguments: input ?? {} }, undefined, {
        signal: ctx.abortSignal,
        ...(this.#options.timeoutMs === undefined ? {} : { timeout: this.#options.timeoutMs }),
      }),
    );
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    const text = content.every((part) => part.type === "text")
      ? content.map((part) => part.text).join("\n")
      : undefined;
    if (result.isError === true) {
      // What the server said went wrong, as the model's tool error; retrying the same call cannot help.
      throw new TerminalError(text ?? JSON.stringify(content), { code: "MCP_TOOL_ERROR" });
    }
    if (result.structuredContent !== undefined) return result.structuredContent;
    if ("toolResult" in result) return result.toolResult; // protocol 2024-10-07 servers
    return text ?? content;
  }

  /** Runs `request` on the connection; a lost connection is re-established and the request sent again. */
  async #request<T>(request: (client: Client) => Promise<T>): Promise<T> {
    const sdk = await loadSdk();
    const reconnects = this.#options.maxReconnects ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(await this.#connect(sdk));
      } catch (error) {
        if (error instanceof sdk.McpError && !isConnectionLoss(error)) {
          // The server answered (bad arguments, unknown tool, a timeout): a protocol error, not a lost connection.
          throw new TerminalError(`MCP server "${this.name}": ${error.message}`, { code: "MCP_ERROR" });
        }
        if (isAbort(error) || attempt >= reconnects) throw connectionError(this.name, error);
        this.#logger.warn(
          { server: this.name, attempt: attempt + 1, error: (error as Error)?.message },
          "MCP connection lost; reconnecting",
        );
        await this.close();
      }
    }
  }

  #connect(sdk: Sdk): Promise<Client> {
    if (this.#client === undefined) {
      const connecting = this.#open(sdk);
      this.#client = connecting;
      connecting.catch(() => {
        if (this.#client === connecting) this.#client = undefined;
      });
    }
    return this.#client;
  }

  async #open(sdk: Sdk): Promise<Client> {
    const options = this.#options;
    const client = new sdk.Client({ name: `agnt5-${this.name}`, version: "1.0.0" });
    if (options.command !== undefined) {
      const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
      await client.connect(
        new StdioClientTransport({
          command: options.command,
          args: [...(options.args ?? [])],
          ...(options.env === undefined ? {} : { env: options.env }),
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
          stderr: "inherit",
        }),
      );
      return client;
    }
    const url = new URL(options.mcpServerUrl as string);
    const requestInit: RequestInit = options.headers === undefined ? {} : { headers: options.headers };
    const mode = options.transport ?? "auto";
    if (mode !== "sse") {
      const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
      try {
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit }));
        return client;
      } catch (error) {
        if (mode === "streamable-http" || !refusesStreamableHttp(error)) throw error;
        this.#logger.info({ server: this.name }, "MCP server refuses Streamable HTTP; using SSE");
      }
    }
    const { SSEClientTransport } = await import("@modelcontextprotocol/sdk/client/sse.js");
    const sseClient = new sdk.Client({ name: `agnt5-${this.name}`, version: "1.0.0" });
    await sseClient.connect(new SSEClientTransport(url, { requestInit }));
    return sseClient;
  }
}

let sdkModules: Promise<Sdk> | undefined;

/** The SDK, imported on first use: a worker without MCP tools never loads it (nor the HTTP framework it pulls in). */
function loadSdk(): Promise<Sdk> {
  sdkModules ??= Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]).then(([client, types]) => ({ Client: client.Client, McpError: types.McpError }));
  return sdkModules;
}

/** The SDK's advice for the fallback: a 4xx to the initializing POST means an older (SSE-only) server. */
function refusesStreamableHttp(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" && code >= 400 && code < 500;
}

function isConnectionLoss(error: { code?: unknown }): boolean {
  return error.code === -32000; // ErrorCode.ConnectionClosed
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string })?.name === "AbortError";
}

function connectionError(server: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  // Not terminal: the call's journal entry may retry it per the tool's policy.
  return new Error(`MCP server "${server}" could not be reached: ${message}`, { cause: error });
}

function definitionError(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_DEFINITION" });
}
