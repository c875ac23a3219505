import { type AnyEntityDefinition, type DurableContext, entity, type Registry } from "@agnt5/core";

/**
 * The entity type a task step with objectKeys runs through. Its one write method calls the task:
 * the coordinator runs writes of one (type, key) one at a time, in arrival order, so two tasks
 * naming the same key (in any run of any flow hosted by the service) never overlap. Several keys
 * nest in sorted order (key 1's write calls key 2's write, which calls the task), which gives
 * every run the same lock order and so no deadlock. The lock lives in the service hosting the flow.
 */
export const FLOW_OBJECT_ENTITY = "agnt5_flow_object";

interface LockedCall {
  /** Keys still to take, sorted. */
  keys: string[];
  service: string;
  handler: string;
  input: unknown;
}

export function createObjectLockEntity(registry: Registry | false): AnyEntityDefinition {
  return entity(
    { name: FLOW_OBJECT_ENTITY, description: "Serializes flow task steps that write the same objectKeys", registry },
    {
      // The handler's source is read for parameter names: keep the parameter a plain name.
      run: entity.write(async (ctx, call: LockedCall) => {
        const [next, ...rest] = call.keys;
        if (next !== undefined) return ctx.entity(FLOW_OBJECT_ENTITY, next).run({ ...call, keys: rest });
        return ctx.task(call.service, call.handler, call.input);
      }),
    },
  );
}

/** Calls `service/handler` holding every key of `objectKeys` (deduplicated, taken in sorted order). */
export function callWithObjectKeys(
  ctx: DurableContext,
  objectKeys: readonly string[],
  service: string,
  handler: string,
  input: unknown,
): Promise<unknown> {
  const [first, ...rest] = [...new Set(objectKeys)].sort();
  return ctx.entity(FLOW_OBJECT_ENTITY, first!).run({ keys: rest, service, handler, input }) as Promise<unknown>;
}
