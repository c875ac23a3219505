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
