// The registry's own rules: a schema that cannot be compiled does not break a registration, a
// service is removable only without workers, and it remembers when its last worker left.
import { describe, expect, it } from "vitest";
import type { ComponentInfo } from "./component-info.js";
import { ServiceRegistry } from "./service-registry.js";
import { WorkerConnection } from "./worker-connection.js";

function fnComponent(name: string, inputSchema: unknown): ComponentInfo {
  return {
    kind: "function",
    name,
    streaming: false,
    description: "",
    inputSchema,
    outputSchema: undefined,
    metadata: {},
    retryPolicy: { maxAttempts: 3, initialIntervalMs: 100, maxIntervalMs: 10_000, backoffMultiplier: 2 },
  };
}

/** A connection whose stream is never written to here: the registry only tracks it. */
const connection = (workerId: string, service: string) => new WorkerConnection(workerId, service, "1", 10, {} as never);

describe("ServiceRegistry", () => {
  it("registers a service whose input schema cannot be compiled, reports it, and validates the others", () => {
    const reported: string[] = [];
    const registry = new ServiceRegistry((service, component) => reported.push(`${service}/${component}`));

    const entry = registry.addWorker(connection("w1", "svc"), [
      fnComponent("broken", { type: "no-such-type" }),
      fnComponent("typed", { type: "object", properties: { n: { type: "number" } }, required: ["n"] }),
    ]);

    expect([...entry.components.keys()]).toEqual(["broken", "typed"]);
    expect(entry.workers.size).toBe(1);
    expect(reported).toEqual(["svc/broken"]);
    expect(registry.inputValidator("svc", "broken")).toBeUndefined();
    expect(registry.inputValidator("svc", "typed")?.({})?.details).toEqual({
      issues: [{ path: "n", message: "Required" }],
    });
  });

  it("removes a service only when no worker is connected, and marks when the last one left", () => {
    const registry = new ServiceRegistry();
    const first = connection("w1", "svc");
    const second = connection("w2", "svc");
    registry.addWorker(first, []);
    registry.addWorker(second, []);
    const registeredAt = registry.get("svc")?.lastSeenAt;

    expect(registry.remove("svc")).toBe("has_workers");
    registry.removeWorker(first);
    expect(registry.get("svc")?.lastSeenAt).toBe(registeredAt);
    expect(registry.remove("svc")).toBe("has_workers");

    registry.removeWorker(second);
    expect(registry.get("svc")?.lastSeenAt).not.toBe(registeredAt);
    expect(registry.remove("svc")).toBe("removed");
    expect(registry.get("svc")).toBeUndefined();
    expect(registry.remove("svc")).toBe("not_found");
  });
});
