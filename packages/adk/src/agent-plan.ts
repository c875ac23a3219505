import { toJsonSchema } from "@agnt5/core";
import { parseStructuredOutput } from "@agnt5/llm";
import { z } from "zod";
import type { Agent } from "./agent.js";
import { callModel, modelResolver, modelStepError } from "./agent-model-call.js";
import type { AgentRuntime } from "./agent-runtime.js";
import type { AgentPlan, PlanStep } from "./agent-types.js";

const planSchema = z.object({
  steps: z.array(
    z.object({
      type: z.enum(["tool", "reasoning", "response"]),
      description: z.string(),
      tool: z.string().optional().describe("The tool's name, for steps of type tool"),
    }),
  ),
});

/**
 * agent.plan(input): one model call (journaled as `agent:<name>:plan:<n>` inside a durable context)
 * asking for the steps the agent would take, with its tools described in the prompt but not offered
 * as tools, so nothing runs. Tool names the agent does not have are dropped from their step.
 */
export async function planAgentRun(agent: Agent<any>, input: string, runtime: AgentRuntime): Promise<AgentPlan> {
  const ordinal = runtime.nextRunOrdinal(`${agent.name}:plan`);
  const tools = new Map(agent.tools.map((tool) => [tool.name, tool]));
  const catalogue = agent.tools.map((tool) => `- ${tool.name}: ${tool.description}`).join("\n") || "(no tools)";
  const resolve = modelResolver(agent.model, agent.registry);
  const answer = await runtime.step(
    `agent:${agent.name}:plan:${ordinal}`,
    async () => {
      try {
        return await callModel(
          await resolve(),
          {
            messages: [
              ...(agent.instructions ? [{ role: "system" as const, content: agent.instructions }] : []),
              {
                role: "user",
                content:
                  "Do not do the task yet. List the steps you would take to do it, as JSON " +
                  '{"steps":[{"type":"tool"|"reasoning"|"response","description":"...","tool":"<tool name, for tool steps>"}]}.\n' +
                  `Your tools:\n${catalogue}\n\nThe task:\n${input}`,
              },
            ],
            responseFormat: { type: "json", schema: toJsonSchema(planSchema), name: "plan" },
            abortSignal: runtime.abortSignal,
          },
          runtime.journaled ? 0 : 2,
          undefined,
        );
      } catch (error) {
        throw modelStepError(error, runtime.abortSignal);
      }
    },
    agent.modelRetry,
  );
  const parsed = parseStructuredOutput(planSchema, answer.text);
  const steps: PlanStep[] = parsed.steps.map((step) => {
    const tool = step.tool === undefined ? undefined : tools.get(step.tool);
    return {
      type: step.type,
      description: step.description,
      ...(tool ? { tool: { name: tool.name, description: tool.description } } : {}),
    };
  });
  return { agent: agent.name, steps };
}
