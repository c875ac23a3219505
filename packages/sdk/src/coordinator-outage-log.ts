import type { Logger } from "@agnt5/core";
import { status as GrpcStatus } from "@grpc/grpc-js";

/** Summaries while the coordinator stays unreachable: after 5, 10, 20, 40 ... failed attempts, then every 640. */
const FIRST_SUMMARY_AT = 5;
/** At the 5 s backoff ceiling, 640 attempts are about 40 minutes: a reminder, not a flood. */
const SUMMARY_EVERY_AT_MOST = 640;

/** One failed attempt to open (or keep) the Connect stream. */
export interface FailedAttempt {
  code: number;
  details: string;
  retryInMs: number;
  /** The stream had registered before it broke: a connection was lost, not refused. */
  wasRegistered: boolean;
  /** The coordinator refused the registration (a status retrying quickly cannot fix). */
  rejected: boolean;
  /** The endpoint this attempt dialled, when the worker has several (default: the log's endpoint). */
  endpoint?: string;
}

/**
 * What the worker logs about its connection to the coordinator. A coordinator that is down must not
 * produce a warning per reconnect attempt (about 12 a minute, forever): the first failure gets one
 * clear line (the endpoint, what failed, that the worker keeps retrying), then a summary at growing
 * intervals counted in attempts, and one line when the worker is registered again.
 */
export class CoordinatorOutageLog {
  readonly #logger: Logger;
  readonly #endpoint: string;
  readonly #now: () => number;
  #outage: { startedAt: number; attempts: number; nextSummaryAt: number; rejected: boolean } | undefined;

  constructor(logger: Logger, endpoint: string, now: () => number = Date.now) {
    this.#logger = logger;
    this.#endpoint = endpoint;
    this.#now = now;
  }

  /** Records a failed attempt; returns how many have failed in a row, this one included. */
  failed(attempt: FailedAttempt): number {
    const reason = describeConnectionFailure(attempt.code, attempt.details);
    const endpoint = attempt.endpoint ?? this.#endpoint;
    const fields = { endpoint, code: attempt.code, retryInMs: attempt.retryInMs };
    const log = (line: string, extra: object = {}) =>
      attempt.rejected
        ? this.#logger.error({ ...fields, ...extra }, line)
        : this.#logger.warn({ ...fields, ...extra }, line);
    // A new outage: the first failure, a lost connection, or the coordinator changing from
    // unreachable to refusing (or back), which is news worth a line of its own.
    if (!this.#outage || attempt.wasRegistered || attempt.rejected !== this.#outage.rejected) {
      this.#outage = {
        startedAt: this.#now(),
        attempts: 1,
        nextSummaryAt: FIRST_SUMMARY_AT,
        rejected: attempt.rejected,
      };
      const retrying = "the worker keeps retrying until it is back";
      if (attempt.rejected) {
        log(`Coordinator at ${endpoint} rejected the worker's registration (${reason}); the worker keeps retrying`);
      } else if (attempt.wasRegistered) {
        log(`Connection to coordinator at ${endpoint} lost (${reason}); reconnecting, ${retrying}`);
      } else {
        log(`Cannot reach coordinator at ${endpoint} (${reason}); ${retrying}`);
      }
      return 1;
    }
    const outage = this.#outage;
    outage.attempts += 1;
    if (outage.attempts >= outage.nextSummaryAt) {
      outage.nextSummaryAt += Math.min(outage.nextSummaryAt, SUMMARY_EVERY_AT_MOST);
      const downForMs = this.#now() - outage.startedAt;
      const over = `after ${outage.attempts} attempts over ${formatDuration(downForMs)} (last error: ${reason}); still retrying`;
      log(
        attempt.rejected
          ? `Coordinator at ${this.#endpoint} still rejects the worker's registration ${over}`
          : `Still cannot reach coordinator at ${this.#endpoint} ${over}`,
        { attempts: outage.attempts, downForMs },
      );
    }
    return outage.attempts;
  }

  /**
   * The coordinator at `endpoint` (default: the log's) accepted the registration (`reconnect`: not
   * for the first time): ends the outage, if any.
   */
  connected(workerId: string, reconnect: boolean, endpoint: string = this.#endpoint): void {
    const outage = this.#outage;
    this.#outage = undefined;
    if (!outage) return;
    const downForMs = this.#now() - outage.startedAt;
    const attempts = `${outage.attempts} failed attempt${outage.attempts === 1 ? "" : "s"}`;
    this.#logger.info(
      { workerId, endpoint, attempts: outage.attempts, downForMs },
      `${reconnect ? "Reconnected" : "Connected"} to coordinator at ${endpoint} after ${attempts} over ${formatDuration(downForMs)}`,
    );
  }
}

/**
 * A stream's final status as a short phrase: "UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:9091".
 * grpc-js wraps the cause in "No connection established. Last error: Error: ...", and appends
 * "Resolution note: " (usually empty) and sometimes a timestamp; only the cause helps a reader.
 */
export function describeConnectionFailure(code: number, details: string): string {
  const cause = details
    .replace(/^No connection established\.\s*Last error:\s*/i, "")
    .replace(/^(?:[A-Za-z]*Error:\s*)+/, "")
    .replace(/\s*Resolution note:\s*$/i, "")
    .replace(/\s*\(\d{4}-\d{2}-\d{2}T[^)]*\)/g, "")
    .replace(/[.\s]+$/, "");
  return `${GrpcStatus[code] ?? code}: ${cause || "stream closed"}`;
}

/** 850 -> "850ms", 42_000 -> "42s", 125_000 -> "2m 5s", 3_900_000 -> "1h 5m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes}m ${seconds % 60}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
}
