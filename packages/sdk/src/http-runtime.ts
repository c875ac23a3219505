import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agnt5Error, type Logger } from "@agnt5/core";
import type { ComponentSource } from "./component-source.js";
import { type CorsOptions, type CorsPolicy, createCorsPolicy } from "./http-cors.js";
import { createHttpRequestHandler, type HttpRequestListener } from "./http-request-handler.js";
import { settlesWithin } from "./settles-within.js";
import type { HttpAddress } from "./worker-events.js";

export interface HttpRuntimeOptions {
  components: ComponentSource;
  serviceName: string;
  serviceVersion: string;
  logger: Logger;
  bodyLimitBytes: number;
}

/** After the grace period: how long aborted handlers get to answer before connections are cut. */
const ABORT_SETTLE_MS = 1_000;

/**
 * The HTTP runtime (the seed's "asgi" runtime): serves the components over node:http instead of
 * connecting to a coordinator. `listener` works with any node http server; listen()/close() run
 * a server of its own.
 */
export class HttpRuntime {
  readonly listener: HttpRequestListener;
  readonly #inFlight = new Map<AbortController, Promise<unknown>>();
  #cors: CorsPolicy | undefined;
  #server: Server | undefined;
  #closed: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: HttpRuntimeOptions) {
    this.listener = createHttpRequestHandler({
      ...options,
      cors: () => this.#cors,
      track: (controller, done) => {
        this.#inFlight.set(controller, done);
        const release = () => this.#inFlight.delete(controller);
        done.then(release, release);
      },
    });
  }

  enableCors(options?: CorsOptions): void {
    this.#cors = createCorsPolicy(options);
  }

  disableCors(): void {
    this.#cors = undefined;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  /** Resolves once the server listening via listen() has closed. */
  get closed(): Promise<void> {
    return this.#closed ?? Promise.resolve();
  }

  /** Starts a server on `port` (0: any free port) and resolves with where it listens. */
  async listen(port: number, host?: string): Promise<HttpAddress> {
    if (this.#server)
      throw new Agnt5Error({ message: "The HTTP runtime is already listening", code: "ALREADY_RUNNING" });
    const server = createServer(this.listener);
    this.#server = server;
    this.#closed = new Promise((resolve) => server.once("close", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    // An unspecified address ("::", "0.0.0.0") is reachable as localhost; show that in the URL.
    const shown = host ?? (address.address === "::" || address.address === "0.0.0.0" ? "localhost" : address.address);
    const urlHost = shown.includes(":") ? `[${shown}]` : shown;
    return { host: shown, port: address.port, url: `http://${urlHost}:${address.port}` };
  }

  /**
   * Stops accepting connections, lets running invocations finish for up to `graceMs`, then aborts
   * them (ctx.abortSignal) and cuts the remaining connections.
   */
  close(graceMs: number): Promise<void> {
    this.#closing ??= this.#close(graceMs).finally(() => {
      this.#closing = undefined;
    });
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    const server = this.#server;
    if (!server) return;
    // Node >= 19 also closes idle keep-alive connections here.
    server.close();
    if (!(await this.#settled(graceMs))) {
      const reason = new Agnt5Error({
        message: "Worker shut down before the invocation finished",
        code: "WORKER_DRAINING",
      });
      for (const controller of this.#inFlight.keys()) controller.abort(reason);
      await this.#settled(ABORT_SETTLE_MS);
    }
    server.closeAllConnections();
    await this.#closed;
    this.#server = undefined;
  }

  #settled(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return Promise.resolve(true);
    return settlesWithin(Promise.allSettled([...this.#inFlight.values()]), timeoutMs);
  }
}
