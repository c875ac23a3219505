import {
  type CallableDefinition,
  type CallTarget,
  type ChildHandle,
  type SpawnOptions,
  TaskFailedError,
} from "@agnt5/core";
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
