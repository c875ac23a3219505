import {
  type AnyEntityDefinition,
  type CallableDefinition,
  type CallTarget,
  type ChildHandle,
  type EntityCallOptions,
  isEntityDefinition,
  type SpawnOptions,
  TaskFailedError,
} from "@agnt5/core";
import { createEntityProxy } from "@agnt5/core/internal";
import type { EngineEnvironment } from "./engine-environment.js";
import type { ExecutionCore } from "./execution-core.js";
import { invalidArgument, isName } from "./invalid-argument.js";
import type { EntryResult } from "./journal-entry.js";
import { toJsonValue } from "./json-value.js";
import type { Operation } from "./operation.js";

/** Resolves what ctx.task / ctx.spawn were given to a service and handler (definitions: this service). */
export function callTarget(env: EngineEnvironment, target: CallableDefinition | CallTarget): CallTarget | Error {
  if (typeof target === "function" && isName((target as CallableDefinition).name)) {
    return { service: env.serviceName, handler: (target as CallableDefinition).name };
  }
  if (typeof target === "object" && target !== null && isName(target.service) && isName(target.handler)) {
    return { service: target.service, handler: target.handler };
  }
  return invalidArgument("ctx.task() / ctx.spawn() need a definition, or a service and a handler name");
}

/** Proposes (or replays) a `call` entry named `<service>/<handler>`. */
function startCall(
  core: ExecutionCore,
  target: CallTarget,
  input: unknown,
  key: string | undefined,
  label: string,
): Operation<unknown> | Error {
  let request: { service: string; handler: string; input: unknown; key?: string };
  try {
    request = {
      service: target.service,
      handler: target.handler,
      input: toJsonValue(input, `The input of ${target.service}/${target.handler}`),
      ...(key === undefined ? {} : { key }),
    };
  } catch (error) {
    return error as Error;
  }
  const convert = (result: EntryResult): unknown => {
    if (result.ok) return result.value;
    throw new TaskFailedError(target, result.failure);
  };
  return core.awaitEntry("call", `${target.service}/${target.handler}`, request, convert, label);
}

/** ctx.task(service, handler, input) / ctx.task(definition, input): calls and waits for the output. */
export function task(
  core: ExecutionCore,
  env: EngineEnvironment,
  first: string | CallableDefinition,
  second?: unknown,
  third?: unknown,
): Promise<any> {
  const byName = typeof first === "string";
  const target = byName ? callTarget(env, { service: first, handler: second as string }) : callTarget(env, first);
  if (target instanceof Error) return Promise.reject(target);
  const label = `ctx.task("${target.service}", "${target.handler}")`;
  const operation = startCall(core, target, byName ? third : second, undefined, label);
  return operation instanceof Error ? Promise.reject(operation) : operation.promise;
}

/** ctx.spawn(target, input, { key }): starts the child now; the handle's result() waits for it. */
export function spawn(
  core: ExecutionCore,
  env: EngineEnvironment,
  target: CallableDefinition | CallTarget,
  input?: unknown,
  options: SpawnOptions = {},
): ChildHandle<any> {
  const resolved = callTarget(env, target);
  const operation =
    resolved instanceof Error
      ? resolved
      : startCall(core, resolved, input, options.key, `ctx.spawn("${resolved.service}", "${resolved.handler}")`);
  if (operation instanceof Error) {
    const failed = Promise.reject(operation);
    failed.catch(() => {});
    return { invocationId: "", index: -1, result: () => failed };
  }
  return {
    invocationId: `${env.invocationId}.${operation.index}`,
    index: operation.index,
    result: () => operation.promise,
  };
}

/**
 * ctx.entity(typeOrDefinition, key, { service }): a proxy whose every method call proposes (or
 * replays) a `call` entry named `<type>.<method>` with request `{ service?, handler: <type>, method,
 * key, input }` and resolves with the method's output. `service` is this service for a definition,
 * left out for a type name unless given. The index is reserved when the method is called.
 */
export function entity(
  core: ExecutionCore,
  env: EngineEnvironment,
  target: string | AnyEntityDefinition,
  key: string,
  options: EntityCallOptions = {},
): any {
  const definition = isEntityDefinition(target) ? target : undefined;
  const type: unknown = definition ? definition.name : target;
  return createEntityProxy((method, input) => {
    const operation = startEntityCall(core, env, definition, type, key, method, input, options);
    return operation instanceof Error ? Promise.reject(operation) : operation.promise;
  });
}

function startEntityCall(
  core: ExecutionCore,
  env: EngineEnvironment,
  definition: AnyEntityDefinition | undefined,
  type: unknown,
  key: unknown,
  method: string,
  input: unknown,
  options: EntityCallOptions,
): Operation<unknown> | Error {
  if (!isName(type)) return invalidArgument("ctx.entity() needs an entity definition or an entity type name");
  if (!isName(key)) return invalidArgument(`ctx.entity("${type}", key) needs a non-empty string key`);
  if (options.service !== undefined && !isName(options.service)) {
    return invalidArgument(`ctx.entity("${type}", "${key}", { service }) needs a non-empty service name`);
  }
  if (definition && !definition.method(method)) {
    const methods = Object.keys(definition.methods);
    return invalidArgument(
      `Entity ${type} has no method "${method}" (${methods.length ? `methods: ${methods.join(", ")}` : "it has no methods"})`,
    );
  }
  const service = options.service ?? (definition ? env.serviceName : undefined);
  let request: { service?: string; handler: string; method: string; key: string; input: unknown };
  try {
    request = {
      ...(service === undefined ? {} : { service }),
      handler: type,
      method,
      key,
      input: toJsonValue(input, `The input of ${type}.${method}`),
    };
  } catch (error) {
    return error as Error;
  }
  const convert = (result: EntryResult): unknown => {
    if (result.ok) return result.value;
    throw new TaskFailedError({ service: service ?? env.serviceName, handler: `${type}.${method}` }, result.failure);
  };
  return core.awaitEntry("call", `${type}.${method}`, request, convert, `ctx.entity("${type}", "${key}").${method}()`);
}
