// A worker's optional Prometheus port (metricsPort / AGNT5_METRICS_PORT): the handlers' ctx.metrics()
// counters and histograms, scraped after a known load.
import { once } from "node:events";
import { fn, Registry } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { Worker } from "./worker.js";
import type { HttpAddress } from "./worker-events.js";

describe("a worker's Prometheus port", () => {
  it("serves the ctx.metrics() counts of the invocations it ran, with service and component labels", async () => {
    const registry = new Registry();
    fn({ name: "charge", registry }, (input: { currency: string; cents: number }, ctx) => {
      ctx.metrics().increment("charges.count", { currency: input.currency });
      ctx.metrics().observe("charge.cents", input.cents, { currency: input.currency });
      return { ok: true };
    });
    const worker = new Worker("billing", {
      runtime: "http",
      httpPort: 0,
      metricsPort: 0,
      registry,
      logger: createCaptureLogger(),
      handleSignals: false,
    });
    const metricsAddress = once(worker, "metricsListening") as Promise<[HttpAddress]>;
    const httpAddress = once(worker, "listening") as Promise<[HttpAddress]>;
    const running = worker.run();
    try {
      const [{ port: httpPort }] = await httpAddress;
      const [{ url: metricsUrl }] = await metricsAddress;

      const calls = [
        ...Array.from({ length: 8 }, () => ({ currency: "eur", cents: 100 })),
        ...Array.from({ length: 4 }, () => ({ currency: "usd", cents: 250 })),
      ];
      for (const call of calls) {
        const response = await fetch(`http://127.0.0.1:${httpPort}/invoke/charge`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(call),
        });
        expect(response.status).toBe(200);
      }

      const text = await (await fetch(metricsUrl)).text();
      const sample = (name: string, currency: string): number | undefined => {
        const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(`currency="${currency}"`));
        return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
      };
      expect(sample("charges_count_total", "eur")).toBe(8);
      expect(sample("charges_count_total", "usd")).toBe(4);
      expect(sample("charge_cents_count", "usd")).toBe(4);
      expect(sample("charge_cents_sum", "eur")).toBe(800);
      expect(text).toMatch(/^charges_count_total\{[^}]*agnt5_component="charge"[^}]*agnt5_service="billing"/m);
      expect(text).toMatch(/^target_info\{[^}]*service_name="billing"/m);
    } finally {
      await worker.stop();
      await running;
    }
  });
});
