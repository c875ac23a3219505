import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { Agnt5Error, type Logger } from "@agnt5/core";
import { type ComponentSource, createComponentSource } from "./component-source.js";
import { resolveWorkerConfig, type WorkerConfig, type WorkerRuntime } from "./config.js";
import { DEFAULT_BODY_LIMIT_BYTES } from "./http-body.js";
import type { CorsOptions } from "./http-cors.js";
import type { HttpRequestListener } from "./http-request-handler.js";
import { HttpRuntime } from "./http-runtime.js";
import { createWorkerLogger } from "./logger.js";
import { resolveProviders } from "./observability/providers.js";
import { startWorkerTelemetry } from "./observability/worker-telemetry.js";
import { installProcessGuards } from "./process-guards.js";
import { type ReconnectBackoff, resolveReconnectBackoff } from "./reconnect-backoff.js";
import { StandaloneRuntime } from "./standalone-runtime.js";
import type { HttpAddress, WorkerEventMap } from "./worker-events.js";
import type { WorkerOptions } from "./worker-options.js";

/**
 * Hosts components. `runtime: "standalone"` (default) connects to the coordinator over gRPC and
 * runs the invocations it sends; `runtime: "http"` (the seed's "asgi") serves them over HTTP.
 *
 * @example
 * const worker = new Worker("hello-service");
 * await worker.run(); // until SIGINT/SIGTERM or worker.stop()
 */
export class Worker extends EventEmitter<WorkerEventMap> {
  readonly config: WorkerConfig;
  readonly workerId: string;
  readonly logger: Logger;
  /** Resolves once the coordinator acknowledged the registration (standalone) or the server listens (http). */
  readonly ready: Promise<void>;
  readonly #options: WorkerOptions;
  readonly #components: ComponentSource;
  readonly #reconnectBackoff: ReconnectBackoff;
  #http: HttpRuntime | undefined;
  #standalone: StandaloneRuntime | undefined;
  #running = false;

  constructor(serviceName: string, options?: Omit<WorkerOptions, "serviceName">);
  constructor(options?: WorkerOptions);
  constructor(first?: string | WorkerOptions, second: Omit<WorkerOptions, "serviceName"> = {}) {
    super();
    const options: WorkerOptions = typeof first === "string" ? { ...second, serviceName: first } : (first ?? {});
    this.#options = options;
    this.config = resolveWorkerConfig(options);
    this.#reconnectBackoff = resolveReconnectBackoff(options.reconnectBackoff);
    this.workerId = options.workerId ?? randomUUID();
    this.logger = options.logger ?? createWorkerLogger({ level: this.config.logLevel, format: this.config.logFormat });
    this.#components = createComponentSource(options.registry, options.components);
    this.ready = new Promise((resolve) => {
      const onReady = () => {
        this.off("registered", onReady);
        this.off("listening", onReady);
        resolve();
      };
      this.on("registered", onReady);
      this.on("listening", onReady);
    });
  }

  get runtime(): WorkerRuntime {
    return this.config.runtime;
  }

  get serviceName(): string {
    return this.config.serviceName;
  }

  /** true while run() is running, or while a server started with listen() is up. */
  isRunning(): boolean {
    return this.#running || this.#http?.listening === true;
  }

  /**
   * Runs until stop() (or SIGINT/SIGTERM, which also exit the process with code 0 afterwards).
   * Standalone: connects, registers, serves invocations, reconnects when the stream breaks.
   * HTTP: listens on `httpPort`.
   */
  async run(): Promise<void> {
    if (this.#running) throw new Agnt5Error({ message: "Worker.run() is already running", code: "ALREADY_RUNNING" });
    this.#running = true;
    const { logger, config } = this;
    logger.info(`Starting worker for service: ${config.serviceName}`);
    const components = this.#components.list();
    for (const component of components) logger.info(`Registered ${component.kind}: ${component.name}`);
    if (components.length === 0) logger.warn("No components are registered: define them with fn() before worker.run()");

    // OTLP export when the OTEL_* variables ask for it (nothing is installed otherwise), and the
    // Prometheus port when metricsPort is set.
    const telemetry = startWorkerTelemetry(config, logger, (address) => this.emit("metricsListening", address));
    const removeGuards = installProcessGuards({
      logger,
      catchUnhandledRejections: this.#options.catchUnhandledRejections !== false,
      ...(this.#options.handleSignals === false ? {} : { onSignal: (signal) => this.#shutdownOnSignal(signal) }),
    });
    try {
      if (config.runtime === "http") {
        await this.listen(config.httpPort);
        await this.#httpRuntime().closed;
      } else {
        this.#standalone = new StandaloneRuntime({
          config,
          components: this.#components,
          logger,
          workerId: this.workerId,
          labels: this.#options.labels ?? {},
          token: this.#options.token ?? process.env.AGNT5_WORKER_TOKEN?.trim(),
          reconnectBackoff: this.#reconnectBackoff,
          observability: resolveProviders(this.#options),
          emit: (event, ...args) => this.emit(event, ...(args as never)),
        });
        await this.#standalone.run();
      }
    } finally {
      removeGuards();
      await telemetry?.shutdown();
      this.#standalone = undefined;
      this.#running = false;
      logger.info("Worker stopped");
      this.emit("stopped");
    }
  }

  /**
   * Graceful shutdown: tells the coordinator to send nothing new (Drain), answers invocations that
   * still arrive with a retryable WORKER_DRAINING failure, waits up to `shutdownGraceMs` for those
   * in flight, aborts the rest, then closes the stream and channel. Resolves once run() is done.
   * HTTP runtime: stops accepting connections, gives running invocations the same grace period,
   * then aborts them and closes the server. Safe to call more than once, or when not running.
   */
  async stop(reason = "worker shutting down"): Promise<void> {
    const standalone = this.#standalone;
    const http = this.#http?.listening ? this.#http : undefined;
    if (!standalone && !http) return;
    this.logger.info({ reason }, "Stopping worker");
    if (http) this.emit("draining");
    await Promise.all([standalone?.stop(reason), http?.close(this.config.shutdownGraceMs)]);
  }

  /** Allows cross-origin browser calls to the HTTP runtime: from every origin, or only `origins`. */
  enableCors(options?: CorsOptions): this {
    this.#httpRuntime().enableCors(options);
    return this;
  }

  disableCors(): this {
    this.#httpRuntime().disableCors();
    return this;
  }

  /** The HTTP runtime as a `(req, res)` listener for any node http server: `createServer(worker.handler)`. */
  get handler(): HttpRequestListener {
    return this.#httpRuntime().listener;
  }

  /** Alias of `handler`. */
  get requestListener(): HttpRequestListener {
    return this.handler;
  }

  /** Serves the HTTP runtime on `port` (default `httpPort`; 0 picks a free one) without blocking. */
  async listen(port: number = this.config.httpPort, host?: string): Promise<HttpAddress> {
    const address = await this.#httpRuntime().listen(port, host);
    this.logger.info({ url: address.url }, `HTTP runtime listening on ${address.url}`);
    this.emit("listening", address);
    return address;
  }

  #httpRuntime(): HttpRuntime {
    this.#http ??= new HttpRuntime({
      components: this.#components,
      serviceName: this.config.serviceName,
      serviceVersion: this.config.serviceVersion,
      logger: this.logger,
      bodyLimitBytes: this.#options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    });
    return this.#http;
  }

  #shutdownOnSignal(signal: NodeJS.Signals): void {
    this.logger.info({ signal }, `Received ${signal}, shutting down gracefully...`);
    this.stop(`received ${signal}`).then(
      // setImmediate: let the code awaiting run() continue (its cleanup) before the process exits.
      () => setImmediate(() => process.exit(0)),
      (error: unknown) => {
        this.logger.error({ stack: (error as Error)?.stack }, `Shutdown failed: ${(error as Error)?.message}`);
        setImmediate(() => process.exit(1));
      },
    );
  }
}
