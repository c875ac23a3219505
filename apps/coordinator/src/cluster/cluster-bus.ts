import { Redis } from "ioredis";
import { ConfigError } from "../config-error.js";
import type { ClusterMessage } from "../engine/cluster-port.js";
import type { Logger } from "../logger.js";

/** The URL without its password, for a message. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "an unparsable URL";
  }
}

/**
 * Hints between replicas over Redis pub/sub: one channel per replica token. At most once and
 * best effort by design: PostgreSQL is the record, and each replica's sweep finds what a lost
 * message would have said. Redis down slows wake-ups to the sweep's pace; it loses nothing.
 */
export class ClusterBus {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  #down = false;

  private constructor(
    publisher: Redis,
    subscriber: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
  }

  /**
   * Connects and subscribes to this replica's channel. `prefix` keeps clusters apart that share a
   * Redis (one per database and schema).
   */
  static async open(
    url: string,
    prefix: string,
    token: string,
    onMessage: (message: ClusterMessage) => void,
    logger: Logger,
  ): Promise<ClusterBus> {
    const options = {
      // Never queue commands while disconnected (a hint sent late is worse than one dropped) and
      // never give up reconnecting.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
      lazyConnect: true,
    };
    const publisher = new Redis(url, options);
    // The subscriber re-subscribes after a reconnect by itself (autoResubscribe), so it queues.
    const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    const bus = new ClusterBus(publisher, subscriber, prefix, logger);
    for (const client of [publisher, subscriber]) {
      client.on("error", (error: Error) => bus.#onError(error));
      client.on("ready", () => bus.#onReady());
    }
    subscriber.on("messageBuffer", (_channel: Buffer, payload: Buffer) => {
      let message: ClusterMessage;
      try {
        message = JSON.parse(payload.toString("utf8")) as ClusterMessage;
      } catch {
        logger.warn("Dropped a cluster message that is not JSON");
        return;
      }
      onMessage(message);
    });
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(bus.channel(token));
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      // After the start it may come and go; at the start a replica needs it to hear the others.
      throw new ConfigError(
        "REDIS_UNREACHABLE",
        `AGNT5_CLUSTER=1: Redis at AGNT5_REDIS_URL (${redactedUrl(url)}) is not reachable: ${(error as Error).message}`,
      );
    }
    return bus;
  }

  channel(token: string): string {
    return `${this.#prefix}:replica:${token}`;
  }

  send(to: string, message: ClusterMessage): void {
    this.#publisher.publish(this.channel(to), JSON.stringify(message)).catch(() => {
      // Logged once per outage by the error listener; the sweep covers the lost hint.
    });
  }

  #onError(error: Error): void {
    if (this.#down) return;
    this.#down = true;
    this.logger.warn(
      { err: error },
      "Redis is unreachable: replicas wake each other at the sweep's pace until it is back",
    );
  }

  #onReady(): void {
    if (!this.#down) return;
    this.#down = false;
    this.logger.info("Redis is reachable again");
  }

  async close(): Promise<void> {
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }
}
