import { CliError, EXIT } from "../errors.js";
import type { DevChild } from "./child.js";

interface ServiceBody {
  name: string;
  components: { name: string }[];
  workers: { workerId: string }[];
}

/** Worker ids connected now (GET /v1/services). */
export async function liveWorkerIds(url: string): Promise<Set<string>> {
  const { services } = (await (await fetch(`${url}/v1/services`)).json()) as { services: ServiceBody[] };
  return new Set(services.flatMap((service) => service.workers.map((worker) => worker.workerId)));
}

/**
 * Waits until the coordinator answers /health; throws if its process exits first. Polling is the
 * event here: the coordinator has no other way to say it listens to a parent that pipes its logs.
 */
export async function waitForCoordinator(url: string, coordinator: DevChild): Promise<void> {
  let exited = false;
  void coordinator.exited.then(() => {
    exited = true;
  });
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (exited) {
      throw new CliError("The coordinator exited before it was ready; its output above says why.", {
        exitCode: EXIT.FAILED,
      });
    }
    const ok = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Waits until a worker id not in `before` is connected (the new process registered its service),
 * or the worker process exits first (undefined).
 */
export async function waitForNewWorker(
  url: string,
  before: Set<string>,
  worker: DevChild,
): Promise<{ services: { name: string; components: string }[] } | undefined> {
  let exited = false;
  void worker.exited.then(() => {
    exited = true;
  });
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (exited) return undefined;
    const response = await fetch(`${url}/v1/services`).catch(() => undefined);
    if (response?.ok) {
      const { services } = (await response.json()) as { services: ServiceBody[] };
      const fresh = services.filter((service) => service.workers.some((w) => !before.has(w.workerId)));
      if (fresh.length > 0) {
        return {
          services: fresh.map((service) => ({
            name: service.name,
            components: service.components.map((component) => component.name).join(", "),
          })),
        };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
