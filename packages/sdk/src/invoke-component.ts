import { type ComponentDefinition, type ExecutionContext, isAsyncIterable } from "@agnt5/core";

/** A started invocation: one eventual value, or (streaming) a sequence of chunks. */
export type ComponentResult =
  | { streaming: false; output: unknown }
  | { streaming: true; chunks: AsyncIterable<unknown> };

/**
 * Calls `definition.invoke` so that every failure arrives the same way, as a rejection: a handler
 * (or input validation) that throws synchronously must not escape into the caller's frame.
 * For streaming results, chunk iteration stops as soon as the invocation's signal is aborted,
 * even if the handler ignores the signal.
 */
export async function invokeComponent(
  definition: Exclude<ComponentDefinition, { kind: "entity" }>,
  input: unknown,
  ctx: ExecutionContext,
): Promise<ComponentResult> {
  const result = definition.invoke(input, ctx);
  if (isAsyncIterable(result)) return { streaming: true, chunks: untilAborted(result, ctx.signal) };
  return { streaming: false, output: await result };
}

/** Chunk iteration stops as soon as `signal` is aborted, even if the handler ignores it. */
export async function* untilAborted(chunks: AsyncIterable<unknown>, signal: AbortSignal): AsyncIterable<unknown> {
  signal.throwIfAborted();
  // Throwing inside for-await calls the handler's iterator.return(), so its finally blocks run.
  for await (const chunk of chunks) {
    signal.throwIfAborted();
    yield chunk;
  }
}
