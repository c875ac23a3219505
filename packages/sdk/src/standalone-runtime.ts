import { Agnt5Error, type Logger, type ObservabilityInit } from "@agnt5/core";
import { create, ProtocolVersion, type RegisterWorker, RegisterWorkerSchema, type StartInvocation } from "@agnt5/proto";
import { type Client, status as GrpcStatus } from "@grpc/grpc-js";
import { toComponentDescriptor } from "./component-descriptor.js";
import type { ComponentSource } from "./component-source.js";
import type { CoordinatorEndpointConfig, WorkerConfig } from "./config.js";
import { createCoordinatorClient } from "./coordinator-client.js";
import { CoordinatorOutageLog } from "./coordinator-outage-log.js";
import { type RunningInvocation, runInvocation } from "./invocation-runner.js";
import { announcedPayloadLimits, FRAME_PAYLOAD_LIMITS, type PayloadLimits } from "./payload-limits.js";
import { type ReconnectBackoff, reconnectDelayMs, sleep } from "./reconnect-backoff.js";
import { SDK_VERSION } from "./sdk-version.js";
import { settlesWithin } from "./settles-within.js";
import { withTlsHint } from "./tls-options.js";
import {
  type ConnectionEnd,
  type IncomingMessage,
  type OutgoingMessage,
  WorkerConnection,
} from "./worker-connection.js";
import type { WorkerEventMap } from "./worker-events.js";

export interface StandaloneRuntimeOptions {
  config: WorkerConfig;
  components: ComponentSource;
  logger: Logger;
  workerId: string;
  labels: Record<string, string>;
  /** The worker token (WorkerOptions.token or AGNT5_WORKER_TOKEN); undefined for a dev-mode coordinator. */
  token?: string | undefined;
  /** Delays between reconnect attempts (resolved, see resolveReconnectBackoff). */
  reconnectBackoff: ReconnectBackoff;
  /** ctx.secrets() and ctx.config() providers of every invocation. */
  observability?: ObservabilityInit;
  emit<K extends keyof WorkerEventMap>(event: K, ...args: WorkerEventMap[K]): void;
}

interface InFlight {
  connection: WorkerConnection;
  running?: RunningInvocation;
}

/** Used when the coordinator sends heartbeat_interval_ms = 0. */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
/** After the grace period: how long aborted handlers get to report before we report for them. */
const ABORT_SETTLE_MS = 1_000;
/** How long to wait for the coordinator to close its side after we half-close. */
const CLOSE_TIMEOUT_MS = 2_000;
/** Statuses that mean "the coordinator refuses this worker": retrying quickly cannot help. */
const REJECTION_CODES = new Set<number>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.UNIMPLEMENTED,
]);

/**
 * The standalone runtime: one Connect stream to the coordinator, re-opened with backoff whenever it
 * breaks, over which invocations arrive and results leave.
 *
 * Every invocation (function or workflow) runs on the durable engine (see invocation-runner.ts):
 * its journal entries go out as ProposeEntry, EntryAcks are routed back to it, CancelInvocation
 * reaches it as a cancellation, and a suspended invocation is forgotten (its slot freed).
 *
 * When a stream breaks, the invocations that arrived on it are aborted and their results dropped:
 * the coordinator re-dispatches them (as a new attempt), and letting the old attempt run on would
 * duplicate the work concurrently and make this worker exceed the concurrency it advertised.
 */
export class StandaloneRuntime {
  readonly #options: StandaloneRuntimeOptions;
  readonly #inFlight = new Map<string, InFlight>();
  /** Aborted when shutdown begins: ends the reconnect loop and wakes it from a backoff sleep. */
  readonly #stopping = new AbortController();
  #connection: WorkerConnection | undefined;
  /** The endpoint of the stream being opened or open (the coordinator the worker is connected to). */
  #endpoint: string;
  #draining = false;
  #registrations = 0;
  /** What the coordinator announced at registration; payloads over them are refused before sending. */
  #payloadLimits: PayloadLimits = FRAME_PAYLOAD_LIMITS;
  readonly #outageLog: CoordinatorOutageLog;
  #running: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(options: StandaloneRuntimeOptions) {
    this.#options = options;
    this.#endpoint = options.config.coordinatorEndpoint;
    const endpoints = options.config.coordinators.map((coordinator) => coordinator.endpoint);
    // Summaries of a long outage name every endpoint; each failure and reconnection names its own.
    const label = endpoints.length > 1 ? `any of ${endpoints.join(", ")}` : options.config.coordinatorEndpoint;
    this.#outageLog = new CoordinatorOutageLog(options.logger, label);
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Connects and serves until stop(); resolves once the stream and channel are closed. */
  run(): Promise<void> {
    this.#running ??= this.#serve();
    return this.#running;
  }

  /** Drains (see Worker.stop) and resolves once run() has finished. Idempotent. */
  stop(reason = "worker shutting down"): Promise<void> {
    this.#shutdown ??= this.#drainAndClose(reason);
    return this.#shutdown;
  }

  async #serve(): Promise<void> {
    const { config } = this.#options;
    const backoff = this.#options.reconnectBackoff;
    const { coordinators } = config;
    // Round robin over the endpoints: every stream that ends (lost, or never opened) moves the next
    // attempt to the next endpoint. One endpoint keeps one channel for all its reconnects; with
    // several, the channel of the endpoint left behind is closed rather than left retrying in the
    // background, and a new one is opened when its turn comes again.
    let index = 0;
    let client = this.#dial(index);
    let failures = 0;
    try {
      while (!this.#stopping.signal.aborted) {
        const registrationsBefore = this.#registrations;
        const endpoint = (coordinators[index] as CoordinatorEndpointConfig).endpoint;
        this.#endpoint = endpoint;
        const connection = new WorkerConnection(
          client,
          this.#registration(),
          (message) => this.#onMessage(connection, message),
          this.#options.token,
        );
        this.#connection = connection;
        const end = await connection.ended;
        // A failed TLS handshake says in OpenSSL's words what went wrong; we say which setting fixes it.
        const details = withTlsHint(end.details, coordinators[index]?.tls);
        this.#connection = undefined;
        this.#abandon(connection, end);
        if (this.#stopping.signal.aborted) break;

        const wasRegistered = this.#registrations > registrationsBefore;
        if (wasRegistered) failures = 0;
        // Refused before registration completed: the coordinator will not change its mind quickly.
        const rejected = !wasRegistered && REJECTION_CODES.has(end.code);
        const retryInMs = rejected ? backoff.maxDelayMs : reconnectDelayMs(failures++, backoff);
        // One line per outage and a few summaries, not one per attempt (see CoordinatorOutageLog).
        const attempts = this.#outageLog.failed({
          code: end.code,
          details,
          retryInMs,
          wasRegistered,
          rejected,
          ...(coordinators.length > 1 ? { endpoint } : {}),
        });
        this.#options.emit("disconnected", { code: end.code, details, retryInMs, attempts, endpoint });
        await sleep(retryInMs, this.#stopping.signal);
        if (coordinators.length > 1 && !this.#stopping.signal.aborted) {
          client.close();
          index = (index + 1) % coordinators.length;
          client = this.#dial(index);
        }
      }
    } finally {
      client.close();
    }
  }

  #dial(index: number): Client {
    const coordinator = this.#options.config.coordinators[index] as CoordinatorEndpointConfig;
    return createCoordinatorClient(coordinator.target, this.#options.reconnectBackoff, coordinator.tls);
  }

  #registration(): RegisterWorker {
    const { config, components, workerId, labels } = this.#options;
    return create(RegisterWorkerSchema, {
      protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
      serviceName: config.serviceName,
      serviceVersion: config.serviceVersion,
      workerId,
      components: components.list().map(toComponentDescriptor),
      maxConcurrency: config.maxConcurrency,
      sdkVersion: SDK_VERSION,
      labels,
    });
  }

  #onMessage(connection: WorkerConnection, message: IncomingMessage): void {
    const { logger } = this.#options;
    switch (message.case) {
      case "registered": {
        const heartbeatIntervalMs = Number(message.value.heartbeatIntervalMs) || DEFAULT_HEARTBEAT_INTERVAL_MS;
        this.#payloadLimits = announcedPayloadLimits(message.value.payloadLimits);
        connection.startHeartbeats(heartbeatIntervalMs, () => this.#inFlight.size);
        const reconnect = this.#registrations > 0;
        this.#registrations += 1;
        // The first line is the seed's; after an outage the outage log says the worker is back.
        const endpoint = this.#endpoint;
        if (!reconnect) {
          logger.info({ workerId: this.#options.workerId, endpoint }, "Worker running, waiting for tasks...");
        }
        this.#outageLog.connected(this.#options.workerId, reconnect, endpoint);
        this.#options.emit("registered", {
          workerId: message.value.workerId || this.#options.workerId,
          heartbeatIntervalMs,
          coordinatorVersion: message.value.coordinatorVersion,
          reconnect,
          endpoint,
        });
        return;
      }
      case "start":
        this.#start(connection, message.value);
        return;
      case "cancel": {
        const { invocationId, reason } = message.value;
        const entry = this.#inFlight.get(invocationId);
        if (!entry?.running || entry.connection !== connection) {
          logger.debug({ invocationId }, "Cancel for an invocation that is not running here");
          return;
        }
        logger.info({ invocationId, reason }, "Cancelling invocation");
        // The engine rejects what the handler awaits with CancelledError; ctx.abortSignal aborts too.
        entry.running.cancel(reason);
        return;
      }
      case "heartbeatAck":
        return;
      case "entryAck": {
        const { invocationId, index, result } = message.value;
        const entry = this.#inFlight.get(invocationId);
        if (!entry?.running || entry.connection !== connection) {
          // Suspended, finished or superseded here: the coordinator re-dispatches with the journal.
          logger.debug({ invocationId, index }, "Ignoring entry_ack for an invocation this worker no longer holds");
          return;
        }
        entry.running.onAck(index, result);
        return;
      }
      default:
        return;
    }
  }

  #start(connection: WorkerConnection, start: StartInvocation): void {
    const { config, components, logger } = this.#options;
    const { invocationId, attempt } = start;
    if (this.#draining) {
      // Retryable, so the coordinator hands it to another worker (or to us after a restart).
      connection.send({
        case: "failed",
        value: {
          invocationId,
          attempt,
          failure: {
            code: "WORKER_DRAINING",
            message: `Worker ${this.#options.workerId} is shutting down and accepts no new invocations`,
            retryable: true,
            type: "WorkerDrainingError",
          },
        },
      });
      return;
    }
    const previous = this.#inFlight.get(invocationId);
    if (previous?.running) {
      // A re-dispatch of something we still run: the new attempt supersedes the old one.
      previous.running.detach();
      previous.running.abort(new Agnt5Error({ message: "Superseded by a newer attempt", code: "SUPERSEDED" }));
    }
    if (this.#inFlight.size >= config.maxConcurrency) {
      logger.warn(
        { invocationId, inFlight: this.#inFlight.size },
        `More than maxConcurrency (${config.maxConcurrency}) invocations in flight`,
      );
    }
    const entry: InFlight = { connection };
    this.#inFlight.set(invocationId, entry);
    entry.running = runInvocation(start, {
      components,
      serviceName: config.serviceName,
      serviceVersion: config.serviceVersion,
      logger,
      suspendAfterMs: config.suspendAfterMs,
      payloadLimits: this.#payloadLimits,
      ...(this.#options.observability ? { observability: this.#options.observability } : {}),
      send: (message: OutgoingMessage) => {
        // Release the slot before the result (or the suspension) leaves, so a coordinator that
        // dispatches the next invocation as soon as it reads this one never sees us over capacity.
        // A suspended invocation is forgotten entirely: its EntryAcks are ignored from now on.
        if (message.case === "completed" || message.case === "failed" || message.case === "suspend") {
          this.#release(invocationId, entry);
        }
        entry.connection.send(message);
      },
    });
    void entry.running.done.then(() => this.#release(invocationId, entry));
  }

  #release(invocationId: string, entry: InFlight): void {
    if (this.#inFlight.get(invocationId) === entry) this.#inFlight.delete(invocationId);
  }

  /** The stream broke: abort what arrived on it and drop its results (the coordinator re-dispatches). */
  #abandon(connection: WorkerConnection, end: ConnectionEnd): void {
    for (const [invocationId, entry] of this.#inFlight) {
      if (entry.connection !== connection) continue;
      this.#inFlight.delete(invocationId);
      entry.running?.detach();
      entry.running?.abort(
        new Agnt5Error({ message: `Connection to coordinator lost (${end.details || end.code})`, code: "WORKER_LOST" }),
      );
    }
  }

  async #drainAndClose(reason: string): Promise<void> {
    if (!this.#running) return;
    const { config, logger } = this.#options;
    this.#stopping.abort();
    this.#draining = true;
    this.#options.emit("draining");
    const connection = this.#connection;
    connection?.send({ case: "drain", value: { reason } });

    if (this.#inFlight.size > 0) {
      logger.info(
        { inFlight: this.#inFlight.size, graceMs: config.shutdownGraceMs },
        `Draining: waiting for ${this.#inFlight.size} in-flight invocation(s)`,
      );
    }
    if (!(await this.#settled(config.shutdownGraceMs))) {
      logger.warn({ inFlight: this.#inFlight.size }, "Shutdown grace period elapsed; aborting in-flight invocations");
      const abortReason = new Agnt5Error({
        message: "Worker shut down before the invocation finished",
        code: "WORKER_DRAINING",
      });
      for (const entry of this.#inFlight.values()) entry.running?.abort(abortReason);
      // Handlers that honour ctx.abortSignal report the (retryable) failure themselves.
      if (!(await this.#settled(ABORT_SETTLE_MS))) {
        for (const [invocationId, entry] of this.#inFlight) {
          entry.running?.detach();
          this.#inFlight.delete(invocationId);
          entry.connection.send({
            case: "failed",
            value: {
              invocationId,
              attempt: entry.running?.attempt ?? 0,
              failure: { code: "WORKER_DRAINING", message: abortReason.message, retryable: true, type: "Agnt5Error" },
            },
          });
        }
      }
    }

    if (connection) {
      connection.end();
      const closed = await settlesWithin(connection.ended, CLOSE_TIMEOUT_MS);
      if (!closed) connection.cancel();
    }
    await this.#running;
  }

  /** true once every in-flight invocation has settled, false if `timeoutMs` passed first. */
  async #settled(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return true;
    const all = Promise.all([...this.#inFlight.values()].map((entry) => entry.running?.done));
    return settlesWithin(all, timeoutMs);
  }
}
