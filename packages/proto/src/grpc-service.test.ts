import { describe, expect, it } from "vitest";
import {
  ComponentKind,
  CoordinatorMessageSchema,
  create,
  WorkerMessageSchema,
  workerServiceDefinition,
} from "./index.js";

describe("workerServiceDefinition", () => {
  it("describes Connect as a bidirectional stream at the standard path", () => {
    const connect = workerServiceDefinition.connect;
    expect(connect?.path).toBe("/agnt5.v1.WorkerService/Connect");
    expect(connect?.requestStream).toBe(true);
    expect(connect?.responseStream).toBe(true);
  });

  it("round-trips a registration through the grpc-js serializers", () => {
    const connect = workerServiceDefinition.connect!;
    const message = create(WorkerMessageSchema, {
      message: {
        case: "register",
        value: {
          serviceName: "hello-service",
          workerId: "w-1",
          maxConcurrency: 64,
          components: [{ kind: ComponentKind.FUNCTION, name: "greet", retryPolicy: { initialIntervalMs: 100n } }],
        },
      },
    });
    const decoded = connect.requestDeserialize(connect.requestSerialize(message)) as typeof message;
    expect(decoded.message.case).toBe("register");
    if (decoded.message.case !== "register") throw new Error("unreachable");
    expect(decoded.message.value.components[0]?.name).toBe("greet");
    // uint64 fields are bigint in protobuf-es; SDK and coordinator convert at the boundary.
    expect(decoded.message.value.components[0]?.retryPolicy?.initialIntervalMs).toBe(100n);
  });

  it("carries journal entries with results in a StartInvocation", () => {
    const connect = workerServiceDefinition.connect!;
    const start = create(CoordinatorMessageSchema, {
      message: {
        case: "start",
        value: {
          invocationId: "inv-1",
          input: new TextEncoder().encode('"Alice"'),
          journal: [{ index: 0, name: "fetch", result: { outcome: { case: "value", value: new Uint8Array([49]) } } }],
        },
      },
    });
    const decoded = connect.responseDeserialize(connect.responseSerialize(start)) as typeof start;
    if (decoded.message.case !== "start") throw new Error("expected start");
    expect(new TextDecoder().decode(decoded.message.value.input)).toBe('"Alice"');
    expect(decoded.message.value.journal[0]?.result?.outcome.case).toBe("value");
  });
});
