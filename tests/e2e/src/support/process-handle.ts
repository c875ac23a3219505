import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/**
 * A child process whose JSON log lines can be awaited ("wait until the worker says it is
 * registered"), so tests synchronise on events, never on sleeps.
 */
export class ProcessHandle {
  readonly lines: string[] = [];
  readonly #waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const onLine = (line: string) => {
      this.lines.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      for (const waiter of this.#waiters) {
        if (waiter.match(line)) {
          this.#waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    this.exited = once(child, "exit").then(([code, signal]) => ({ code, signal }));
  }

  static start(name: string, script: string, env: Record<string, string>): ProcessHandle {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ProcessHandle(name, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first line (already printed or still to come) containing `text`. */
  waitForLine(text: string, timeoutMs = 60_000): Promise<string> {
    const match = (line: string) => line.includes(text);
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.#waiters.add(waiter);
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `${this.name}: no line containing "${text}" within ${timeoutMs} ms. Output:\n${this.lines.slice(-30).join("\n")}`,
          ),
        );
      }, timeoutMs);
      this.exited.then(() => {
        if (!this.#waiters.has(waiter)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        reject(
          new Error(`${this.name} exited before printing "${text}". Output:\n${this.lines.slice(-30).join("\n")}`),
        );
      });
      void Promise.resolve().then(() => timer);
    }).then((line) => line as string);
  }

  /** Counts lines containing `text` printed after `fromIndex`. */
  countLines(text: string, fromIndex = 0): number {
    return this.lines.slice(fromIndex).filter((line) => line.includes(text)).length;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<unknown> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
