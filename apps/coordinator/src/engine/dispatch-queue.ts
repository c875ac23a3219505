/** FIFO of invocation ids per service, waiting for a worker with a free slot. */
export class DispatchQueues {
  readonly #queues = new Map<string, string[]>();

  push(service: string, id: string): void {
    this.#get(service).push(id);
  }

  /** Re-dispatches (a worker died, a draining worker refused) go first: they waited longest. */
  pushFront(service: string, id: string): void {
    this.#get(service).unshift(id);
  }

  shift(service: string): string | undefined {
    return this.#queues.get(service)?.shift();
  }

  /** Empties a service's queue (its invocations are handed to another replica). */
  takeAll(service: string): string[] {
    const queue = this.#queues.get(service) ?? [];
    this.#queues.delete(service);
    return queue;
  }

  /** Services with invocations waiting. */
  services(): string[] {
    return [...this.#queues].filter(([, queue]) => queue.length > 0).map(([service]) => service);
  }

  size(service: string): number {
    return this.#queues.get(service)?.length ?? 0;
  }

  #get(service: string): string[] {
    let queue = this.#queues.get(service);
    if (!queue) {
      queue = [];
      this.#queues.set(service, queue);
    }
    return queue;
  }
}
