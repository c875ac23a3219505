import { isAbsolute, resolve } from "node:path";
import { DEFAULT_URL } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { type ChildExit, DevChild } from "./child.js";
import { coordinatorBin } from "./coordinator-bin.js";
import { requireFreePorts } from "./ports.js";
import { liveWorkerIds, waitForCoordinator, waitForNewWorker } from "./readiness.js";
import { watchFiles } from "./watcher.js";

export interface DevOptions {
  workerFile: string;
  port: number;
  grpcPort: number;
  host: string;
  dataDir: string;
  /** The coordinator's log level: "warn" by default, so the worker's logs and ours stand out. */
  coordinatorLogLevel: string;
  watch: string[];
  debounceMs: number;
  write(line: string): void;
}

/**
 * `agnt5 dev`: the coordinator on the embedded store plus the worker, the worker restarted when a
 * watched file changes. Resolves with the exit code once stopped (Ctrl-C: 0; the coordinator
 * dying: 1).
 */
export class DevSession {
  readonly #options: DevOptions;
  readonly #url: string;
  #coordinator: DevChild | undefined;
  #worker: DevChild | undefined;
  #watcher: { close(): void } | undefined;
  #restarting: Promise<void> | undefined;
  #restartAgain: string[] | undefined;
  #stopping: Promise<number> | undefined;
  #resolveDone!: (code: number) => void;
  readonly done = new Promise<number>((resolve) => {
    this.#resolveDone = resolve;
  });

  constructor(options: DevOptions) {
    this.#options = options;
    this.#url = `http://127.0.0.1:${options.port}`;
  }

  async start(): Promise<void> {
    const { host, port, grpcPort } = this.#options;
    await requireFreePorts(host, [
      { port, what: "the coordinator's HTTP gateway", option: "--port" },
      { port: grpcPort, what: "the coordinator's gRPC port for workers", option: "--grpc-port" },
    ]);
    const bin = coordinatorBin();
    this.#log(`Starting the coordinator (embedded store in ${this.#options.dataDir})`);
    const coordinator = new DevChild("coordinator", [bin], {
      cwd: process.cwd(),
      write: this.#options.write,
      env: {
        ...process.env,
        AGNT5_HOST: host,
        AGNT5_HTTP_PORT: String(port),
        AGNT5_GRPC_PORT: String(grpcPort),
        AGNT5_DATA_DIR: this.#options.dataDir,
        // The embedded store, whatever the shell says: dev mode never writes to a shared database.
        AGNT5_DATABASE_URL: "",
        // `agnt5 dev` is local development: no keys, no worker tokens (the coordinator warns once).
        AGNT5_DEV_MODE: "1",
        AGNT5_LOG_LEVEL: this.#options.coordinatorLogLevel,
        AGNT5_LOG_FORMAT: process.env.AGNT5_LOG_FORMAT ?? "pretty",
      },
    });
    this.#coordinator = coordinator;
    void coordinator.exited.then((exit) => {
      if (this.#stopping) return;
      this.#log(`The coordinator exited (${describeExit(exit)}); its output above says why. Stopping.`);
      void this.stop(EXIT.FAILED);
    });
    await waitForCoordinator(this.#url, coordinator);
    this.#log(`Coordinator ready: HTTP ${this.#url}, gRPC 127.0.0.1:${grpcPort}`);
    await this.#startWorker("started");
    this.#watcher = watchFiles({
      dirs: this.#options.watch,
      ignore: [this.#options.dataDir],
      workerFile: this.#options.workerFile,
      debounceMs: this.#options.debounceMs,
      onChange: (files) => this.#restart(files),
    });
    this.#log(`Watching ${this.#options.watch.join(", ")} for changes. Ctrl-C stops everything.`);
    const url = this.#url === DEFAULT_URL ? "" : ` --url ${this.#url}`;
    this.#log(`Try: npm run agnt5 --${url} call <service>/<handler> '<json>'   or open ${this.#url}/console`);
  }

  /** Stops the worker, then the coordinator. The first reason to stop decides the exit code. */
  stop(code: number): Promise<number> {
    this.#stopping ??= (async () => {
      this.#watcher?.close();
      this.#log("Stopping the worker and the coordinator");
      await this.#worker?.stop("SIGTERM", 10_000);
      await this.#coordinator?.stop("SIGTERM", 10_000);
      this.#resolveDone(code);
      return code;
    })();
    return this.#stopping;
  }

  async #startWorker(verb: "started" | "restarted", since = Date.now()): Promise<void> {
    const before = await liveWorkerIds(this.#url).catch(() => new Set<string>());
    const worker = new DevChild("worker", [this.#options.workerFile], {
      cwd: process.cwd(),
      write: this.#options.write,
      env: {
        ...process.env,
        AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${this.#options.grpcPort}`,
        AGNT5_LOG_FORMAT: process.env.AGNT5_LOG_FORMAT ?? "pretty",
        // A restart should not wait long for in-flight calls: they are journaled and resume on the new worker.
        AGNT5_SHUTDOWN_GRACE_MS: process.env.AGNT5_SHUTDOWN_GRACE_MS ?? "2000",
      },
    });
    this.#worker = worker;
    void worker.exited.then((exit) => {
      if (this.#stopping || this.#worker !== worker || this.#restarting) return;
      this.#log(`The worker exited (${describeExit(exit)}). Fix the code: it restarts when a file changes.`);
    });
    const ready = await waitForNewWorker(this.#url, before, worker);
    if (!ready) {
      if (this.#stopping) return;
      this.#log("The worker exited before it registered. Fix the code: it restarts when a file changes.");
      return;
    }
    const seconds = ((Date.now() - since) / 1000).toFixed(1);
    this.#log(
      `Worker ${verb} in ${seconds}s: ${ready.services.map((s) => `${s.name} (${s.components})`).join(", ")} live`,
    );
  }

  #restart(files: string[]): void {
    if (this.#stopping) return;
    if (this.#restarting) {
      this.#restartAgain = [...(this.#restartAgain ?? []), ...files];
      return;
    }
    const at = new Date().toLocaleTimeString("en-GB");
    this.#log(
      `${files.length === 1 ? files[0] : `${files[0]} and ${files.length - 1} more`} changed at ${at}; restarting the worker`,
    );
    const since = Date.now();
    this.#restarting = (async () => {
      await this.#worker?.stop("SIGTERM", 5_000);
      if (!this.#stopping) await this.#startWorker("restarted", since);
    })()
      .catch((error: unknown) => this.#log(`Restart failed: ${(error as Error).message}`))
      .finally(() => {
        this.#restarting = undefined;
        const again = this.#restartAgain;
        this.#restartAgain = undefined;
        if (again) this.#restart(again);
      });
  }

  #log(message: string): void {
    this.#options.write(`[agnt5 dev] ${message}`);
  }
}

export function resolveWorkerFile(file: string): string {
  const path = isAbsolute(file) ? file : resolve(file);
  if (/\.(c|m)?tsx?$/.test(path)) {
    throw new CliError(
      `${file} is TypeScript; Node 20 runs JavaScript. Build it (npm run build) and pass the built file, e.g. dist/worker.js, with --watch src to restart on source changes after your build runs.`,
      { exitCode: EXIT.USAGE, code: "USAGE" },
    );
  }
  return path;
}

function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
