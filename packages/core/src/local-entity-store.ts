import { createExecutionContext, type ExecutionContext } from "./context.js";
import type { DurableContext } from "./durable-context.js";
import type { AnyEntityDefinition } from "./entity.js";
import { createEntityContext } from "./entity-context.js";
import { EntityMethodNotFoundError, TerminalError } from "./errors.js";
import { createLocalDurableContext } from "./local-durable-context.js";

/**
 * Entity state kept in this process's memory, per (type, key): what entity methods run on when no
 * coordinator is involved (`Cart.local(key)`, `ctx.entity(Cart, key)` in a handler called directly,
 * the SDK's HTTP runtime). Writes of one key run one at a time, in call order, and commit their
 * changes only when they succeed; shared methods run at once on the last committed state. Nothing
 * survives the process.
 */
export class LocalEntityStore {
  readonly #states = new Map<string, Map<string, unknown>>();
  /** The last write queued per slot: the next one starts after it settles. */
  readonly #writes = new Map<string, Promise<unknown>>();

  /** A copy of the committed state of `type` / `key` (empty when it has none). */
  state(type: string, key: string): Record<string, unknown> {
    return structuredClone(Object.fromEntries(this.#states.get(slot(type, key)) ?? []));
  }

  /** Forgets every entity's state (e.g. between tests). */
  clear(): void {
    this.#states.clear();
  }

  /**
   * Runs `method` of `definition` for `key` with local durable operations. `parent` (the caller's
   * context) passes on its headers, metadata, logger and AbortSignal; `invocationId` names the call
   * (default: a fresh local id).
   */
  call(
    definition: AnyEntityDefinition,
    key: string,
    method: string,
    input: unknown,
    options: LocalEntityCallOptions = {},
  ): Promise<unknown> {
    const { parent, invocationId } = options;
    const type = definition.name;
    const handler = definition.method(method);
    if (!handler) return Promise.reject(new EntityMethodNotFoundError(type, method, Object.keys(definition.methods)));
    if (typeof key !== "string" || key.length === 0) {
      return Promise.reject(
        new TerminalError(`An entity key must be a non-empty string (${type}.${method})`, { code: "INVALID_ARGUMENT" }),
      );
    }
    const id = slot(type, key);
    const run = async (): Promise<unknown> => {
      const base = createLocalDurableContext(
        createExecutionContext({
          componentType: "entity",
          componentName: type,
          ...(invocationId === undefined ? {} : { invocationId }),
          ...(parent
            ? {
                headers: { ...parent.headers },
                metadata: { ...parent.metadata },
                logger: parent.logger,
                signal: "abortSignal" in parent ? parent.abortSignal : parent.signal,
              }
            : {}),
        }),
      );
      const handle = createEntityContext(base, {
        entityType: type,
        key,
        methodName: method,
        write: handler.write,
        state: this.#states.get(id) ?? new Map(),
      });
      const output = await handler.invoke(input, handle.context);
      if (handler.write) {
        const state = new Map(this.#states.get(id));
        for (const change of handle.changes()) {
          if (change.deleted) state.delete(change.key);
          else state.set(change.key, change.value);
        }
        if (state.size > 0) this.#states.set(id, state);
        else this.#states.delete(id);
      }
      return output;
    };
    if (!handler.write) return run();
    const previous = this.#writes.get(id) ?? Promise.resolve();
    const result = previous.then(run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.set(id, tail);
    void tail.then(() => {
      if (this.#writes.get(id) === tail) this.#writes.delete(id);
    });
    return result;
  }

  /** The methods of `definition` for `key`, as functions that call() them. */
  proxy(definition: AnyEntityDefinition, key: string, parent?: ExecutionContext | DurableContext): any {
    return createEntityProxy((method, input) => this.call(definition, key, method, input, parent ? { parent } : {}));
  }
}

export interface LocalEntityCallOptions {
  /** The caller's context: its headers, metadata, logger and AbortSignal pass on. */
  parent?: ExecutionContext | DurableContext;
  /** The invocation id the method's context gets (default: a fresh local id). */
  invocationId?: string;
}

/** The process-wide local entity state. */
export const localEntityStore = new LocalEntityStore();

/**
 * An object whose every property is a method `(input?) => call(name, input)`: what ctx.entity()
 * returns. `then` is left undefined, so the proxy itself is not mistaken for a promise.
 */
export function createEntityProxy(call: (method: string, input: unknown) => Promise<unknown>): any {
  return new Proxy(Object.create(null), {
    get(_target, property) {
      if (typeof property !== "string" || property === "then") return undefined;
      return (input?: unknown) => call(property, input);
    },
  });
}

function slot(type: string, key: string): string {
  return `${type}\u0000${key}`;
}
