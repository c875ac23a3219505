import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

/** A child Node process whose log lines can be awaited: tests synchronise on what it says, not on sleeps. */
export class NodeProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<unknown>;
  readonly #waiters = new Set<{ text: string; resolve: () => void }>();
  readonly #child: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    this.#child = spawn(process.execPath, [script], {
      env: { ...process.env, AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const onLine = (line: string) => {
      this.lines.push(line);
      if (process.env.CONSOLE_TEST_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      for (const waiter of this.#waiters) {
        if (line.includes(waiter.text)) {
          this.#waiters.delete(waiter);
          waiter.resolve();
        }
      }
    };
    createInterface({ input: this.#child.stdout! }).on("line", onLine);
    createInterface({ input: this.#child.stderr! }).on("line", onLine);
    this.exited = once(this.#child, "exit");
  }

  /** Resolves once a line containing `text` was printed; rejects if the process exits first. */
  waitForLine(text: string): Promise<void> {
    if (this.lines.some((line) => line.includes(text))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.add({ text, resolve });
      void this.exited.then(() =>
        reject(new Error(`${this.name} exited before printing "${text}":\n${this.lines.slice(-30).join("\n")}`)),
      );
    });
  }

  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
    await this.exited;
  }
}

/** A port the OS had free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
