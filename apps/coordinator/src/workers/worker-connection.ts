import { type CoordinatorMessage, CoordinatorMessageSchema, create, type WorkerMessage } from "@agnt5/proto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { ServerDuplexStream } from "@grpc/grpc-js";

type Stream = ServerDuplexStream<WorkerMessage, CoordinatorMessage>;
/** A frame as an init shape: plain objects, without protobuf-es $typeName markers. */
type OutgoingMessage = MessageInitShape<typeof CoordinatorMessageSchema>["message"];

/**
 * One connected worker: its single bidirectional stream, over which every invocation it runs is
 * multiplexed, and the invocations currently assigned to it.
 */
export class WorkerConnection {
  readonly inFlight = new Set<string>();
  /** Set when the worker asked to drain: it gets no new invocations. */
  draining = false;
  closed = false;
  lastSeenAt = Date.now();
  readonly connectedAt = new Date();
  /** The id of the worker token the stream opened with (undefined in dev mode): revoking it closes the stream. */
  credentialId: string | undefined;

  constructor(
    readonly workerId: string,
    readonly serviceName: string,
    readonly serviceVersion: string,
    readonly maxConcurrency: number,
    private readonly stream: Stream,
  ) {}

  get available(): boolean {
    return !this.closed && !this.draining && this.inFlight.size < this.maxConcurrency;
  }

  /** Load as a fraction of capacity; the dispatcher picks the least loaded worker. */
  get load(): number {
    return this.inFlight.size / this.maxConcurrency;
  }

  send(message: OutgoingMessage): void {
    if (this.closed) return;
    // grpc-js buffers when the socket is busy; per-message awaiting would serialize the stream.
    this.stream.write(
      create(CoordinatorMessageSchema, { message } as MessageInitShape<typeof CoordinatorMessageSchema>),
    );
  }

  /** Ends the stream from our side with a gRPC status (e.g. a worker that stopped heartbeating). */
  destroy(code: grpc.status, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    // grpc-js turns an 'error' event on a server stream into the call's final status.
    this.stream.emit("error", { code, details: reason });
  }
}
