import type { ComponentInfo } from "./component-info.js";
import { compileInputValidators, type InputValidator, type ServiceInputValidators } from "./input-validators.js";
import type { WorkerConnection } from "./worker-connection.js";

export interface ServiceEntry {
  name: string;
  version: string;
  components: Map<string, ComponentInfo>;
  workers: Set<WorkerConnection>;
  /** Compiled at registration from the components' input schemas; see input-validators.ts. */
  inputValidators: ServiceInputValidators;
  /**
   * When a worker of the service was last seen while none is connected: the disconnect of the
   * last one, or (known only from the store after a restart) its last registration.
   */
  lastSeenAt: Date;
}

export type RemoveServiceResult = "removed" | "has_workers" | "not_found";

/**
 * Services known to the coordinator: from the store at start (so a call to a known service waits
 * for its worker after a restart instead of failing) and from live registrations.
 */
export class ServiceRegistry {
  readonly #services = new Map<string, ServiceEntry>();
  readonly #workerListeners = new Set<() => void>();

  /** `onSchemaError`: a component's input schema could not be compiled (its input is then checked by the worker only). */
  constructor(private readonly onSchemaError: (service: string, component: string, error: Error) => void = () => {}) {}

  /** Records a service's components (latest registration wins) without any worker. */
  define(name: string, version: string, components: ComponentInfo[], lastSeenAt = new Date()): ServiceEntry {
    const existing = this.#services.get(name);
    const inputValidators = compileInputValidators(components, existing?.inputValidators, (component, error) =>
      this.onSchemaError(name, component, error),
    );
    const entry = existing ?? { name, version, components: new Map(), workers: new Set(), inputValidators, lastSeenAt };
    entry.version = version;
    entry.components = new Map(components.map((component) => [component.name, component]));
    entry.inputValidators = inputValidators;
    entry.lastSeenAt = lastSeenAt;
    this.#services.set(name, entry);
    return entry;
  }

  addWorker(worker: WorkerConnection, components: ComponentInfo[]): ServiceEntry {
    const entry = this.define(worker.serviceName, worker.serviceVersion, components);
    entry.workers.add(worker);
    if (entry.workers.size === 1) this.#workersChanged();
    return entry;
  }

  removeWorker(worker: WorkerConnection): void {
    const entry = this.#services.get(worker.serviceName);
    if (!entry?.workers.delete(worker)) return;
    if (entry.workers.size === 0) {
      entry.lastSeenAt = new Date();
      this.#workersChanged();
    }
  }

  /** Told when a service gains its first worker or loses its last (a cluster replica announces it). */
  onWorkersChanged(listener: () => void): void {
    this.#workerListeners.add(listener);
  }

  #workersChanged(): void {
    for (const listener of this.#workerListeners) listener();
  }

  /** Forgets a service no worker of which is connected (an operator cleaning up a retired one). */
  remove(name: string): RemoveServiceResult {
    const entry = this.#services.get(name);
    if (!entry) return "not_found";
    if (entry.workers.size > 0) return "has_workers";
    this.#services.delete(name);
    return "removed";
  }

  /** The validator of a component's input (entity methods: `<type>.<method>`); none when it has no schema. */
  inputValidator(serviceName: string, component: string): InputValidator | undefined {
    return this.#services.get(serviceName)?.inputValidators.get(component)?.validate;
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
