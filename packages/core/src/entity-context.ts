import type { DurableContext } from "./durable-context.js";
import { EntityReadOnlyError, TerminalError } from "./errors.js";

/**
 * The context of an entity method (the seed's `async def m(ctx, ...)`): a DurableContext (ctx.step,
 * ctx.task, ctx.entity, ctx.llm, ... are journaled as in any handler) plus the entity's state.
 *
 * State is a JSON key-value map. `get` returns a copy, so changing what it returned changes nothing
 * until `set` is called. `set` and `delete` are synchronous and buffered: a later `get` sees them at
 * once, but they leave the worker only with the method's result (InvocationCompleted.state_changes),
 * so a method that fails (or whose worker dies) changes nothing. In a shared method both throw
 * EntityReadOnlyError.
 */
export interface EntityContext extends DurableContext {
  readonly componentType: "entity";
  /** The entity key (e.g. "cart-42"). */
  readonly key: string;
  /** Same as `key`. */
  readonly objectId: string;
  /** The entity type (e.g. "ShoppingCart"). */
  readonly entityType: string;
  /** The method running (e.g. "add_item"). */
  readonly methodName: string;
  /** true in a shared method: set and delete throw EntityReadOnlyError. */
  readonly readOnly: boolean;
  /** The value of `key`, or undefined when the state has none. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** The value of `key`, or `defaultValue` when the state has none. */
  get<T>(key: string, defaultValue: T): Promise<T>;
  /** Sets `key` (a JSON value; undefined deletes it). Buffered until the method completes. */
  set(key: string, value: unknown): void;
  /** Deletes `key`. Buffered until the method completes. */
  delete(key: string): void;
  /** A copy of the whole state as this method currently sees it (its own sets and deletes included). */
  state(): Record<string, unknown>;
}

/** One change a write method made: a new value, or a deletion. */
export type EntityStateChange = { key: string; deleted: false; value: unknown } | { key: string; deleted: true };

export interface EntityContextInit {
  entityType: string;
  key: string;
  methodName: string;
  /** true for a write method; false for a shared (read-only) one. */
  write: boolean;
  /** The committed state the method starts from (JSON values by state key). */
  state?: Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>;
  /**
   * When given, the values of `state` are still encoded (the worker passes the bytes it received):
   * each is decoded the first time the method reads it, so a method that reads three fields of a
   * large state decodes three. A decoding error is thrown to the method by the read.
   */
  decode?: (key: string, encoded: unknown) => unknown;
}

/** An entity method's context, and what its run changed. */
export interface EntityContextHandle {
  readonly context: EntityContext;
  /**
   * The net changes, in the order their keys were first touched: the last value of every key set,
   * a deletion for every key of the initial state that was deleted. Empty for a shared method.
   */
  changes(): EntityStateChange[];
}

/**
 * Builds the EntityContext of one method call on top of a DurableContext (the engine's, or a local
 * one). The entity context inherits from `base` (prototype chain), so members attached to `base`
 * (by the runtime or by extensions such as ctx.llm) are seen through it too.
 */
export function createEntityContext(base: DurableContext, init: EntityContextInit): EntityContextHandle {
  // The committed state is never copied: the method's sets and deletes are kept beside it, so a
  // call costs what it reads and changes, not the size of the state.
  const initial: ReadonlyMap<string, unknown> =
    init.state instanceof Map ? init.state : new Map(Object.entries(init.state ?? {}));
  const decoded = new Map<string, unknown>();
  const readInitial = (key: string): unknown => {
    if (!init.decode) return initial.get(key);
    if (!decoded.has(key)) decoded.set(key, init.decode(key, initial.get(key)));
    return decoded.get(key);
  };
  const changed = new Map<string, unknown>();
  const deleted = new Set<string>();
  const has = (key: string) => changed.has(key) || (!deleted.has(key) && initial.has(key));
  const currentValue = (key: string): unknown => (changed.has(key) ? changed.get(key) : readInitial(key));
  const touched = new Set<string>();
  const { entityType, methodName, write } = init;

  const checkKey = (operation: string, key: unknown): string => {
    if (typeof key === "string" && key.length > 0) return key;
    throw new TerminalError(`ctx.${operation}() needs a non-empty string state key, got ${JSON.stringify(key)}`, {
      code: "INVALID_ARGUMENT",
    });
  };
  const checkWritable = (operation: "set" | "delete", key: string) => {
    if (!write) throw new EntityReadOnlyError(entityType, methodName, operation, key);
  };
  const remove = (key: string) => {
    changed.delete(key);
    deleted.add(key);
    touched.add(key);
  };

  const get = (key: string, defaultValue?: unknown): Promise<unknown> => {
    try {
      checkKey("get", key);
    } catch (error) {
      return Promise.reject(error);
    }
    try {
      const value = has(key) ? currentValue(key) : undefined;
      return Promise.resolve(value === undefined ? defaultValue : structuredClone(value));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const set = (key: string, value: unknown): void => {
    checkKey("set", key);
    checkWritable("set", key);
    const json = toJson(value, `The value of state key "${key}" in ${entityType}.${methodName}`);
    if (json === undefined) {
      remove(key);
      return;
    }
    changed.set(key, json);
    deleted.delete(key);
    touched.add(key);
  };
  const del = (key: string): void => {
    checkKey("delete", key);
    checkWritable("delete", key);
    remove(key);
  };
  const state = (): Record<string, unknown> => {
    // The committed fields in their order (changed ones in place), then the new ones.
    const snapshot: Record<string, unknown> = {};
    const put = (key: string, value: unknown) => {
      if (value !== undefined) {
        Object.defineProperty(snapshot, key, {
          value: structuredClone(value),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    };
    for (const key of initial.keys()) if (has(key)) put(key, currentValue(key));
    for (const [key, value] of changed) if (!initial.has(key)) put(key, value);
    return snapshot;
  };

  const context = Object.create(base, {
    componentType: { value: "entity", enumerable: true },
    key: { value: init.key, enumerable: true },
    objectId: { value: init.key, enumerable: true },
    entityType: { value: entityType, enumerable: true },
    methodName: { value: methodName, enumerable: true },
    readOnly: { value: !write, enumerable: true },
    get: { value: get },
    set: { value: set },
    delete: { value: del },
    state: { value: state },
  }) as EntityContext;

  return {
    context,
    changes: () => {
      const changes: EntityStateChange[] = [];
      for (const key of touched) {
        if (changed.has(key)) changes.push({ key, deleted: false, value: changed.get(key) });
        else if (initial.has(key)) changes.push({ key, deleted: true });
      }
      return changes;
    },
  };
}

/** The value as JSON will hold it (a copy); undefined for undefined (and functions, symbols). */
function toJson(value: unknown, what: string): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TerminalError(`${what} is not JSON-serialisable: ${(error as Error).message}`, {
      code: "INVALID_ARGUMENT",
      cause: error,
    });
  }
  return text === undefined ? undefined : JSON.parse(text);
}
