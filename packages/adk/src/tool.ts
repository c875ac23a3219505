import { type JsonSchema, type Logger, type RetryPolicy, silentLogger, TerminalError, toJsonSchema } from "@agnt5/core";
import type { Message, NamedTool, ToolDefinition, ToolExecutionOptions } from "@agnt5/llm";
import { z } from "zod";
import { compileJsonSchema } from "./json-schema-validator.js";
import type { Memory } from "./memory/memory.js";

/**
 * What a tool's handler receives next to its input (the seed's "Context is automatically injected").
 * A tool runs inside its own journal entry (a ctx.step), so it cannot itself start durable operations;
 * what it can rely on is `idempotencyKey`, the same on every attempt of this call.
 */
export interface ToolContext {
  /** The tool's name. */
  readonly toolName: string;
  /** The model's id for this call. */
  readonly toolCallId: string;
  /** The agent running the tool (undefined when run by ctx.tools or directly). */
  readonly agentName: string | undefined;
  /** The run the call belongs to (the durable run id inside a durable context). */
  readonly runId: string;
  /**
   * Stable for this call across retries, replays and restarts: `<invocation id>:<journal entry name>`
   * inside a durable context. Pass it to payment or email APIs so a repeated attempt is deduplicated.
   */
  readonly idempotencyKey: string;
  /** The attempt of this call's journal entry (1 on the first). */
  readonly attempt: number;
  /** The conversation so far, the assistant message with this call last. */
  readonly messages: readonly Message[];
  readonly abortSignal: AbortSignal;
  readonly logger: Logger;
  /**
   * The agent's long-term memory (the seed's `ctx.memory`), when it was given one. The tool runs inside
   * its own journal entry, so memory calls here run directly; stores are upserts by key, so a retried
   * call writes the same memory again, not a second one.
   */
  readonly memory?: Memory;
}

export type ToolHandler<In, Out> = (input: In, ctx: ToolContext) => Out | Promise<Out>;

/** The outcome of checking a model's arguments: the parsed input, or a message naming each bad field. */
export type ToolValidation<In> = { ok: true; value: In } | { ok: false; message: string };

interface ToolBaseOptions {
  name: string;
  description: string;
  /**
   * Ask a human before each call (ctx.human.approval inside a durable context; outside one the run
   * stops with status "awaiting_approval").
   */
  confirmation?: boolean;
  /**
   * Retry policy of the call's journal entry. Default: one attempt (a throwing tool's error goes to the
   * model at once, which can react to it); with a policy, the error goes to the model once retries are spent.
   */
  retry?: Partial<RetryPolicy>;
  /** Roles an approver must hold (confirmation tools). */
  approverRoles?: readonly string[];
}

/** `new Tool({ name, description, inputSchema, handler })`: a tool with a hand-written JSON Schema (checked with ajv). */
export interface ToolOptions<In = any, Out = unknown> extends ToolBaseOptions {
  /** JSON Schema of the arguments (draft-07, or 2020-12 when `$schema` says so). */
  inputSchema: JsonSchema;
  handler: ToolHandler<In, Out>;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Where a tool runs when ctx.llm.generate (or any @agnt5/llm call) runs it: set by ctx.tools.register. */
export interface ToolBinding {
  runId: string;
  invocationId: string;
  logger: Logger;
}

/** Tools registered on a context (ctx.tools.register), with that context's ids. */
export const toolBindings = new WeakMap<Tool, ToolBinding>();

/**
 * A capability the model can call: a name, a description, the JSON Schema of its arguments, and a
 * handler. Built with `tool(options, handler)` (zod) or `new Tool({ inputSchema, handler })`.
 *
 * It is also an @agnt5/llm tool (`name`, `input`, `execute`), so `generateText({ tools: [t] })` and
 * `ctx.llm.generate({ tools: [t] })` take it as it is.
 */
export class Tool<In = any, Out = unknown> implements NamedTool {
  readonly name: string;
  readonly description: string;
  /** What the model is sent as the arguments' schema. */
  readonly inputSchema: JsonSchema;
  /** The arguments' check as zod (for a JSON Schema tool, ajv wrapped in zod): what @agnt5/llm validates with. */
  readonly input: z.ZodType<In>;
  readonly confirmation: boolean;
  readonly retry: Partial<RetryPolicy> | undefined;
  readonly approverRoles: readonly string[];
  readonly #handler: ToolHandler<In, Out>;

  /** `zodInput`: the arguments as zod (what tool() passes); without it `inputSchema` is compiled with ajv. */
  constructor(options: ToolOptions<In, Out>, zodInput?: z.ZodType<In>) {
    if (typeof options?.name !== "string" || !TOOL_NAME.test(options.name)) {
      throw definitionError(
        `A tool needs a name of 1-64 letters, digits, "_" or "-" (what providers accept), got ${JSON.stringify(options?.name)}`,
      );
    }
    if (typeof options.description !== "string" || options.description.trim() === "") {
      throw definitionError(`Tool "${options.name}" needs a description: it is how the model decides to call it`);
    }
    if (typeof options.handler !== "function") throw definitionError(`Tool "${options.name}" needs a handler function`);
    this.name = options.name;
    this.description = options.description;
    this.inputSchema = withoutDialect(options.inputSchema);
    this.confirmation = options.confirmation ?? false;
    this.retry = options.retry;
    this.approverRoles = options.approverRoles ?? [];
    this.#handler = options.handler;
    this.input = zodInput ?? jsonSchemaInput<In>(options.name, options.inputSchema, this.inputSchema);
  }

  /** The definition sent to the model. */
  get definition(): ToolDefinition {
    return { name: this.name, description: this.description, inputSchema: this.inputSchema };
  }

  /** Checks (and, for zod tools, parses: defaults applied) arguments the model sent; a failure names each field. */
  validate(args: unknown): ToolValidation<In> {
    const parsed = this.input.safeParse(args);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join(".") || "(arguments)"}: ${issue.message}`,
    );
    return {
      ok: false,
      message: `Invalid arguments for tool "${this.name}": ${issues.join("; ")}. Call it again with arguments that match its schema.`,
    };
  }

  /** Runs the handler with already validated input. */
  run(input: In, ctx: ToolContext): Promise<Out> {
    return Promise.resolve().then(() => this.#handler(input, ctx));
  }

  /**
   * @agnt5/llm's tool interface: how generateText / ctx.llm.generate (maxSteps > 1) run it, with input
   * they validated. The idempotency key is the model's tool call id (recorded with the model's answer,
   * so stable on replay) prefixed with the invocation when ctx.tools.register bound it to one.
   */
  execute(input: In, options: ToolExecutionOptions): Promise<Out> {
    const binding = toolBindings.get(this);
    const scope = binding?.invocationId ?? "local";
    return this.run(input, {
      toolName: this.name,
      toolCallId: options.toolCallId,
      agentName: undefined,
      runId: binding?.runId ?? scope,
      idempotencyKey: `${scope}:tool:${this.name}:${options.toolCallId}`,
      attempt: 1,
      messages: options.messages,
      abortSignal: options.abortSignal ?? new AbortController().signal,
      logger: binding?.logger ?? silentLogger,
    });
  }
}

export interface ZodToolOptions<S extends z.ZodType> extends Omit<ToolBaseOptions, "name"> {
  /** Default: the handler function's name. */
  name?: string;
  /** The arguments; each field's `.describe()` text becomes its description in the schema the model sees. */
  input: S;
}

/**
 * The seed's `@tool(auto_schema=True)`: the arguments' schema comes from zod (descriptions from
 * `.describe()`, defaults make fields optional), the handler gets the parsed, typed input and the context.
 *
 * @example
 * const searchDocs = tool(
 *   { description: "Search documentation for answers.", input: z.object({ query: z.string().describe("What to look for") }) },
 *   async ({ query }) => `Found documentation about: ${query}`,
 * );
 */
export function tool<S extends z.ZodType, R>(
  options: ZodToolOptions<S>,
  handler: ToolHandler<z.output<S>, R>,
): Tool<z.output<S>, Awaited<R>> {
  const name = options.name ?? (handler?.name || undefined);
  if (name === undefined) {
    throw definitionError("tool() needs a name: pass { name } or a named handler function");
  }
  const schema: z.ZodType = options.input;
  if (typeof schema?.safeParse !== "function") throw definitionError(`Tool "${name}" needs input: a zod schema`);
  const { input: _input, ...rest } = options;
  return new Tool<z.output<S>, Awaited<R>>(
    { ...rest, name, inputSchema: toJsonSchema(schema), handler: handler as ToolHandler<z.output<S>, Awaited<R>> },
    schema as z.ZodType<z.output<S>>,
  );
}

export function isTool(value: unknown): value is Tool {
  return value instanceof Tool;
}

/**
 * A JSON Schema tool's check as zod, so @agnt5/llm can validate with it: ajv's issues become zod
 * issues with their paths, and the schema rides along as metadata (what toJsonSchema sends).
 */
function jsonSchemaInput<In>(name: string, schema: JsonSchema, sent: JsonSchema): z.ZodType<In> {
  let validate: ReturnType<typeof compileJsonSchema>;
  try {
    validate = compileJsonSchema(schema);
  } catch (error) {
    throw definitionError(`Tool "${name}" has an invalid inputSchema: ${(error as Error).message}`);
  }
  return z
    .unknown()
    .superRefine((value, ctx) => {
      for (const issue of validate(value)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    })
    .meta(sent) as unknown as z.ZodType<In>;
}

/** The schema as the model sees it: without the `$schema` dialect marker (providers reject or ignore it). */
function withoutDialect(schema: JsonSchema): JsonSchema {
  if (typeof schema !== "object" || schema === null) return schema;
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function definitionError(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_DEFINITION" });
}
