import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/**
 * Test-only: a child process whose output lines can be awaited ("wait until the worker says it
 * registered"), so tests synchronise on events, never on sleeps.
 */
export class LineProcess {
  readonly lines: string[] = [];
  readonly stdout: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<{ match: (line: string) => boolean; from: number; resolve: (line: string) => void }>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const onLine = (line: string, out: boolean) => {
      this.lines.push(line);
      if (out) this.stdout.push(line);
      if (process.env.CLI_TEST_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      for (const waiter of this.#waiters) {
        if (waiter.match(line)) {
          this.#waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    };
    createInterface({ input: child.stdout! }).on("line", (line) => onLine(line, true));
    createInterface({ input: child.stderr! }).on("line", (line) => onLine(line, false));
    this.exited = once(child, "exit").then(([code, signal]) => ({ code, signal }));
  }

  static start(name: string, args: string[], env: Record<string, string | undefined>, cwd?: string): LineProcess {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(cwd ? { cwd } : {}),
    });
    return new LineProcess(name, child);
  }

  /** Resolves with the first line containing `text` printed at or after line `from`. */
  waitForLine(text: string | RegExp, from = 0, timeoutMs = 90_000): Promise<string> {
    const match = (line: string) => (typeof text === "string" ? line.includes(text) : text.test(line));
    const seen = this.lines.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, from, resolve };
      this.#waiters.add(waiter);
      const fail = (why: string) => {
        this.#waiters.delete(waiter);
        reject(new Error(`${this.name}: ${why} "${text}". Output:\n${this.lines.slice(-40).join("\n")}`));
      };
      const timer = setTimeout(() => fail(`no line within ${timeoutMs} ms containing`), timeoutMs);
      void this.exited.then(() => {
        if (!this.#waiters.has(waiter)) return;
        clearTimeout(timer);
        fail("exited before printing");
      });
      const done = waiter.resolve;
      waiter.resolve = (line) => {
        clearTimeout(timer);
        done(line);
      };
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<unknown> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
