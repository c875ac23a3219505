import { describe, expect, it, vi } from "vitest";
import * as sdk from "./index.js";

describe("@agnt5/sdk public API", () => {
  it("re-exports the component model of @agnt5/core next to Worker and Client", () => {
    for (const name of [
      "fn",
      "Registry",
      "defaultRegistry",
      "createExecutionContext",
      "serializeError",
      "TerminalError",
      "encodeJson",
    ]) {
      expect(sdk).toHaveProperty(name);
    }
    for (const name of [
      "Worker",
      "Client",
      "Agnt5ClientError",
      "ConfigError",
      "resolveWorkerConfig",
      "createWorkerLogger",
    ]) {
      expect(sdk).toHaveProperty(name);
    }
  });

  it("has no import-time side effects: nothing registered, no process listeners", async () => {
    const events = ["SIGINT", "SIGTERM", "unhandledRejection"] as const;
    const before = events.map((event) => process.listenerCount(event));
    vi.resetModules();
    const fresh = (await import("./index.js")) as typeof sdk;
    expect(events.map((event) => process.listenerCount(event))).toEqual(before);
    expect(fresh.defaultRegistry.size).toBe(0);
  });

  it("lets a worker defined with the seed's quick start be built without I/O", () => {
    const registry = new sdk.Registry();
    const greet = sdk.fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
    const worker = new sdk.Worker("hello-service", { registry, logger: sdk.silentLogger });
    expect(worker.isRunning()).toBe(false);
    expect(greet.name).toBe("greet");
  });
});
