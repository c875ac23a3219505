/**
 * Test-only: a redis-server of the test's own on a free port, no persistence (what a restart
 * loses is everything), so a test can kill and restart it without touching the shared Redis.
 */
import { ChildHandle, freePort } from "./child-process.js";

export class RedisProcess {
  #process: ChildHandle | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on its port and resolves once it accepts connections. */
  async restart(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    this.#process = ChildHandle.command(`redis:${this.port}`, "redis-server", args);
    await this.#process.waitForLine("Ready to accept connections", 20_000);
  }

  kill(): Promise<void> {
    return this.#process?.kill("SIGKILL") ?? Promise.resolve();
  }
}
