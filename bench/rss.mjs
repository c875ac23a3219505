// Resident memory of bench processes, read from /proc/<pid>/status (VmRSS: every thread of the
// process, PGlite's WASM heap on its worker thread included). Linux only: elsewhere nothing is read.
import { existsSync, readFileSync } from "node:fs";

export const rssAvailable = existsSync("/proc/self/status");

/** VmRSS of a process in bytes; 0 once it is gone (or off Linux). */
export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * Samples the RSS of `processes` ({ name, pid }) every `intervalMs` until stop(), which returns
 * per process { peakMb, steadyMb, samples }: the highest sample, and the median of the second
 * half of the samples (the level the process settled at under the load, past its ramp-up).
 */
export function sampleRss(processes, intervalMs = 50) {
  const series = processes.map(() => []);
  const take = () => {
    for (const [i, p] of processes.entries()) series[i].push(rssBytes(p.pid));
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return Object.fromEntries(processes.map((p, i) => [p.name, summarize(series[i])]));
    },
  };
}

function summarize(samples) {
  const late = samples.slice(Math.floor(samples.length / 2)).sort((a, b) => a - b);
  return {
    peakMb: mb(Math.max(...samples)),
    steadyMb: mb(late[Math.floor(late.length / 2)]),
    samples: samples.length,
  };
}
