import { decodeJson, encodeJson } from "./codec.js";
import { createExecutionContext, type ExecutionContext, type ExecutionContextInit } from "./context.js";
import type { DurableContext } from "./durable-context.js";
import { TerminalError } from "./errors.js";
import { isAsyncIterable, isContext } from "./function.js";
import { defaultRegistry, type Registry } from "./registry.js";

/**
 * The seed's execute_component(): runs a registered component on JSON input bytes and returns
 * JSON output bytes, without a worker or coordinator. A streaming function's chunks are collected
 * into a JSON array.
 */
export async function executeComponent(
  name: string,
  input: Uint8Array | string,
  ctx?: ExecutionContext | DurableContext | ExecutionContextInit,
  registry: Registry = defaultRegistry,
): Promise<Uint8Array> {
  const component = registry.require(name);
  if (component.kind === "entity") {
    throw new TerminalError(
      `${name} is an entity: call its methods (${Object.keys(component.methods).join(", ") || "none"}) with ` +
        `${name}.local(key).<method>(input), or ctx.entity(...) from a handler`,
      { code: "INVALID_ARGUMENT" },
    );
  }
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let value: unknown;
  try {
    value = decodeJson(bytes);
  } catch (error) {
    throw new TerminalError(`Input for ${name} is not valid JSON: ${(error as Error).message}`, {
      code: "INVALID_INPUT",
    });
  }
  const context = isContext(ctx)
    ? ctx
    : createExecutionContext({ componentName: name, componentType: component.kind, ...ctx });
  const result = component.invoke(value, context);
  if (isAsyncIterable(result)) {
    const chunks: unknown[] = [];
    for await (const chunk of result) chunks.push(chunk);
    return encodeJson(chunks);
  }
  return encodeJson(await result);
}
