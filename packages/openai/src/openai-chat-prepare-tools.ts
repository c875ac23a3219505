import { LlmInvalidArgumentError, type ToolChoice, type ToolDefinition } from "@agnt5/llm";
import type { ChatCompletionFunctionTool, ChatCompletionToolChoiceOption } from "openai/resources/chat/completions";

export interface PreparedTools {
  tools: ChatCompletionFunctionTool[] | undefined;
  toolChoice: ChatCompletionToolChoiceOption | undefined;
  warnings: string[];
}

/** ToolDefinitions → function tools (the JSON Schema is sent as `parameters` unchanged). */
export function prepareTools(
  tools: ToolDefinition[] | undefined,
  toolChoice: ToolChoice | undefined,
  strict: boolean | undefined,
  provider?: string,
): PreparedTools {
  if (typeof toolChoice === "object" && !tools?.some((tool) => tool.name === toolChoice.toolName)) {
    throw new LlmInvalidArgumentError(`toolChoice names "${toolChoice.toolName}", which is not among the tools`, {
      ...(provider === undefined ? {} : { provider }),
    });
  }
  if (tools === undefined || tools.length === 0) {
    const warnings = toolChoice === undefined ? [] : ["toolChoice was ignored: no tools were given"];
    return { tools: undefined, toolChoice: undefined, warnings };
  }
  const prepared: ChatCompletionFunctionTool[] = tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.inputSchema as Record<string, unknown>,
      ...(strict === undefined ? {} : { strict }),
    },
  }));
  if (toolChoice === undefined) return { tools: prepared, toolChoice: undefined, warnings: [] };
  if (typeof toolChoice === "string") return { tools: prepared, toolChoice, warnings: [] };
  return {
    tools: prepared,
    toolChoice: { type: "function", function: { name: toolChoice.toolName } },
    warnings: [],
  };
}
