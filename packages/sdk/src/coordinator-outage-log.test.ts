import { status as GrpcStatus } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { CoordinatorOutageLog, describeConnectionFailure, formatDuration } from "./coordinator-outage-log.js";
import { createCaptureLogger } from "./test-support/capture-logger.js";

const refused = "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:9091. Resolution note: ";

describe("describeConnectionFailure", () => {
  it("keeps grpc-js' cause and drops its wrapper, empty resolution note and timestamp", () => {
    expect(describeConnectionFailure(GrpcStatus.UNAVAILABLE, refused)).toBe(
      "UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:9091",
    );
    expect(
      describeConnectionFailure(
        GrpcStatus.UNAVAILABLE,
        "No connection established. Last error: connect ECONNREFUSED 10.0.0.1:9091 (2026-12-02T07:03:39.000Z)",
      ),
    ).toBe("UNAVAILABLE: connect ECONNREFUSED 10.0.0.1:9091");
    expect(describeConnectionFailure(GrpcStatus.UNAVAILABLE, "Name resolution failed for target dns:nohost:9091")).toBe(
      "UNAVAILABLE: Name resolution failed for target dns:nohost:9091",
    );
    expect(describeConnectionFailure(GrpcStatus.INVALID_ARGUMENT, "unknown protocol")).toBe(
      "INVALID_ARGUMENT: unknown protocol",
    );
    expect(describeConnectionFailure(GrpcStatus.OK, "")).toBe("OK: stream closed");
  });

  it("formats durations for people", () => {
    expect([850, 42_000, 120_000, 125_000, 3_900_000].map(formatDuration)).toEqual([
      "850ms",
      "42s",
      "2m",
      "2m 5s",
      "1h 5m",
    ]);
  });
});

describe("CoordinatorOutageLog", () => {
  it("summarises at 5, 10, 20 ... attempts, then every 640, with the time the coordinator has been down", () => {
    const logger = createCaptureLogger();
    let now = 0;
    const log = new CoordinatorOutageLog(logger, "http://coordinator:9091", () => now);
    const attempt = { code: GrpcStatus.UNAVAILABLE, details: refused, retryInMs: 5000, wasRegistered: false };
    for (let i = 1; i <= 2000; i++) {
      expect(log.failed({ ...attempt, rejected: false })).toBe(i);
      now += 5000;
    }
    const attemptsLogged = logger.lines.map((line) => line.fields.attempts ?? 1);
    expect(attemptsLogged).toEqual([1, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 1920]);
    expect(logger.lines[2]!.message).toBe(
      "Still cannot reach coordinator at http://coordinator:9091 after 10 attempts over 45s " +
        "(last error: UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:9091); still retrying",
    );

    log.connected("w-1", true);
    expect(logger.lines.at(-1)).toMatchObject({
      level: "info",
      message: "Reconnected to coordinator at http://coordinator:9091 after 2000 failed attempts over 2h 46m",
    });
    // Connected again without an outage in between: nothing to say.
    log.connected("w-1", true);
    expect(logger.lines).toHaveLength(12);
  });

  it("reports a refusal at error level, and again when the coordinator goes from unreachable to refusing", () => {
    const logger = createCaptureLogger();
    const log = new CoordinatorOutageLog(logger, "c:1");
    log.failed({
      code: GrpcStatus.UNAVAILABLE,
      details: refused,
      retryInMs: 100,
      wasRegistered: false,
      rejected: false,
    });
    const refusal = { code: GrpcStatus.INVALID_ARGUMENT, details: "unknown protocol", retryInMs: 5000 };
    for (let i = 0; i < 5; i++) log.failed({ ...refusal, wasRegistered: false, rejected: true });
    expect(logger.lines.map((line) => [line.level, line.message])).toEqual([
      ["warn", expect.stringMatching(/^Cannot reach coordinator at c:1 \(UNAVAILABLE: connect ECONNREFUSED/)],
      [
        "error",
        "Coordinator at c:1 rejected the worker's registration (INVALID_ARGUMENT: unknown protocol); the worker keeps retrying",
      ],
      ["error", expect.stringMatching(/^Coordinator at c:1 still rejects the worker's registration after 5 attempts/)],
    ]);
  });
});
