import type { EntryResultRow, InvocationRecord } from "../store/index.js";
import type { ActiveInvocation } from "./active-invocation.js";
import type { ClusterMessage, ClusterPort } from "./cluster-port.js";
import type { EngineContext } from "./engine-context.js";
import { recordOutcome } from "./invocation-handle.js";
import { entityKeyId, KeyOwnerHints } from "./key-owner-hints.js";

/** How long a failed hand-over or key lookup waits before it is tried again. */
const ROUTE_RETRY_MS = 500;

export interface RoutingHooks {
  /** The queued invocations of a service, out of its queue. */
  takeQueued(service: string): ActiveInvocation[];
  /** Services with queued invocations. */
  queuedServices(): string[];
  /** Puts an invocation back at the front of its queue. */
  requeue(invocation: ActiveInvocation): void;
}

/**
 * The engine's side of several replicas (docs/replicas.md). Ownership is in PostgreSQL
 * (invocations.owner_token, entity_key_owners); this part moves it and passes hints:
 * - a run whose service has no worker here goes to a replica that has one (hand-over);
 * - an entity key is written by one replica: invocations for it go to its owner, and an idle key
 *   whose owner has no worker for it moves, with its waiting invocations, to one that has;
 * - a result for a run owned elsewhere is sent to its owner, who wakes it;
 * - a caller here waiting on a run owned elsewhere is told when it ends (and polls as a fallback).
 * Messages are hints; `sweep()` finds what a lost one would have said.
 */
export class ClusterRouting {
  /** Entity keys this replica writes (`type\0key`). */
  readonly #ownedKeys = new Set<string>();
  /** The replica that wrote other keys when last asked. */
  readonly #keyOwners = new KeyOwnerHints();
  /** Per key, the lookup in progress: invocations for a key are routed in arrival order. */
  readonly #keyRoutes = new Map<string, Promise<void>>();
  /** Services whose queue is being handed over, and those asked again meanwhile. */
  readonly #handingOver = new Set<string>();
  readonly #askedAgain = new Set<string>();
  /** Invocations being loaded after a hand-over (a message and the sweep may both bring one). */
  readonly #adopting = new Set<string>();
  /** A takeover's invocations being recovered, and the end of that (see recovering()). */
  #recovering: { ids: ReadonlySet<string>; done: Promise<void> } | undefined;
  /** Replicas to tell when an invocation owned here ends. */
  readonly #watchers = new Map<string, Set<string>>();
  /** Invocations owned elsewhere that callers here wait for. */
  readonly #remoteWaits = new Set<string>();
  /** Handed-over streaming invocations whose callers here read their chunks (kept for their listeners). */
  readonly #remoteStreams = new Map<string, ActiveInvocation>();
  /** Invocations adopted from a replica whose caller streams them: their chunks go back there. */
  readonly #streamTo = new Map<string, string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  /** Set while invocations are put back in their queue: their dispatch must not hand over again. */
  #requeuing = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly cluster: ClusterPort,
    private readonly hooks: RoutingHooks,
  ) {}

  get token(): string {
    return this.cluster.token;
  }

  // --- runs without a worker here -------------------------------------------------------------

  /** A service has queued invocations and no worker connected here: hand them to a replica with one. */
  noLocalWorker(service: string): void {
    if (this.#closed || this.#requeuing) return;
    if (this.#handingOver.has(service)) {
      this.#askedAgain.add(service);
      return;
    }
    const to = this.cluster.replicaWith(service);
    if (!to) return;
    const taken = this.hooks.takeQueued(service);
    if (taken.length === 0) return;
    this.#handingOver.add(service);
    const plain = taken.filter((invocation) => invocation.kind !== "entity");
    const entities = taken.filter((invocation) => invocation.kind === "entity");
    void Promise.all([this.#handOver(plain, to), this.#moveKeys(entities, to)]).finally(() => {
      this.#handingOver.delete(service);
      if (this.#askedAgain.delete(service)) this.noLocalWorker(service);
    });
  }

  /** The replicas changed (one joined, left, or announced new services): retry waiting queues. */
  peersChanged(): void {
    for (const service of this.hooks.queuedServices()) {
      if ((this.ctx.services.get(service)?.workers.size ?? 0) === 0) this.noLocalWorker(service);
    }
  }

  async #handOver(invocations: ActiveInvocation[], to: string): Promise<void> {
    if (invocations.length === 0) return;
    try {
      // Their records must exist before their owner can change.
      await Promise.all(invocations.map((invocation) => invocation.recorded.catch(() => undefined)));
      const live = invocations.filter((invocation) => this.ctx.active.get(invocation.id) === invocation);
      const moved = new Set(
        await this.cluster.handOff(
          live.map((invocation) => invocation.id),
          to,
        ),
      );
      for (const invocation of live) {
        if (moved.has(invocation.id)) this.#letGo(invocation);
        else this.#requeue([invocation]);
      }
      if (moved.size > 0)
        this.#sendAdopt(
          to,
          live.filter((invocation) => moved.has(invocation.id)),
        );
    } catch (error) {
      this.ctx.logger.warn({ err: error, to }, "Could not hand invocations to another replica; keeping them queued");
      this.#requeue(invocations.filter((invocation) => this.ctx.active.get(invocation.id) === invocation));
    }
  }

  /** Drops a handed-over invocation from memory; its callers here wait for the new owner's word. */
  #letGo(invocation: ActiveInvocation): void {
    this.ctx.active.delete(invocation.id);
    this.ctx.observer?.left?.(invocation);
    this.ctx.waiters.adopt(invocation.id, (outcome) => {
      this.#remoteStreams.delete(invocation.id);
      invocation.settle(outcome);
    });
    this.#remoteWaits.add(invocation.id);
    // A streaming handler's caller here keeps reading its chunks, relayed by the new owner.
    if (this.#streams(invocation)) this.#remoteStreams.set(invocation.id, invocation);
  }

  #streams(invocation: ActiveInvocation): boolean {
    const component = this.ctx.services.get(invocation.service)?.components.get(invocation.handler);
    return invocation.listeners.size > 0 || component?.streaming === true;
  }

  #sendAdopt(to: string, invocations: readonly ActiveInvocation[]): void {
    const stream = invocations.filter((invocation) => this.#remoteStreams.has(invocation.id)).map((i) => i.id);
    this.cluster.send(to, {
      type: "adopt",
      ids: invocations.map((invocation) => invocation.id),
      origin: this.token,
      ...(stream.length > 0 ? { stream } : {}),
    });
  }

  /** A chunk of an invocation owned here: relayed to the replica whose caller streams it. */
  chunk(id: string, seq: number, data: string): void {
    const to = this.#streamTo.get(id);
    if (to) this.cluster.send(to, { type: "chunk", id, seq, data });
  }

  /**
   * Entity invocations queued here with no worker: each idle key (no write of it running or
   * suspended) moves with all its invocations to `to`; the others wait for their write to end.
   */
  async #moveKeys(invocations: ActiveInvocation[], to: string): Promise<void> {
    const byKey = new Map<string, ActiveInvocation[]>();
    for (const invocation of invocations) {
      const id = keyId(invocation);
      byKey.set(id, [...(byKey.get(id) ?? []), invocation]);
    }
    for (const [id, queued] of byKey) {
      const first = queued[0]!;
      const detached = this.ctx.entities.detachIdleKey(first.handler, first.objectKey ?? "", queued);
      if (!detached) {
        this.#requeue(queued);
        continue;
      }
      // From here invocations of the key arriving meanwhile wait for the move, then ask who writes it.
      this.#ownedKeys.delete(id);
      const move = this.#moveKey({ type: first.handler, key: first.objectKey ?? "" }, [...queued, ...detached], to);
      this.#keyRoutes.set(id, move);
      void move.finally(() => {
        if (this.#keyRoutes.get(id) === move) this.#keyRoutes.delete(id);
      });
      await move;
    }
  }

  async #moveKey(key: { type: string; key: string }, all: ActiveInvocation[], to: string): Promise<void> {
    try {
      await Promise.all(all.map((invocation) => invocation.recorded.catch(() => undefined)));
      const ids = all.map((invocation) => invocation.id);
      if (await this.cluster.transferKey(key, ids, to)) {
        for (const invocation of all) this.#letGo(invocation);
        this.#sendAdopt(to, all);
        return;
      }
    } catch (error) {
      this.ctx.logger.warn({ err: error, to }, "Could not move an entity key to another replica; keeping it");
    }
    // Not moved (the target is gone, or the key is not ours): each asks again who writes the key,
    // in their order; this replica when nobody else does.
    for (const invocation of all) this.admitEntity(invocation);
  }

  /**
   * Back in their queue without asking for a hand-over again at once (that would spin while the
   * key is busy): the next arrival, the key's release or the sweep tries again.
   */
  #requeue(invocations: readonly ActiveInvocation[]): void {
    this.#requeuing = true;
    try {
      for (const invocation of invocations) this.hooks.requeue(invocation);
    } finally {
      this.#requeuing = false;
    }
  }

  // --- entity keys ----------------------------------------------------------------------------

  /**
   * A takeover moved a dead replica's invocations here and `recovery` is re-admitting them: entity
   * invocations arriving meanwhile wait for its end, so a key's recovered writes keep their place
   * ahead of new ones. The store keeps only the last write's marker: a new write committed first
   * would make a recovered write whose state had committed (its record had not) run a second time
   * (found by the replica chaos test).
   */
  recovering(ids: ReadonlySet<string>, recovery: Promise<unknown>): void {
    const previous = this.#recovering;
    const entry = {
      ids: previous ? new Set([...previous.ids, ...ids]) : ids,
      done: Promise.all([previous?.done, recovery]).then(
        () => undefined,
        () => undefined,
      ),
    };
    this.#recovering = entry;
    void entry.done.then(() => {
      if (this.#recovering === entry) this.#recovering = undefined;
    });
  }

  /** Entity invocations reach their key's scheduler on the replica that writes the key. */
  admitEntity(invocation: ActiveInvocation): void {
    const recovering = this.#recovering;
    if (recovering && !recovering.ids.has(invocation.id)) {
      void recovering.done.then(() => this.admitEntity(invocation));
      return;
    }
    const id = keyId(invocation);
    const pending = this.#keyRoutes.get(id);
    if (!pending && this.#ownedKeys.has(id)) {
      this.ctx.entities.admit(invocation);
      return;
    }
    const route = (pending ?? Promise.resolve()).then(() => this.#routeEntity(invocation, id));
    this.#keyRoutes.set(id, route);
    void route.finally(() => {
      if (this.#keyRoutes.get(id) === route) this.#keyRoutes.delete(id);
    });
  }

  async #routeEntity(invocation: ActiveInvocation, id: string): Promise<void> {
    if (this.ctx.active.get(invocation.id) !== invocation) return;
    try {
      if (!this.#ownedKeys.has(id)) {
        // Who wrote the key last time: a hint (the hand-over checks the replica still lives, and
        // a replica that no longer writes the key passes the invocation on).
        let owner = this.#keyOwners.get(id);
        if (owner === undefined) {
          owner = await this.cluster.claimKey(invocation.handler, invocation.objectKey ?? "");
          if (owner !== this.token) this.#keyOwners.remember(id, owner);
        }
        if (owner !== this.token) {
          await invocation.recorded;
          const moved = await this.cluster.handOff([invocation.id], owner);
          if (moved.length === 1) {
            this.#letGo(invocation);
            this.#sendAdopt(owner, [invocation]);
            return;
          }
          // Its owner was taken over meanwhile: ask again who writes the key.
          this.#keyOwners.forget(id);
          throw new Error(`the replica owning entity key ${id.replace("\u0000", "/")} is gone`);
        }
        // The key came here while a takeover is recovered (the claim answered after its commit):
        // this write waits for the recovered writes of the key, as admitEntity makes others wait.
        const recovering = this.#recovering;
        if (recovering && !recovering.ids.has(invocation.id)) {
          void recovering.done.then(() => this.admitEntity(invocation));
          return;
        }
        this.#ownedKeys.add(id);
      }
      this.ctx.entities.admit(invocation);
    } catch (error) {
      this.ctx.logger.warn(
        { err: error, invocationId: invocation.id },
        "Could not route an entity invocation; retrying",
      );
      this.#later(() => this.admitEntity(invocation));
    }
  }

  /** A takeover gave this replica more keys: they are found in the store on their next use. */
  forgetKeys(): void {
    this.#ownedKeys.clear();
    this.#keyOwners.clear();
  }

  // --- results and ends across replicas -------------------------------------------------------

  /**
   * A result for an invocation not in memory here: sent to its owner when that is another replica
   * (true), else left to the local resume (false).
   */
  async deliverElsewhere(id: string, index: number, result: EntryResultRow): Promise<boolean> {
    const owner = await this.cluster.ownerOf(id);
    if (!owner || owner.finished || owner.owner === null || owner.owner === this.token) return false;
    this.cluster.send(owner.owner, { type: "deliver", id, index, result });
    return true;
  }

  /** Asks another replica's run to re-read its record (run control changed it); true if it is elsewhere. */
  async refreshElsewhere(id: string): Promise<boolean> {
    const owner = await this.cluster.ownerOf(id);
    if (!owner || owner.finished || owner.owner === null || owner.owner === this.token) return false;
    this.cluster.send(owner.owner, { type: "refresh", id });
    return true;
  }

  /** A caller here waits for a run not in memory here: its owner is asked to say when it ends. */
  watch(record: InvocationRecord): void {
    if (this.ctx.active.has(record.id) || recordOutcome(record)) return;
    void this.cluster.ownerOf(record.id).then(
      (owner) => {
        if (!owner || owner.owner === null || owner.owner === this.token) return;
        this.#remoteWaits.add(record.id);
        this.cluster.send(owner.owner, { type: "watch", id: record.id, replica: this.token });
      },
      () => this.#remoteWaits.add(record.id),
    );
  }

  /** An invocation owned here ended: the replicas waiting for it are told. */
  settled(id: string): void {
    this.#streamTo.delete(id);
    const watchers = this.#watchers.get(id);
    if (!watchers) return;
    this.#watchers.delete(id);
    for (const replica of watchers) this.cluster.send(replica, { type: "settled", id });
  }

  // --- messages -------------------------------------------------------------------------------

  onMessage(message: ClusterMessage): void {
    if (this.#closed) return;
    switch (message.type) {
      case "adopt":
        for (const id of message.stream ?? []) this.#streamTo.set(id, message.origin);
        for (const id of message.ids) {
          this.#watch(id, message.origin);
          void this.adopt(id);
        }
        return;
      case "chunk": {
        // In order per sender (one pub/sub channel); a chunk already seen (a re-run) is dropped.
        const invocation = this.#remoteStreams.get(message.id);
        if (!invocation || message.seq !== invocation.chunks.length) return;
        invocation.chunks.push(message.data);
        for (const listener of invocation.listeners) listener(message.seq, message.data);
        return;
      }
      case "deliver":
        void this.ctx.deliver(message.id, message.index, message.result);
        return;
      case "settled":
        void this.#settleRemote(message.id);
        return;
      case "watch":
        this.#watch(message.id, message.replica);
        // Ended already (or never here): the watcher reads the record now.
        if (!this.ctx.active.has(message.id)) {
          void this.ctx.records.get(message.id).then((record) => {
            if (record && recordOutcome(record)) this.settled(message.id);
          });
        }
        return;
      case "refresh":
        void this.#refresh(message.id);
        return;
    }
  }

  #watch(id: string, replica: string): void {
    if (replica === this.token) return;
    let set = this.#watchers.get(id);
    if (!set) {
      set = new Set();
      this.#watchers.set(id, set);
    }
    set.add(replica);
  }

  async #settleRemote(id: string): Promise<void> {
    const record = await this.ctx.records.get(id).catch(() => undefined);
    const outcome = record && recordOutcome(record);
    if (!outcome) return;
    this.#remoteWaits.delete(id);
    this.ctx.waiters.settle(id, outcome);
  }

  /** Loads an invocation handed to this replica and drives it (unless it is here already or ended). */
  async adopt(id: string): Promise<void> {
    if (this.ctx.active.has(id) || this.ctx.resuming(id) || this.#adopting.has(id)) return;
    this.#adopting.add(id);
    try {
      // Only what this replica owns now: the sweep's list may predate a hand-over from here (the
      // run then lived on as a second copy here, routed in a loop after the new owner finished it
      // and holding its caller: found by the Redis restart test).
      const owner = await this.cluster.ownerOf(id);
      if (!owner || owner.finished || owner.owner !== this.token) return;
      // Moved here by a takeover whose recovery re-admits it in its key's order: the sweep must
      // not admit it first, ahead of older writes of its key.
      if (this.#recovering?.ids.has(id)) return;
      const record = await this.ctx.records.get(id);
      if (!record || (record.status !== "pending" && record.status !== "running")) return;
      if (this.ctx.active.has(id)) return;
      this.#remoteWaits.delete(id);
      // Sent here as the key's writer: what this replica remembered of the key's owner is stale.
      if (record.kind === "entity") this.#keyOwners.forget(entityKeyId(record.handler, record.objectKey));
      const invocation = await this.ctx.revive(record, Math.max(record.attempt, 1));
      this.ctx.admit(invocation);
    } catch (error) {
      this.ctx.logger.warn(
        { err: error, invocationId: id },
        "Could not load an invocation handed to this replica; the sweep retries",
      );
    } finally {
      this.#adopting.delete(id);
    }
  }

  /** Run control on another replica changed the record: the live invocation follows it. */
  async #refresh(id: string): Promise<void> {
    const record = await this.ctx.records.get(id);
    if (!record) return;
    const live = this.ctx.active.get(id);
    if (!live) {
      // Suspended here: a cancellation brings it back so it can see it.
      if (record.status === "suspended" && record.cancelRequested) await this.ctx.resume(id);
      return;
    }
    live.paused = record.paused && !record.cancelRequested;
    if (record.cancelRequested && !live.cancelRequested) {
      live.cancelRequested = true;
      if (live.state === "running" && live.worker) {
        live.worker.send({ case: "cancel", value: { invocationId: id, reason: "cancel requested" } });
      }
    }
    // Held and resumed (or cancelled): queued again; queued and paused: held.
    if ((live.state === "held" && !live.paused) || (live.state === "queued" && live.paused)) this.ctx.ready(live);
  }

  // --- the safety net -------------------------------------------------------------------------

  /**
   * What lost hints would have said, from the store: runs owned here that nobody drives (handed
   * over while Redis was down), suspended runs whose awaited entry completed, and the end of runs
   * owned elsewhere that callers here wait for.
   */
  async sweep(): Promise<void> {
    // Queues left waiting (a busy key, a failed hand-over) are offered to other replicas again.
    this.peersChanged();
    for (const id of await this.ctx.records.unfinishedIds()) {
      if (!this.ctx.active.has(id) && !this.ctx.resuming(id)) await this.adopt(id);
    }
    for (const record of await this.ctx.records.listSuspendedReady()) {
      if (!this.ctx.active.has(record.id)) await this.ctx.resume(record.id);
    }
    for (const id of [...this.#remoteWaits]) await this.#settleRemote(id);
  }

  #later(fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ROUTE_RETRY_MS);
    this.#timers.add(timer);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }
}

function keyId(invocation: ActiveInvocation): string {
  return entityKeyId(invocation.handler, invocation.objectKey);
}
