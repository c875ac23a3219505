import { z } from "zod";
import type { Agent } from "./agent.js";
import { Tool, type ToolContext } from "./tool.js";

const handoffInput = z.object({
  reason: z.string().optional().describe("Why the conversation is handed over (recorded with the call)"),
});

export interface AgentToolOptions {
  /** The specialist that takes the conversation over. */
  targetAgent: Agent<any>;
  /** Default: the target agent's name. */
  name?: string;
  /** Default: "Hand the conversation over to <name>", with the target's instructions' first line. */
  description?: string;
}

/**
 * A handoff (the seed's `AgentTool(target_agent=...)`): when the model calls it, the target agent
 * takes the conversation over (it sees the conversation's text, not the caller's tool traffic), and
 * its answer is the run's answer. Run outside an agent loop (ctx.tools, a direct call), it runs the
 * target and returns its output, like agent.asTool().
 */
export class AgentTool extends Tool<z.output<typeof handoffInput>, unknown> {
  readonly targetAgent: Agent<any>;

  constructor(options: AgentToolOptions) {
    const target = options.targetAgent;
    const name = options.name ?? target.name;
    const summary = target.instructions?.trim().split("\n")[0]?.trim();
    super(
      {
        name,
        description:
          options.description ?? `Hand the conversation over to ${target.name}${summary ? `: ${summary}` : ""}`,
        inputSchema: { type: "object", properties: { reason: { type: "string" } } },
        handler: (input, ctx) => runAsTool(target, input.reason ?? "", ctx),
      },
      handoffInput,
    );
    this.targetAgent = target;
  }
}

/**
 * An agent as a plain tool: the model sends `{ input }`, the agent runs (inside the caller's tool
 * entry, so its own calls are not journaled one by one: the entry records its answer) and its output
 * is the tool's result. A run that does not complete is a tool error the caller's model sees.
 */
export function agentAsTool(agent: Agent<any>, options: { name?: string; description?: string } = {}): Tool {
  const name = options.name ?? agent.name;
  const summary = agent.instructions?.trim().split("\n")[0]?.trim();
  return new Tool<{ input: string }, unknown>({
    name,
    description: options.description ?? `Ask ${agent.name}${summary ? ` (${summary})` : ""}; returns its answer`,
    inputSchema: {
      type: "object",
      properties: { input: { type: "string", description: `The request for ${agent.name}` } },
      required: ["input"],
    },
    handler: ({ input }, ctx) => runAsTool(agent, input, ctx),
  });
}

async function runAsTool(agent: Agent<any>, input: string, ctx: ToolContext): Promise<unknown> {
  const result = await agent.run(input, { runId: ctx.runId, abortSignal: ctx.abortSignal });
  if (result.status === "completed") return result.output;
  const reason = result.status === "failed" ? result.error.message : result.status.replace("_", " ");
  throw new Error(`Agent "${agent.name}" did not answer: ${reason}`);
}
