/** What a Worker reports as it runs (`worker.on(...)`); tests await these instead of sleeping. */
export interface WorkerEventMap {
  /**
   * The coordinator accepted the registration (again, after a reconnect: `reconnect` is true);
   * `endpoint` is the one of the worker's coordinator endpoints it is connected to.
   */
  registered: [
    info: {
      workerId: string;
      heartbeatIntervalMs: number;
      coordinatorVersion: string;
      reconnect: boolean;
      endpoint: string;
    },
  ];
  /**
   * The stream to the coordinator at `endpoint` ended, or could not be opened; the worker tries
   * again after `retryInMs` (at the next endpoint, when it has several) unless stopping. `attempts`
   * counts the failed attempts in a row (1 for the first).
   */
  disconnected: [
    info: { code: number; details: string; retryInMs: number | undefined; attempts: number; endpoint: string },
  ];
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
