/**
 * Test-only: an in-process SDK Worker connected to a test coordinator over real gRPC. Resolves once
 * the coordinator acknowledged the registration; fails with a clear message if it does not.
 */
import { type Registry, Worker } from "@agnt5/sdk";

export interface TestWorker {
  readonly worker: Worker;
  readonly workerId: string;
  /** Drains and stops the worker; resolves once run() has returned. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestWorkerOptions {
  serviceName: string;
  /** The test coordinator's `endpoint` ("127.0.0.1:<grpcPort>"). */
  endpoint: string;
  registry: Registry;
  serviceVersion?: string;
  workerId?: string;
  maxConcurrency?: number;
  /** How long a run blocked on timers, signals or children stays on the worker before suspending. */
  suspendAfterMs?: number;
  /** The worker token, for a coordinator with authentication on. */
  token?: string;
  /** How long to wait for the registration to be acknowledged. */
  readyTimeoutMs?: number;
}

export async function startTestWorker(options: TestWorkerOptions): Promise<TestWorker> {
  const worker = new Worker({
    serviceName: options.serviceName,
    coordinatorEndpoint: options.endpoint,
    registry: options.registry,
    handleSignals: false,
    catchUnhandledRejections: false,
    logLevel: process.env.AGNT5_TEST_LOG_LEVEL ?? "silent",
    logFormat: "json",
    shutdownGraceMs: 1_000,
    ...(options.serviceVersion ? { serviceVersion: options.serviceVersion } : {}),
    ...(options.workerId ? { workerId: options.workerId } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
    ...(options.suspendAfterMs !== undefined ? { suspendAfterMs: options.suspendAfterMs } : {}),
  });
  const running = worker.run();
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      worker.ready,
      running.then(() => {
        throw new Error(`Worker of ${options.serviceName} stopped before it registered`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Worker of ${options.serviceName} was not registered by the coordinator at ${options.endpoint} within ${readyTimeoutMs} ms`,
              ),
            ),
          readyTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await worker.stop().catch(() => {});
    await running.catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await worker.stop("test finished");
      await running;
    })());
  return { worker, workerId: worker.workerId, stop, [Symbol.asyncDispose]: stop };
}
