import type { GatherResults, ParallelItem, ParallelResults } from "./durable-context.js";

/** Starts an item: calls a function (synchronous throws become rejections) or takes a promise as is. */
function start(item: ParallelItem): PromiseLike<unknown> | unknown {
  if (typeof item !== "function") return item;
  try {
    return item();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * ctx.parallel() for every DurableContext implementation: functions are called in argument order
 * (so the operations they start reserve journal indexes in that order), then all are awaited.
 * Rejects with the first failure, like Promise.all.
 */
export function runParallel<T extends readonly ParallelItem[]>(items: T): Promise<ParallelResults<T>> {
  const started = items.map(start);
  return Promise.all(started) as Promise<ParallelResults<T>>;
}

/** ctx.gather(): runParallel over a record, functions called in key order, results by key. */
export async function runGather<T extends Record<string, ParallelItem>>(items: T): Promise<GatherResults<T>> {
  const keys = Object.keys(items);
  const values = await Promise.all(keys.map((key) => start(items[key] as ParallelItem)));
  return Object.fromEntries(keys.map((key, i) => [key, values[i]])) as GatherResults<T>;
}
