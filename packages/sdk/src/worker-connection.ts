import {
  type CoordinatorMessage,
  create,
  type RegisterWorker,
  WORKER_CONNECT_PATH,
  type WorkerMessage,
  WorkerMessageSchema,
  workerServiceDefinition,
} from "@agnt5/proto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

export type IncomingMessage = CoordinatorMessage["message"];
/** A worker -> coordinator frame, in protobuf-es init form (plain objects, no $typeName). */
export type OutgoingMessage = NonNullable<MessageInitShape<typeof WorkerMessageSchema>["message"]>;

/** How a stream ended: grpc-js always reports a final status, OK when the coordinator closed it cleanly. */
export interface ConnectionEnd {
  code: grpc.status;
  details: string;
}

// The serializers of the generated service definition (protobuf-es binary format).
const connect = workerServiceDefinition.connect!;
const serialize = connect.requestSerialize as (message: WorkerMessage) => Buffer;
const deserialize = connect.responseDeserialize as (bytes: Buffer) => CoordinatorMessage;

/**
 * One Connect stream. It opens by sending RegisterWorker; after that every invocation this worker
 * runs is multiplexed over it. `ended` settles (never rejects) once the stream is over for any reason.
 */
export class WorkerConnection {
  readonly ended: Promise<ConnectionEnd>;
  #call: grpc.ClientDuplexStream<WorkerMessage, CoordinatorMessage>;
  #closed = false;
  /** false once we half-closed: grpc-js throws on a write after end(). */
  #writable = true;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(
    client: grpc.Client,
    registration: RegisterWorker,
    onMessage: (message: IncomingMessage) => void,
    /** The worker token, sent as `authorization: Bearer <token>` metadata when the stream opens. */
    token?: string,
  ) {
    const metadata = new grpc.Metadata();
    if (token) metadata.set("authorization", `Bearer ${token}`);
    this.#call = client.makeBidiStreamRequest(WORKER_CONNECT_PATH, serialize, deserialize, metadata);
    this.ended = new Promise((resolve) => {
      // 'error' carries the same status as 'status'; listening to it keeps it from being thrown.
      this.#call.on("error", () => {});
      this.#call.on("status", (status: grpc.StatusObject) => {
        this.#close();
        resolve({ code: status.code, details: status.details });
      });
    });
    this.#call.on("data", (message: CoordinatorMessage) => {
      if (!this.#closed) onMessage(message.message);
    });
    this.send({ case: "register", value: registration });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a message. grpc-js buffers when the socket is busy (write() returns false); awaiting
   * 'drain' per message would serialize every invocation behind the slowest write, so we don't.
   * Messages for a stream that has ended are dropped: the coordinator re-dispatches that work.
   */
  send(message: OutgoingMessage): void {
    if (this.#closed || !this.#writable) return;
    this.#call.write(create(WorkerMessageSchema, { message }));
  }

  startHeartbeats(intervalMs: number, inFlight: () => number): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      this.send({ case: "heartbeat", value: { sentAtMs: BigInt(Date.now()), inFlight: inFlight() } });
    }, intervalMs);
    // The stream keeps the process alive while it matters; the timer alone should not.
    this.#heartbeat.unref();
  }

  /** Half-closes: we send nothing more; the coordinator ends its side, which settles `ended`. */
  end(): void {
    if (this.#closed || !this.#writable) return;
    this.#writable = false;
    clearInterval(this.#heartbeat);
    this.#call.end();
  }

  /** Tears the stream down at once (status CANCELLED). */
  cancel(): void {
    this.#call.cancel();
  }

  #close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
  }
}
