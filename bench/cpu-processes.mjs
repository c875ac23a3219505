// Shared by the CPU benches (cpu.mjs, entity-cpu.mjs): each process's on-CPU time, and starting a
// coordinator or worker whose output can be awaited (optionally under --cpu-prof).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/** On-CPU nanoseconds of every thread of a process (main, libuv pool, GC), 0 once it is gone. */
export function cpuNanos(pid) {
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let total = 0;
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {} // a thread that ended between the listing and the read
  }
  return total;
}

/**
 * Starts `node <script>` in `root` with JSON info logs; `waitFor(text)` resolves once a line
 * contains it. With `profileDir`, the process writes a --cpu-prof profile there when stopped;
 * `execArgv` are further Node options (--inspect, --expose-gc).
 */
export function startProcess({ root, script, env, profileDir, execArgv = [] }) {
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...execArgv, script], {
    cwd: root,
    env: { ...process.env, AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  const exited = new Promise((done) => child.once("exit", done));
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on("line", (l) => lines.push(l));
  return {
    pid: child.pid,
    /** Every line of its stdout and stderr so far. */
    lines,
    /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
    exited,
    async waitFor(text) {
      while (!lines.some((l) => l.includes(text))) {
        if (child.exitCode !== null) throw new Error(`${script} exited:\n${lines.slice(-20).join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      // SIGINT lets a profiled process write its profile; otherwise no need to wait for a clean exit.
      if (child.exitCode === null) child.kill(profileDir ? "SIGINT" : "SIGKILL");
      await exited;
    },
  };
}
