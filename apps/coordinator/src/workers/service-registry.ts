import type { ComponentInfo } from "./component-info.js";
import type { WorkerConnection } from "./worker-connection.js";

export interface ServiceEntry {
  name: string;
  version: string;
  components: Map<string, ComponentInfo>;
  workers: Set<WorkerConnection>;
}

/**
 * Services known to the coordinator: from the store at start (so a call to a known service waits
 * for its worker after a restart instead of failing) and from live registrations.
 */
export class ServiceRegistry {
  readonly #services = new Map<string, ServiceEntry>();

  /** Records a service's components (latest registration wins) without any worker. */
  define(name: string, version: string, components: ComponentInfo[]): ServiceEntry {
    const entry = this.#services.get(name) ?? { name, version, components: new Map(), workers: new Set() };
    entry.version = version;
    entry.components = new Map(components.map((component) => [component.name, component]));
    this.#services.set(name, entry);
    return entry;
  }

  addWorker(worker: WorkerConnection, components: ComponentInfo[]): ServiceEntry {
    const entry = this.define(worker.serviceName, worker.serviceVersion, components);
    entry.workers.add(worker);
    return entry;
  }

  removeWorker(worker: WorkerConnection): void {
    this.#services.get(worker.serviceName)?.workers.delete(worker);
  }

  get(name: string): ServiceEntry | undefined {
    return this.#services.get(name);
  }

  list(): ServiceEntry[] {
    return [...this.#services.values()];
  }

  /** The least loaded worker of the service that can take one more invocation. */
  pickWorker(serviceName: string): WorkerConnection | undefined {
    let best: WorkerConnection | undefined;
    for (const worker of this.#services.get(serviceName)?.workers ?? []) {
      if (worker.available && (!best || worker.load < best.load)) best = worker;
    }
    return best;
  }
}
