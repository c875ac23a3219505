/**
 * CallOptions → the body of a Converse / ConverseStream request (everything but `modelId`).
 *
 * Structured output (`responseFormat: { type: "json" }`) uses a forced tool by default: a tool named
 * `json_response` whose input schema is the requested schema, chosen with `toolChoice: { tool }` (or
 * `{ any: {} }` when the caller's own tools are offered too). Its input comes back as the text of the
 * answer, never as a tool call, and the finish reason is "stop". Without a schema the tool takes any
 * JSON object. `providerOptions.bedrock.structuredOutputMode: "native"` asks for Converse's
 * `outputConfig.textFormat` json_schema instead, on the models that support it.
 */
import { type CallOptions, type JsonSchema, LlmInvalidArgumentError, type ToolChoice } from "@agnt5/llm";
import type {
  ConverseRequest,
  ToolChoice as ConverseToolChoice,
  InferenceConfiguration,
  Tool,
  ToolConfiguration,
  ToolInputSchema,
} from "@aws-sdk/client-bedrock-runtime";
import { toConverseMessages } from "./bedrock-converse-messages.js";
import { type BedrockProviderOptions, readBedrockProviderOptions } from "./bedrock-converse-options.js";

/** The name of the forced tool that carries structured output. */
export const JSON_RESPONSE_TOOL_NAME = "json_response";

export type ConverseRequestBody = Omit<ConverseRequest, "modelId" | "guardrailConfig"> & {
  guardrailConfig?: BedrockProviderOptions["guardrailConfig"];
};

export interface PreparedConverseRequest {
  body: ConverseRequestBody;
  /** Set when structured output rides on the forced tool: its calls are the answer's text. */
  jsonToolName: string | undefined;
  warnings: string[];
}

export function prepareConverseRequest(options: CallOptions, providerName: string): PreparedConverseRequest {
  const warnings: string[] = [];
  const providerOptions = readBedrockProviderOptions(options.providerOptions, providerName);
  const { system, messages } = toConverseMessages(options.messages);

  const hasToolBlocks = messages.some((message) =>
    message.content?.some((block) => block.toolUse !== undefined || block.toolResult !== undefined),
  );

  let tools: Tool[] = (options.tools ?? []).map((tool) => ({
    toolSpec: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: { json: tool.inputSchema as ToolInputSchema.JsonMember["json"] },
    },
  }));
  const choice = options.toolChoice;
  if (typeof choice === "object" && !tools.some((tool) => tool.toolSpec?.name === choice.toolName)) {
    throw new LlmInvalidArgumentError(`toolChoice names "${choice.toolName}", which is not among the tools`, {
      provider: providerName,
    });
  }
  let toolChoice: ConverseToolChoice | undefined = toConverseToolChoice(options.toolChoice);

  if (options.toolChoice === "none" && tools.length > 0) {
    if (hasToolBlocks) {
      // Converse rejects toolUse/toolResult blocks without a toolConfig, and has no "none" choice.
      warnings.push('toolChoice "none" is not supported by Bedrock Converse: the tools are sent with no tool choice');
    } else {
      tools = [];
    }
  }

  let jsonToolName: string | undefined;
  let outputConfig: ConverseRequest["outputConfig"];
  const format = options.responseFormat;
  if (format?.type === "json") {
    const schema: JsonSchema = format.schema ?? { type: "object", additionalProperties: true };
    if (providerOptions.structuredOutputMode === "native") {
      outputConfig = {
        textFormat: {
          type: "json_schema",
          structure: {
            jsonSchema: {
              schema: JSON.stringify(schema),
              name: format.name ?? "response",
              ...(format.description === undefined ? {} : { description: format.description }),
            },
          },
        },
      };
    } else {
      jsonToolName = JSON_RESPONSE_TOOL_NAME;
      if (tools.some((tool) => tool.toolSpec?.name === jsonToolName)) {
        throw new LlmInvalidArgumentError(
          `the tool name "${jsonToolName}" is reserved for structured output on Bedrock`,
          { provider: providerName },
        );
      }
      const offersOtherTools = tools.length > 0;
      tools = [
        ...tools,
        {
          toolSpec: {
            name: jsonToolName,
            description:
              format.description ??
              `Respond with ${format.name === undefined ? "the answer" : `the ${format.name}`} as JSON by calling this tool; its input is the answer.`,
            inputSchema: { json: schema as ToolInputSchema.JsonMember["json"] },
          },
        },
      ];
      toolChoice = offersOtherTools ? { any: {} } : { tool: { name: jsonToolName } };
      if (options.toolChoice !== undefined && options.toolChoice !== "auto") {
        warnings.push("toolChoice is overridden by responseFormat json (a forced tool call on Bedrock)");
      }
    }
  }

  const toolConfig: ToolConfiguration | undefined =
    tools.length === 0 ? undefined : { tools, ...(toolChoice === undefined ? {} : { toolChoice }) };

  const inferenceConfig: InferenceConfiguration = {};
  if (options.maxOutputTokens !== undefined) inferenceConfig.maxTokens = options.maxOutputTokens;
  if (options.temperature !== undefined) inferenceConfig.temperature = options.temperature;
  if (options.topP !== undefined) inferenceConfig.topP = options.topP;
  if (options.stopSequences !== undefined && options.stopSequences.length > 0) {
    inferenceConfig.stopSequences = options.stopSequences;
  }
  if (options.seed !== undefined) warnings.push("seed is not supported by Bedrock Converse and was ignored");

  const body: ConverseRequestBody = { messages };
  if (system.length > 0) body.system = system;
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  if (outputConfig !== undefined) body.outputConfig = outputConfig;
  if (providerOptions.additionalModelRequestFields !== undefined) {
    body.additionalModelRequestFields =
      providerOptions.additionalModelRequestFields as ConverseRequest["additionalModelRequestFields"];
  }
  if (providerOptions.guardrailConfig !== undefined) body.guardrailConfig = providerOptions.guardrailConfig;
  if (providerOptions.performanceConfig !== undefined) body.performanceConfig = providerOptions.performanceConfig;
  if (providerOptions.requestMetadata !== undefined) body.requestMetadata = providerOptions.requestMetadata;
  if (providerOptions.serviceTier !== undefined) body.serviceTier = providerOptions.serviceTier;
  return { body, jsonToolName, warnings };
}

function toConverseToolChoice(choice: ToolChoice | undefined): ConverseToolChoice | undefined {
  if (choice === undefined || choice === "none") return undefined;
  if (choice === "auto") return { auto: {} };
  if (choice === "required") return { any: {} };
  return { tool: { name: choice.toolName } };
}
