/**
 * Test-only: a Node child process (a coordinator replica, a worker) whose log lines can be awaited,
 * so tests synchronise on what the process says ("listening", "registered"), never on sleeps.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

export class ChildHandle {
  readonly lines: string[] = [];
  readonly #waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const onLine = (line: string) => {
      this.lines.push(line);
      if (process.env.AGNT5_TEST_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      for (const waiter of this.#waiters) {
        if (!waiter.match(line)) continue;
        this.#waiters.delete(waiter);
        waiter.resolve(line);
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    this.exited = once(child, "exit").then(([code, signal]) => ({ code, signal }));
  }

  /** Runs `script` with Node; the AGNT5_* variables of the test's own environment do not leak in. */
  static start(name: string, script: string, env: Record<string, string>): ChildHandle {
    return ChildHandle.command(name, process.execPath, [script], {
      AGNT5_LOG_FORMAT: "json",
      AGNT5_LOG_LEVEL: "info",
      ...env,
    });
  }

  /** Runs any program (a redis-server of the test's own), with the same environment rule. */
  static command(name: string, file: string, args: string[], env: Record<string, string> = {}): ChildHandle {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AGNT5_")));
    const child = spawn(file, args, { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    return new ChildHandle(name, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line (already printed or still to come) containing `text`. */
  waitForLine(text: string, timeoutMs = 60_000, fromIndex = 0): Promise<string> {
    const match = (line: string) => line.includes(text);
    const seen = this.lines.slice(fromIndex).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const tail = () => this.lines.slice(-30).join("\n");
      const waiter = {
        match,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${this.name}: no line containing "${text}" within ${timeoutMs} ms. Last lines:\n${tail()}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      void this.exited.then(() => {
        if (!this.#waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before printing "${text}". Last lines:\n${tail()}`));
      });
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.running) {
      // A stopped process only dies of SIGKILL; SIGCONT lets it act on any other signal.
      if (signal !== "SIGKILL") this.child.kill("SIGCONT");
      this.child.kill(signal);
    }
    await this.exited;
  }
}

/** A port that was free a moment ago (fixed ports let a restarted replica keep its address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
