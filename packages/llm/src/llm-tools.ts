import { toJsonSchema } from "@agnt5/core";
import type { z } from "zod";
import type { Message, ToolCall, ToolDefinition, ToolResultPart } from "./language-model-v1/language-model-v1.js";
import { invalidArgument } from "./llm-invalid-argument.js";

export interface ToolExecutionOptions {
  toolCallId: string;
  /** The conversation so far, the assistant message with this tool call last. */
  messages: Message[];
  abortSignal?: AbortSignal;
}

/** A tool the model may call: its input as a zod schema (sent as JSON Schema), and optionally how to run it. */
export interface Tool<S extends z.ZodType = z.ZodType, R = unknown> {
  description?: string;
  input: S;
  /** Run by generateText({ maxSteps > 1 }); its result (JSON) goes back to the model. */
  execute?: (input: z.output<S>, options: ToolExecutionOptions) => R | Promise<R>;
}

/** Tools by name, as generateText({ tools }) takes them. */
export type ToolSet = Record<string, Tool<any, any>>;

/** A tool that carries its name (e.g. @agnt5/adk's tools and ctx.tools.register's result). */
export interface NamedTool extends Tool<any, any> {
  readonly name: string;
}

/** What `tools` accepts: tools by name, or a list of named tools (`tools: [search, calculator]`). */
export type ToolsOption = ToolSet | ReadonlyArray<NamedTool>;

/** The tools by name; a list's names must be distinct. */
export function toToolSet(tools: ToolsOption | undefined): ToolSet | undefined {
  if (tools === undefined || !Array.isArray(tools)) return tools as ToolSet | undefined;
  const set: ToolSet = {};
  for (const named of tools as ReadonlyArray<NamedTool>) {
    if (Object.hasOwn(set, named.name)) throw invalidArgument(`Two tools are named "${named.name}"`);
    set[named.name] = named;
  }
  return set;
}

/** Infers `execute`'s input type from `input`: `tool({ input: z.object({ city: z.string() }), execute: ({ city }) => ... })`. */
export function tool<S extends z.ZodType, R = unknown>(definition: Tool<S, R>): Tool<S, R> {
  return definition;
}

/** The contract's tool definitions: each zod input schema as JSON Schema. */
export function toToolDefinitions(tools: ToolsOption | undefined): ToolDefinition[] | undefined {
  const set = toToolSet(tools);
  if (set === undefined) return undefined;
  return Object.entries(set).map(([name, { description, input }]) => ({
    name,
    ...(description === undefined ? {} : { description }),
    inputSchema: toJsonSchema(input),
  }));
}

/** true when every call names a tool that can be run here. */
export function canExecuteAll(tools: ToolSet | undefined, calls: ToolCall[]): boolean {
  return calls.length > 0 && calls.every((call) => typeof tools?.[call.toolName]?.execute === "function");
}

/**
 * Runs one tool call: its input validated with the tool's schema. A failure (invalid input, a thrown
 * error) becomes an error result for the model to see; an abort is thrown.
 */
export async function executeToolCall(
  tools: ToolSet,
  call: ToolCall,
  options: ToolExecutionOptions,
): Promise<ToolResultPart> {
  const base = { type: "tool-result" as const, toolCallId: call.toolCallId, toolName: call.toolName };
  const definition = tools[call.toolName];
  if (!definition?.execute) return { ...base, output: `Unknown tool "${call.toolName}"`, isError: true };
  const schema: z.ZodType = definition.input;
  const parsed = schema.safeParse(call.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join(".") || "input"}: ${issue.message}`,
    );
    return { ...base, output: `Invalid input for tool "${call.toolName}": ${issues.join("; ")}`, isError: true };
  }
  try {
    const output = await definition.execute(parsed.data, options);
    return { ...base, output: output === undefined ? null : output };
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    return { ...base, output: error instanceof Error ? error.message : String(error), isError: true };
  }
}
