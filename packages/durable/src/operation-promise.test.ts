import { describe, expect, it, vi } from "vitest";
import { OperationPromise } from "./operation-promise.js";

describe("OperationPromise", () => {
  it("reports the first observation, through await, then, Promise.all or Promise.race", async () => {
    for (const observe of [
      async (p: Promise<number>) => await p,
      (p: Promise<number>) => p.then((v) => v),
      (p: Promise<number>) => Promise.all([p]),
      (p: Promise<number>) => Promise.race([p]),
    ]) {
      const observed = vi.fn();
      const { promise, resolve } = OperationPromise.create<number>(observed);
      expect(observed).not.toHaveBeenCalled();
      const done = observe(promise);
      resolve(1);
      await done;
      expect(observed).toHaveBeenCalledTimes(1);
    }
  });

  it("derives plain promises", () => {
    const { promise } = OperationPromise.create<number>(() => {});
    const derived = promise.then((v) => v);
    expect(derived).not.toBeInstanceOf(OperationPromise);
    expect(derived).toBeInstanceOf(Promise);
  });

  it("never becomes an unhandled rejection when nobody observes it", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      const { reject } = OperationPromise.create<number>(() => {});
      reject(new Error("ignored"));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  it("still rejects for an observer", async () => {
    const { promise, reject } = OperationPromise.create<number>(() => {});
    reject(new Error("seen"));
    await expect(promise).rejects.toThrow("seen");
  });
});
