import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process (coordinator or worker) whose output is shown line by line with a prefix. It
 * runs in its own process group, so a terminal's Ctrl-C reaches only the CLI, which stops the
 * worker before the coordinator (the worker drains while the coordinator can still take results).
 */
export class DevChild {
  readonly exited: Promise<ChildExit>;
  readonly #child: ChildProcess;

  constructor(
    readonly name: string,
    args: string[],
    options: { env: NodeJS.ProcessEnv; cwd: string; write: (line: string) => void },
  ) {
    this.#child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const prefix = `[${name}] `;
    createInterface({ input: this.#child.stdout! }).on("line", (line) => options.write(prefix + line));
    createInterface({ input: this.#child.stderr! }).on("line", (line) => options.write(prefix + line));
    this.exited = Promise.race([
      once(this.#child, "exit").then(([code, signal]) => ({ code, signal }) as ChildExit),
      once(this.#child, "error").then(([error]) => {
        options.write(`${prefix}could not start: ${(error as Error).message}`);
        return { code: 1, signal: null } as ChildExit;
      }),
    ]);
    // If the CLI itself dies abruptly (an uncaught error), its children must not outlive it.
    process.once("exit", this.#killOnExit);
    void this.exited.then(() => process.removeListener("exit", this.#killOnExit));
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Sends `signal`, then SIGKILL after `graceMs` if the process is still there. */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<ChildExit> {
    if (this.running) this.#child.kill(signal);
    const timer = setTimeout(() => {
      if (this.running) this.#child.kill("SIGKILL");
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  readonly #killOnExit = () => {
    if (this.running) this.#child.kill("SIGKILL");
  };
}
