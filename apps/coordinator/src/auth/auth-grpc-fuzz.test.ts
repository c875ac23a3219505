// Fuzzed `authorization` metadata on the worker stream (PostgreSQL): every value is refused with
// UNAUTHENTICATED, never INTERNAL or UNKNOWN, and the status never repeats it. A bare grpc-js
// client opens the stream and sends a registration, as a worker would.
import {
  type CoordinatorMessage,
  create,
  ProtocolVersion,
  WORKER_CONNECT_PATH,
  type WorkerMessage,
  WorkerMessageSchema,
  workerServiceDefinition,
} from "@agnt5/proto";
import * as grpc from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthTestCoordinator, startAuthCoordinator } from "../test-support/auth-keys.js";

const connect = workerServiceDefinition.connect!;
const serialize = connect.requestSerialize as (message: WorkerMessage) => Buffer;
const deserialize = connect.responseDeserialize as (bytes: Buffer) => CoordinatorMessage;

/** What grpc-js lets a client put in a text metadata value: printable ASCII. */
const printable = fc.string({ maxLength: 120 }).filter((value) => /^[ -~]*$/.test(value));
const authorization = fc.oneof(
  printable,
  printable.map((value) => `Bearer ${value}`),
  fc.stringMatching(/^Bearer agnt5_(wt|sk)_[A-Za-z0-9_-]{0,60}$/),
  fc.constantFrom("Bearer", "Bearer ", "bearer x", "Basic dXNlcjpwYXNz", "Bearer eyJhbGciOiJub25lIn0.e30."),
);

function openStream(client: grpc.Client, value: string): Promise<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", value);
  const call = client.makeBidiStreamRequest(WORKER_CONNECT_PATH, serialize, deserialize, metadata);
  const status = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
  call.on("error", () => {});
  call.on("data", () => {});
  call.write(
    create(WorkerMessageSchema, {
      message: {
        case: "register",
        value: { serviceName: "fuzzed", workerId: "w-1", protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1 },
      },
    }),
  );
  return status;
}

describe("fuzzed worker-stream metadata (PostgreSQL)", () => {
  let auth: AuthTestCoordinator;
  let client: grpc.Client;

  beforeAll(async () => {
    auth = await startAuthCoordinator("postgres");
    client = new grpc.Client(auth.coordinator.endpoint, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await auth?.close();
  });

  it("refuses every malformed or unknown token with UNAUTHENTICATED, without echoing it", async () => {
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        const status = await openStream(client, value);
        expect(grpc.status[status.code]).toBe("UNAUTHENTICATED");
        const presented = value.replace(/^\S*\s*/, "").trim();
        if (presented.length >= 12) expect(status.details).not.toContain(presented);
      }),
      { numRuns: 150 },
    );
  });
});
