import type { EngineEnvironment } from "./engine-environment.js";
import { errorFromFailure } from "./entry-failure.js";
import type { ExecutionCore } from "./execution-core.js";
import type { EntryResult, JsonValue } from "./journal-entry.js";

/** A `deterministic` entry: the value is drawn on the first run and proposed with the entry. */
function draw<T>(
  core: ExecutionCore,
  name: "now" | "random" | "uuid",
  value: () => JsonValue,
  read: (value: unknown) => T,
): Promise<T> {
  const convert = (result: EntryResult): T => {
    if (!result.ok) throw errorFromFailure(result.failure);
    return read(result.value);
  };
  const operation = core.begin("deterministic", name, convert, `ctx.${name}()`);
  if (operation.state === "new") core.propose(operation, null, { ok: true, value: value() });
  return operation.promise;
}

/** ctx.now(): journaled as unix milliseconds, returned as a Date. */
export function now(core: ExecutionCore, env: EngineEnvironment): Promise<Date> {
  return draw(
    core,
    "now",
    () => env.now(),
    (value) => new Date(value as number),
  );
}

export function random(core: ExecutionCore, env: EngineEnvironment): Promise<number> {
  return draw(
    core,
    "random",
    () => env.random(),
    (value) => value as number,
  );
}

export function uuid(core: ExecutionCore, env: EngineEnvironment): Promise<string> {
  return draw(
    core,
    "uuid",
    () => env.uuid(),
    (value) => value as string,
  );
}
