import { type JsonSchema, TerminalError } from "@agnt5/core";
import type { AgentRuntime } from "../agent-runtime.js";
import { Tool } from "../tool.js";

/** A remote tool as a source lists it: plain JSON, so the list can be journaled and replayed. */
export interface RemoteToolDefinition {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  /** What else the source needs to call it (e.g. the MCP server's own tool name). */
  meta?: Record<string, unknown>;
}

/**
 * Something that yields several tools only known at run time (an MCP server's tools). An Agent
 * takes it in `tools` (or `run(input, { tools })`) and expands it when a run starts: the list is
 * journaled as `agent:<name>:tools:<source>` so a replay offers the model the same tools without
 * asking the server again, and each call of one of them is journaled like any tool run.
 */
export interface ToolSource {
  readonly kind: "tool-source";
  /** Names the source's journal entry; unique among an agent's sources. */
  readonly name: string;
  /** Asks the source for its tools now (one entry's worth of work: may reach the network). */
  listToolDefinitions(options: { abortSignal: AbortSignal }): Promise<RemoteToolDefinition[]>;
  /** The tools for a list (live or replayed); calling one reaches the source. */
  toolsFrom(definitions: readonly RemoteToolDefinition[]): Tool[];
}

export function isToolSource(value: unknown): value is ToolSource {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "tool-source" &&
    typeof (value as ToolSource).listToolDefinitions === "function"
  );
}

/**
 * The tools of one run: the agent's fixed tools, the run's extra tools, and every source's tools
 * (listed once per run, in a journal entry). A name offered twice is a definition error naming it.
 */
export async function resolveRunTools(
  agentName: string,
  entries: ReadonlyArray<Tool | ToolSource>,
  runtime: AgentRuntime,
  prefix: string,
): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Map<string, string>();
  const add = (tool: Tool, from: string) => {
    const earlier = seen.get(tool.name);
    if (earlier !== undefined) {
      throw new TerminalError(
        `Agent "${agentName}" is offered two tools named "${tool.name}" (${earlier} and ${from}); filter one out (capabilities / operations) or rename it`,
        { code: "INVALID_DEFINITION" },
      );
    }
    seen.set(tool.name, from);
    tools.push(tool);
  };
  for (const entry of entries) {
    if (!isToolSource(entry)) {
      add(entry, "the agent's tools");
      continue;
    }
    const definitions = await runtime.step(`${prefix}:tools:${entry.name}`, () =>
      entry.listToolDefinitions({ abortSignal: runtime.abortSignal }),
    );
    for (const tool of entry.toolsFrom(definitions)) add(tool, `source "${entry.name}"`);
  }
  return tools;
}

/** Checks what an agent or a run was given as tools: Tool objects or tool sources. */
export function checkToolEntries(agentName: string, entries: ReadonlyArray<unknown>): Array<Tool | ToolSource> {
  return entries.map((entry) => {
    if (entry instanceof Tool || isToolSource(entry) || typeof (entry as Tool)?.validate === "function") {
      return entry as Tool | ToolSource;
    }
    throw new TerminalError(
      `Agent "${agentName}": tools must be Tool objects (tool(), new Tool(), new AgentTool(), agent.asTool(), OpenAPITool.fromSpec(), new HostedTool()) or tool sources (new MCPTool())`,
      { code: "INVALID_DEFINITION" },
    );
  });
}
