import { type DurableContext, type JsonSchema, type RetryPolicy, TerminalError } from "@agnt5/core";
import { Tool, type ToolContext, type ToolHandler, toolBindings } from "./tool.js";

/** ctx.tools.register(name, options): the seed's `handler`, `description` and `schema` (JSON Schema). */
export interface RegisterToolOptions<In = any, Out = unknown> {
  handler: ToolHandler<In, Out>;
  description: string;
  /** JSON Schema of the arguments (default: any object). */
  schema?: JsonSchema;
  confirmation?: boolean;
  retry?: Partial<RetryPolicy>;
}

/**
 * `ctx.tools`: tools registered for this invocation (the seed's Context API). Registered tools go to
 * `ctx.llm.generate({ prompt, tools: [search] })`; the model's `toolCalls` come back in its result,
 * and `ctx.tools.handler(call.toolName)(call.input)` runs one: arguments checked against its schema,
 * the run journaled as a step named `tool:<name>` (the name ctx.llm gives the tool runs it journals
 * with maxSteps > 1), so a replay returns the recorded result without running it again.
 */
export interface ToolsContext {
  register<In = any, Out = unknown>(name: string, options: RegisterToolOptions<In, Out>): Tool<In, Out>;
  /** Registers a tool built with tool() or new Tool(). */
  register<T extends Tool>(tool: T): T;
  /** Runs the registered tool `name`: rejects with INVALID_ARGUMENT naming each bad field, TOOL_NOT_FOUND for an unknown name. */
  handler(name: string): (args?: unknown) => Promise<unknown>;
  get(name: string): Tool | undefined;
  list(): Tool[];
}

declare module "@agnt5/core" {
  interface DurableContextExtensions {
    /**
     * Tools for this invocation (@agnt5/adk). The SDK's worker attaches it to every invocation's
     * context; elsewhere (a context from createLocalDurableContext) use getToolsContext(ctx).
     */
    tools: ToolsContext;
  }
}

type ToolsHost = Pick<DurableContext, "step" | "stepId" | "runId" | "invocationId" | "logger" | "abortSignal">;

/** A ctx.tools over `ctx`. */
export function createToolsContext(ctx: ToolsHost): ToolsContext {
  const tools = new Map<string, Tool>();
  let runs = 0;
  const binding = { runId: ctx.runId, invocationId: ctx.invocationId, logger: ctx.logger };

  function register(first: string | Tool, options?: RegisterToolOptions): Tool {
    const registered =
      first instanceof Tool
        ? first
        : new Tool({
            name: first,
            description: options?.description ?? "",
            inputSchema: options?.schema ?? { type: "object" },
            handler: options?.handler as ToolHandler<any, unknown>,
            ...(options?.confirmation === undefined ? {} : { confirmation: options.confirmation }),
            ...(options?.retry === undefined ? {} : { retry: options.retry }),
          });
    tools.set(registered.name, registered);
    toolBindings.set(registered, binding);
    return registered;
  }

  return {
    register: register as ToolsContext["register"],
    handler(name) {
      return async (args) => {
        const tool = tools.get(name);
        if (!tool) {
          throw new TerminalError(
            `No tool "${name}" is registered on this context (registered: ${[...tools.keys()].join(", ") || "none"})`,
            { code: "TOOL_NOT_FOUND" },
          );
        }
        const checked = tool.validate(args ?? {});
        if (!checked.ok) throw new TerminalError(checked.message, { code: "INVALID_ARGUMENT" });
        const number = runs++;
        const stepName = `tool:${name}`;
        let attempt = 0;
        const run = () => {
          attempt++;
          const toolContext: ToolContext = {
            toolName: name,
            toolCallId: `${stepName}:${number}`,
            agentName: undefined,
            runId: ctx.runId,
            idempotencyKey: `${ctx.invocationId}:${stepName}:${number}`,
            attempt,
            messages: [],
            abortSignal: ctx.abortSignal,
            logger: ctx.logger,
          };
          return tool.run(checked.value, toolContext).then((output) => (output === undefined ? null : output));
        };
        // Inside a step's function durable operations cannot nest: the enclosing step records the result.
        if (ctx.stepId !== undefined) return run();
        return ctx.step(stepName, run, tool.retry === undefined ? undefined : { retry: tool.retry });
      };
    },
    get: (name) => tools.get(name),
    list: () => [...tools.values()],
  };
}

/**
 * Attaches `tools` to a durable context (what the SDK's worker does for every invocation). Returns
 * false when the context already has one or cannot be extended.
 */
export function attachToolsContext(ctx: ToolsHost): boolean {
  if ("tools" in ctx || !Object.isExtensible(ctx)) return false;
  Object.defineProperty(ctx, "tools", { value: createToolsContext(ctx), enumerable: false, configurable: true });
  return true;
}

/** ctx.tools when the runtime attached one, else attaches one to `ctx` (e.g. a handler called directly). */
export function getToolsContext(ctx: ToolsHost): ToolsContext {
  attachToolsContext(ctx);
  const attached = (ctx as { tools?: ToolsContext }).tools;
  return attached ?? createToolsContext(ctx);
}
