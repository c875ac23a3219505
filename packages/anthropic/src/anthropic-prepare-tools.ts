import {
  type JsonSchema,
  LlmInvalidArgumentError,
  type ResponseFormat,
  type ToolChoice,
  type ToolDefinition,
} from "@agnt5/llm";
import type { ToolChoice as AnthropicToolChoice, Tool } from "@anthropic-ai/sdk/resources/messages";

/** The default name of the tool that carries structured output (`responseFormat: { type: "json" }`). */
export const JSON_RESPONSE_TOOL_NAME = "json";

/** How the structured-output tool's input maps back to the JSON value the caller asked for. */
export interface JsonResponseTool {
  name: string;
  /** The caller's schema was not an object, so it was wrapped as `{ value: schema }`. */
  wrapped: boolean;
}

export interface PreparedTools {
  tools: Tool[] | undefined;
  toolChoice: AnthropicToolChoice | undefined;
  /** Set when structured output goes through a forced tool. */
  jsonResponseTool: JsonResponseTool | undefined;
  /** Extra system instruction (structured output without a schema). */
  systemSuffix: string | undefined;
  warnings: string[];
}

export const JSON_WITHOUT_SCHEMA_INSTRUCTION =
  "Respond only with a single valid JSON value. Do not wrap it in Markdown code fences and do not add any text before or after it.";

/**
 * Tools, tool choice and structured output, the Anthropic way. Anthropic's tool-use API is its
 * most reliable JSON mode: with `responseFormat: { type: "json", schema }` we add a tool (named
 * `responseFormat.name` or "json") whose `input_schema` is the schema and force it with
 * `tool_choice`; the tool input is the answer. With the caller's own tools present the model must
 * call some tool (`tool_choice: any`): either a real tool or the json tool as its final answer.
 * Without a schema there is nothing to force, so we ask for JSON in the system prompt.
 */
export function prepareTools(options: {
  tools: readonly ToolDefinition[] | undefined;
  toolChoice: ToolChoice | undefined;
  responseFormat: ResponseFormat | undefined;
  disableParallelToolUse: boolean | undefined;
  /** The provider's name, for errors. */
  provider?: string;
}): PreparedTools {
  const provider = options.provider ?? "anthropic";
  const warnings: string[] = [];
  const tools: Tool[] = (options.tools ?? []).map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.inputSchema as Tool.InputSchema,
  }));
  const choice = options.toolChoice;
  if (typeof choice === "object" && !tools.some((tool) => tool.name === choice.toolName)) {
    throw new LlmInvalidArgumentError(`toolChoice names "${choice.toolName}", which is not among the tools`, {
      provider,
    });
  }
  let toolChoice = tools.length > 0 ? mapToolChoice(options.toolChoice) : undefined;
  let jsonResponseTool: JsonResponseTool | undefined;
  let systemSuffix: string | undefined;

  const format = options.responseFormat;
  if (format?.type === "json") {
    if (format.schema === undefined) {
      systemSuffix = JSON_WITHOUT_SCHEMA_INSTRUCTION;
    } else {
      const name = format.name ?? JSON_RESPONSE_TOOL_NAME;
      if (tools.some((tool) => tool.name === name)) {
        throw new LlmInvalidArgumentError(
          `responseFormat uses a tool named "${name}" for structured output, and tools already has one; set responseFormat.name`,
          { provider },
        );
      }
      const wrapped = format.schema.type !== "object";
      tools.push({
        name,
        description: format.description ?? "Respond with a JSON object that matches this schema.",
        input_schema: (wrapped ? wrapSchema(format.schema) : format.schema) as Tool.InputSchema,
      });
      jsonResponseTool = { name, wrapped };
      if (tools.length === 1) {
        if (options.toolChoice !== undefined && options.toolChoice !== "required") {
          warnings.push("toolChoice was ignored: structured output forces the json response tool");
        }
        toolChoice = { type: "tool", name };
      } else {
        if (options.toolChoice !== undefined && options.toolChoice !== "required") {
          warnings.push("toolChoice was ignored: with structured output and tools, the model must call a tool");
        }
        toolChoice = { type: "any" };
      }
    }
  }

  if (options.disableParallelToolUse && toolChoice !== undefined && toolChoice.type !== "none") {
    toolChoice = { ...toolChoice, disable_parallel_tool_use: true };
  }

  return { tools: tools.length > 0 ? tools : undefined, toolChoice, jsonResponseTool, systemSuffix, warnings };
}

function mapToolChoice(choice: ToolChoice | undefined): AnthropicToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice === "auto") return { type: "auto" };
  if (choice === "required") return { type: "any" };
  if (choice === "none") return { type: "none" };
  return { type: "tool", name: choice.toolName };
}

/** Anthropic tool inputs are objects, so a non-object schema travels as `{ value: schema }`. */
function wrapSchema(schema: JsonSchema): JsonSchema {
  const { $schema, ...rest } = schema;
  return {
    ...($schema === undefined ? {} : { $schema }),
    type: "object",
    properties: { value: rest },
    required: ["value"],
    additionalProperties: false,
  };
}

/** The JSON value the caller asked for, from the json tool's input. */
export function unwrapJsonResponse(tool: JsonResponseTool, input: unknown): unknown {
  if (!tool.wrapped) return input;
  return typeof input === "object" && input !== null ? (input as { value?: unknown }).value : undefined;
}
