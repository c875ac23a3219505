import {
  type AnyEntityDefinition,
  type ComponentDefinition,
  type DurableContext,
  decodeJson,
  EntityMethodNotFoundError,
  type EntityStateChange,
  encodeJson,
  TerminalError,
} from "@agnt5/core";
import { createEntityContext, type EntityContextHandle } from "@agnt5/core/internal";
import { ComponentKind, type StartInvocation, type StateChange, type StateChangeSchema } from "@agnt5/proto";
import type { MessageInitShape } from "@bufbuild/protobuf";

/** One entity method call of a StartInvocation, ready to run. */
export interface EntityInvocation {
  readonly definition: AnyEntityDefinition;
  readonly methodName: string;
  readonly key: string;
  readonly write: boolean;
  /** `<type>.<method>`, for logs and errors. */
  readonly label: string;
  /**
   * Runs the method on top of the engine's context (so ctx.step and the other durable operations
   * are journaled as usual) and keeps its EntityContext, whose changes go out with the result.
   */
  run(input: unknown, ctx: DurableContext): Promise<unknown>;
  /** The StateChanges of a completed write (JSON value bytes; deletes marked). None for a shared method. */
  stateChanges(): MessageInitShape<typeof StateChangeSchema>[];
}

/**
 * Checks that a StartInvocation and the component it names agree on being an entity, and resolves
 * the method and the committed state it starts from. Returns undefined for a function or workflow;
 * throws a TerminalError (COMPONENT_NOT_FOUND, INVALID_ARGUMENT, INVALID_STATE) when the call cannot run.
 */
export function entityInvocation(start: StartInvocation, component: ComponentDefinition): EntityInvocation | undefined {
  const isEntityStart = start.componentKind === ComponentKind.ENTITY;
  if (component.kind !== "entity") {
    if (!isEntityStart) return undefined;
    throw new TerminalError(`"${start.componentName}" is a ${component.kind} on this worker, not an entity`, {
      code: "COMPONENT_NOT_FOUND",
    });
  }
  const definition = component;
  const methodName = start.methodName;
  const method = definition.method(methodName);
  if (!method) throw new EntityMethodNotFoundError(definition.name, methodName, Object.keys(definition.methods));
  const label = `${definition.name}.${methodName}`;
  if (!start.objectKey) {
    throw new TerminalError(`The invocation of ${label} carries no entity key (object_key)`, {
      code: "INVALID_ARGUMENT",
    });
  }
  const state = encodedState(start.state);
  let handle: EntityContextHandle | undefined;
  return {
    definition,
    methodName,
    key: start.objectKey,
    write: method.write,
    label,
    run: (input, ctx) => {
      handle = createEntityContext(ctx, {
        entityType: definition.name,
        key: start.objectKey,
        methodName,
        write: method.write,
        state,
        decode: (key, encoded) => decodeValue(key, encoded as Uint8Array, label),
      });
      return method.invoke(input, handle.context);
    },
    stateChanges: () => (method.write && handle ? encodeChanges(handle.changes(), label) : []),
  };
}

/**
 * StartInvocation.state (the whole committed state; values are JSON bytes) -> the bytes by key. A
 * value is parsed only when the method reads it (decodeValue): an append to a long session history
 * parses the few fields it reads, not every message.
 */
function encodedState(state: readonly StateChange[]): Map<string, Uint8Array> {
  const values = new Map<string, Uint8Array>();
  for (const change of state) if (!change.deleted) values.set(change.key, change.value);
  return values;
}

function decodeValue(key: string, encoded: Uint8Array, label: string): unknown {
  try {
    return decodeJson(encoded);
  } catch (error) {
    throw new TerminalError(
      `The state of ${label} cannot be read: key "${key}" is not valid JSON (${(error as Error).message})`,
      { code: "INVALID_STATE" },
    );
  }
}

function encodeChanges(changes: EntityStateChange[], label: string): MessageInitShape<typeof StateChangeSchema>[] {
  return changes.map((change) => {
    if (change.deleted) return { key: change.key, deleted: true };
    try {
      return { key: change.key, value: encodeJson(change.value), deleted: false };
    } catch (error) {
      throw new TerminalError(
        `State key "${change.key}" of ${label} is not JSON-serializable: ${(error as Error).message}`,
        {
          code: "INVALID_OUTPUT",
        },
      );
    }
  });
}
