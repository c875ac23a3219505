/**
 * @agnt5/core/internal: helpers shared by AGNT5 packages (the durable engine, the SDK). Not part of
 * the public API: they may change in any release.
 */
export { runGather, runParallel } from "./durable-combinators.js";
export {
  createEntityContext,
  type EntityContextHandle,
  type EntityContextInit,
} from "./entity-context.js";
export { toDurableContext } from "./local-durable-context.js";
export { createEntityProxy } from "./local-entity-store.js";
