/** What a Worker reports as it runs (`worker.on(...)`); tests await these instead of sleeping. */
export interface WorkerEventMap {
  /** The coordinator accepted the registration (again, after a reconnect: `reconnect` is true). */
  registered: [info: { workerId: string; heartbeatIntervalMs: number; coordinatorVersion: string; reconnect: boolean }];
  /**
   * The stream to the coordinator ended, or could not be opened; the worker tries again after
   * `retryInMs` unless stopping. `attempts` counts the failed attempts in a row (1 for the first).
   */
  disconnected: [info: { code: number; details: string; retryInMs: number | undefined; attempts: number }];
  /** Shutdown began: no new invocations are accepted. */
  draining: [];
  /** The HTTP runtime is accepting requests. */
  listening: [address: HttpAddress];
  /** The Prometheus endpoint (metricsPort / AGNT5_METRICS_PORT) is serving GET /metrics. */
  metricsListening: [address: HttpAddress];
  /** run() is about to resolve. */
  stopped: [];
}

export interface HttpAddress {
  host: string;
  port: number;
  /** e.g. "http://127.0.0.1:8000". */
  url: string;
}
