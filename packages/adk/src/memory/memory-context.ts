import type { DurableContext } from "@agnt5/core";
import type { Memory } from "./memory.js";

declare module "@agnt5/core" {
  interface DurableContextExtensions {
    /**
     * Long-term memory, its operations journaled in this context (@agnt5/adk). Attached by an agent
     * run given a memory (`new Agent({ memory })` with `{ ctx }`), or by attachMemoryContext(ctx, memory).
     */
    memory?: Memory;
  }
}

/**
 * Attaches `memory` to `ctx` as `ctx.memory` (journaled in ctx). Returns false when the context
 * already has one or cannot be extended.
 */
export function attachMemoryContext(ctx: DurableContext, memory: Memory): boolean {
  if (ctx.memory !== undefined || !Object.isExtensible(ctx)) return false;
  Object.defineProperty(ctx, "memory", { value: memory.withContext(ctx), enumerable: false, configurable: true });
  return true;
}
