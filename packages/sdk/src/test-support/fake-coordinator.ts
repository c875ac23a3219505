/**
 * Test-only: a real in-process gRPC server on port 0 that plays the coordinator's side of
 * agnt5.v1.WorkerService/Connect, scripted by the test. Everything is awaitable, so tests wait for
 * protocol events instead of sleeping.
 */

import type { EntryResult, JournalEntry } from "@agnt5/durable";
import {
  ComponentKind,
  type CoordinatorMessage,
  CoordinatorMessageSchema,
  create,
  type RegisterWorker,
  type WorkerMessage,
  workerServiceDefinition,
} from "@agnt5/proto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { entryToProto, journalFromProto, resultToProto } from "../journal-codec.js";

type Call = grpc.ServerDuplexStream<WorkerMessage, CoordinatorMessage>;
type Received = NonNullable<WorkerMessage["message"]>;
type ReceivedCase = NonNullable<Received["case"]>;
type ValueOf<C extends ReceivedCase> = Extract<Received, { case: C }>["value"];
type Outgoing = NonNullable<MessageInitShape<typeof CoordinatorMessageSchema>["message"]>;

export interface FakeCoordinatorOptions {
  /** Sent in WorkerRegistered. Default 60 s, so heartbeats stay out of tests that don't want them. */
  heartbeatIntervalMs?: number;
  /** Return a status to refuse the registration (the stream ends with it). */
  onRegister?: (registration: RegisterWorker) => { code: grpc.status; details: string } | undefined;
  /**
   * Acknowledge every proposed entry at once, like a coordinator that commits instantly: entries
   * proposed with a result (step, deterministic, signal_emit) are acked with it, awaiting ones
   * (timer, signal_wait, call) without one ("recorded, pending").
   */
  autoAck?: boolean;
}

export interface StartInit {
  componentName: string;
  /** A JSON value, encoded for you. */
  input?: unknown;
  /** Raw input bytes (e.g. invalid JSON); wins over `input`. */
  rawInput?: Uint8Array;
  invocationId?: string;
  attempt?: number;
  headers?: Record<string, string>;
  metadata?: Record<string, string>;
  /** Default: the invocation id. */
  runId?: string;
  /** Default FUNCTION. */
  componentKind?: ComponentKind;
  /** StartInvocation.journal, in the engine's form (JSON values); encoded for you. */
  journal?: JournalEntry[];
  cancelRequested?: boolean;
  /** Entity invocations (componentKind ENTITY): the key and the method. */
  objectKey?: string;
  methodName?: string;
  /** The committed entity state; each value is JSON-encoded for you. */
  state?: Record<string, unknown>;
  /** Committed entity state fields as the text to send (not checked: may be invalid JSON). */
  rawState?: Record<string, string>;
  stateVersion?: number;
}

/** A StateChange of InvocationCompleted, its value decoded from JSON. */
export type DecodedStateChange = { key: string; deleted: false; value: unknown } | { key: string; deleted: true };

/** A ProposeEntry as the test sees it: the entry decoded to the engine's form, with its attempt. */
export interface Proposal {
  invocationId: string;
  attempt: number;
  entry: JournalEntry;
}

export type InvocationOutcome =
  | { case: "completed"; value: ValueOf<"completed">; chunks: ValueOf<"chunk">[] }
  | { case: "failed"; value: ValueOf<"failed">; chunks: ValueOf<"chunk">[] };

/** One worker's Connect stream, seen from the coordinator. */
export class FakeWorkerStream {
  readonly received: Received[] = [];
  readonly registration: Promise<RegisterWorker>;
  /** Settles when the stream is over (the worker hung up, or the server went away). */
  readonly closed: Promise<void>;
  readonly #call: Call;
  #waiters: Array<() => void> = [];
  #nextId = 0;

  constructor(call: Call, options: FakeCoordinatorOptions) {
    this.#call = call;
    if (options.autoAck) {
      call.on("data", (message: WorkerMessage) => {
        if (message.message.case !== "proposeEntry") return;
        const { invocationId, entry } = message.message.value;
        if (!entry) return;
        this.send({
          case: "entryAck",
          value: { invocationId, index: entry.index, ...(entry.result ? { result: entry.result } : {}) },
        });
      });
    }
    this.closed = new Promise((resolve) => {
      call.on("close", () => resolve());
      call.on("error", () => resolve());
      call.on("finish", () => resolve());
    });
    call.on("data", (message: WorkerMessage) => {
      if (message.message.case === undefined) return;
      this.received.push(message.message);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    // The worker half-closed after draining: end our side too, as the coordinator does.
    call.on("end", () => call.end());
    this.registration = this.waitFor("register").then((registration) => {
      const refusal = options.onRegister?.(registration);
      if (refusal) {
        // grpc-js turns an 'error' on a server stream into the call's final status.
        call.emit("error", refusal);
      } else {
        this.send({
          case: "registered",
          value: {
            workerId: registration.workerId,
            heartbeatIntervalMs: BigInt(options.heartbeatIntervalMs ?? 60_000),
            coordinatorVersion: "fake-0",
          },
        });
      }
      return registration;
    });
  }

  send(message: Outgoing): void {
    this.#call.write(create(CoordinatorMessageSchema, { message }));
  }

  /** Dispatches an invocation; returns its id. */
  start(init: StartInit): string {
    const invocationId = init.invocationId ?? `inv-${++this.#nextId}`;
    this.send({
      case: "start",
      value: {
        invocationId,
        componentName: init.componentName,
        input: init.rawInput ?? new TextEncoder().encode(JSON.stringify(init.input ?? null)),
        attempt: init.attempt ?? 1,
        runId: init.runId ?? invocationId,
        componentKind: init.componentKind ?? ComponentKind.FUNCTION,
        headers: init.headers ?? {},
        metadata: init.metadata ?? {},
        journal: (init.journal ?? []).map(entryToProto),
        cancelRequested: init.cancelRequested ?? false,
        objectKey: init.objectKey ?? "",
        methodName: init.methodName ?? "",
        state: [
          ...Object.entries(init.state ?? {}).map(([key, value]) => ({
            key,
            value: new TextEncoder().encode(JSON.stringify(value)),
          })),
          ...Object.entries(init.rawState ?? {}).map(([key, text]) => ({ key, value: new TextEncoder().encode(text) })),
        ],
        stateVersion: BigInt(init.stateVersion ?? 0),
      },
    });
    return invocationId;
  }

  cancel(invocationId: string, reason = ""): void {
    this.send({ case: "cancel", value: { invocationId, reason } });
  }

  /** Sends an EntryAck: without a result ("recorded, pending"), or with the entry's result. */
  ack(invocationId: string, index: number, result?: EntryResult): void {
    this.send({
      case: "entryAck",
      value: { invocationId, index, ...(result === undefined ? {} : { result: resultToProto(result) }) },
    });
  }

  /** Acks a proposal the way a coordinator commits it: with the result it carries, if any. */
  commit(proposal: Proposal): void {
    this.ack(proposal.invocationId, proposal.entry.index, proposal.entry.result);
  }

  /** Every ProposeEntry received so far for `invocationId`, decoded. */
  proposals(invocationId: string): Proposal[] {
    return this.received
      .filter((message): message is Extract<Received, { case: "proposeEntry" }> => message.case === "proposeEntry")
      .map((message) => message.value)
      .filter((value) => value.invocationId === invocationId && value.entry)
      .map((value) => ({
        invocationId,
        attempt: value.attempt,
        entry: journalFromProto([value.entry!])[0]!,
      }));
  }

  /** The proposal of entry `index` of `invocationId` (received so far or later). */
  async proposal(invocationId: string, index: number): Promise<Proposal> {
    await this.waitFor("proposeEntry", (value) => value.invocationId === invocationId && value.entry?.index === index);
    return this.proposals(invocationId).find((proposal) => proposal.entry.index === index)!;
  }

  /** The SuspendInvocation of `invocationId`. */
  suspension(invocationId: string): Promise<ValueOf<"suspend">> {
    return this.waitFor("suspend", (value) => value.invocationId === invocationId);
  }

  /**
   * The first message of `kind` (received so far or later) that matches `predicate`; with `from`,
   * only messages received at that position of `received` or after.
   */
  async waitFor<C extends ReceivedCase>(
    kind: C,
    predicate: (value: ValueOf<C>) => boolean = () => true,
    from = 0,
  ): Promise<ValueOf<C>> {
    for (;;) {
      const found = this.received
        .slice(from)
        .find((message) => message.case === kind && predicate(message.value as ValueOf<C>));
      if (found) return found.value as ValueOf<C>;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** How invocation `invocationId` ended, with the chunks it streamed before. */
  async outcome(invocationId: string): Promise<InvocationOutcome> {
    const ended = await Promise.race([
      this.waitFor("completed", (value) => value.invocationId === invocationId).then((value) => ({
        case: "completed" as const,
        value,
      })),
      this.waitFor("failed", (value) => value.invocationId === invocationId).then((value) => ({
        case: "failed" as const,
        value,
      })),
    ]);
    const chunks = this.received
      .filter((message): message is Extract<Received, { case: "chunk" }> => message.case === "chunk")
      .map((message) => message.value)
      .filter((chunk) => chunk.invocationId === invocationId);
    return { ...ended, chunks } as InvocationOutcome;
  }

  /** Like outcome(), for an invocation expected to succeed: throws the failure if it did not. */
  async completed(invocationId: string): Promise<{
    output: unknown;
    attempt: number;
    chunks: ValueOf<"chunk">[];
    stateChanges: DecodedStateChange[];
  }> {
    const outcome = await this.outcome(invocationId);
    if (outcome.case === "failed") {
      const failure = outcome.value.failure;
      throw new Error(`${invocationId} failed: ${failure?.code}: ${failure?.message}`);
    }
    const { output, attempt } = outcome.value;
    return {
      output: output.byteLength ? JSON.parse(new TextDecoder().decode(output)) : undefined,
      attempt,
      chunks: outcome.chunks,
      stateChanges: outcome.value.stateChanges.map((change) =>
        change.deleted
          ? { key: change.key, deleted: true as const }
          : { key: change.key, deleted: false as const, value: JSON.parse(new TextDecoder().decode(change.value)) },
      ),
    };
  }
}

export class FakeCoordinator {
  readonly streams: FakeWorkerStream[] = [];
  readonly #options: FakeCoordinatorOptions;
  #server: grpc.Server | undefined;
  #port = 0;
  #waiters: Array<() => void> = [];

  private constructor(options: FakeCoordinatorOptions) {
    this.#options = options;
  }

  static async start(options: FakeCoordinatorOptions = {}): Promise<FakeCoordinator> {
    const coordinator = new FakeCoordinator(options);
    await coordinator.#listen(0);
    return coordinator;
  }

  get port(): number {
    return this.#port;
  }

  /** As a worker's coordinatorEndpoint. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The `index`-th stream (0-based) to connect, once it has. */
  async stream(index: number): Promise<FakeWorkerStream> {
    for (;;) {
      const stream = this.streams[index];
      if (stream) return stream;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Kills the server and every stream at once, like a crashed coordinator. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    server?.forceShutdown();
  }

  /** Comes back on the same port. */
  async restart(): Promise<void> {
    await this.#listen(this.#port);
  }

  async #listen(port: number): Promise<void> {
    const server = new grpc.Server();
    server.addService(workerServiceDefinition, {
      connect: (call: Call) => {
        this.streams.push(new FakeWorkerStream(call, this.#options));
        for (const wake of this.#waiters.splice(0)) wake();
      },
    });
    this.#port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    this.#server = server;
  }
}
