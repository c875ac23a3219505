import type {
  AssistantMessage,
  CallOptions,
  GenerateResult,
  Message,
  ToolCall,
  ToolChoice,
  ToolMessage,
  ToolResultPart,
  Usage,
} from "./language-model-v1/language-model-v1.js";
import { type ModelCallSettings, modelCaller } from "./llm-call-settings.js";
import { type PromptOptions, toMessages } from "./llm-prompt.js";
import { canExecuteAll, executeToolCall, type ToolsOption, toToolDefinitions, toToolSet } from "./llm-tools.js";
import { addUsage, emptyUsage } from "./llm-usage.js";

export interface GenerateTextOptions extends ModelCallSettings, PromptOptions {
  /** Tools by name, or a list of named tools; each input schema is sent as JSON Schema. */
  tools?: ToolsOption;
  toolChoice?: ToolChoice;
  /**
   * Model calls at most (default 1). Above 1, when the model calls tools that all have `execute`,
   * they are run and their results sent back, until the model stops calling tools or the limit is hit.
   */
  maxSteps?: number;
}

/** One model call of generateText, with the results of the tools it called (when they were run). */
export interface GenerateTextStep extends GenerateResult {
  toolResults: ToolResultPart[];
}

/** The last step's result, every step, their summed usage, and the messages to append to the conversation. */
export interface GenerateTextResult extends GenerateTextStep {
  steps: GenerateTextStep[];
  /** Usage of every step (`usage` is the last step's). */
  totalUsage: Usage;
  /** The assistant (and tool) messages this call produced, to append to `messages` for the next turn. */
  responseMessages: Message[];
}

/** How generateText runs a model call and a tool: directly, or as journaled steps (ctx.llm). */
export interface GenerateTextRuntime {
  callModel(options: CallOptions): Promise<GenerateResult>;
  runTool(call: ToolCall, run: () => Promise<ToolResultPart>): Promise<ToolResultPart>;
}

/**
 * Generates text (and tool calls) with retries of retryable errors.
 *
 * @example
 * const { text, usage } = await generateText({ model: "openai/gpt-4o-mini", prompt: "Say hi" });
 */
export function generateText(options: GenerateTextOptions): Promise<GenerateTextResult> {
  const call = modelCaller(options.model, options);
  return runGenerateText(options, {
    callModel: (callOptions) => call((model) => model.generate(callOptions), callOptions.abortSignal),
    runTool: (_call, run) => run(),
  });
}

/**
 * The generateText loop. Nothing is awaited before the first model call, so a durable runtime starts
 * its step synchronously.
 */
export async function runGenerateText(
  options: GenerateTextOptions,
  runtime: GenerateTextRuntime,
): Promise<GenerateTextResult> {
  const { model, system, prompt, messages, tools: listed, maxRetries, maxSteps = 1, registry, ...settings } = options;
  const tools = toToolSet(listed);
  const conversation = toMessages({ system, prompt, messages });
  const definitions = toToolDefinitions(tools);
  const steps: GenerateTextStep[] = [];
  const responseMessages: Message[] = [];
  for (let stepNumber = 1; ; stepNumber++) {
    const result = await runtime.callModel({
      ...settings,
      messages: [...conversation],
      ...(definitions === undefined ? {} : { tools: definitions }),
    });
    const assistant: AssistantMessage = { role: "assistant", content: result.content };
    conversation.push(assistant);
    responseMessages.push(assistant);
    if (stepNumber >= maxSteps || tools === undefined || !canExecuteAll(tools, result.toolCalls)) {
      steps.push({ ...result, toolResults: [] });
      break;
    }
    const toolResults: ToolResultPart[] = [];
    for (const call of result.toolCalls) {
      const execution = { toolCallId: call.toolCallId, messages: [...conversation], abortSignal: settings.abortSignal };
      toolResults.push(await runtime.runTool(call, () => executeToolCall(tools, call, execution)));
    }
    const toolMessage: ToolMessage = { role: "tool", content: toolResults };
    conversation.push(toolMessage);
    responseMessages.push(toolMessage);
    steps.push({ ...result, toolResults });
  }
  const last = steps[steps.length - 1]!;
  return {
    ...last,
    steps,
    totalUsage: steps.reduce((total, step) => addUsage(total, step.usage), emptyUsage()),
    responseMessages,
  };
}
