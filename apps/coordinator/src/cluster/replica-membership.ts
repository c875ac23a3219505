import type { Logger } from "../logger.js";
import type { Database } from "../store/database.js";
import { adoptOrphans, expireLease, listReplicas, type ReplicaRow, renewLease, takeOver } from "./lease-sql.js";

export interface MembershipHooks {
  /** Services with at least one worker connected here (announced with each renewal). */
  localServices(): string[];
  /** Invocations moved here by a takeover (or found unowned): recover them. */
  adopted(ids: string[]): void;
  /** A takeover is under way (`done` settles with it): entity writes arriving meanwhile wait. */
  takingOver(done: Promise<unknown>): void;
  /** Replicas joined, left or announced other services. */
  peersChanged(): void;
  /** Each round, after the renewal: the service definitions other replicas registered are read. */
  everyRound(): Promise<void>;
  /** Our lease was taken over: every write we try is refused; this process must stop. */
  leaseLost(): void;
}

/**
 * This replica's lease: renewed every third of its length, with the services it has workers for.
 * Each renewal also reads the other leases: expired ones are taken over (their invocations and
 * entity keys move here), so a dead replica's runs make progress again one lease after its last
 * renewal.
 */
export class ReplicaMembership {
  #peers: ReplicaRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #soon = false;
  #stopped = false;
  #ticks = 0;
  #rotation = 0;
  #lastServices = "";
  #lastRenewedAt = Date.now();

  constructor(
    private readonly db: Database,
    readonly token: string,
    private readonly leaseMs: number,
    private readonly hooks: MembershipHooks,
    private readonly logger: Logger,
  ) {}

  get intervalMs(): number {
    return Math.max(200, Math.floor(this.leaseMs / 3));
  }

  start(): void {
    this.#schedule(0);
  }

  /** A live replica other than this one with workers for the service (rotating among them). */
  replicaWith(service: string): string | undefined {
    const candidates = this.#peers.filter(
      (peer) => !peer.expired && peer.token !== this.token && peer.services.includes(service),
    );
    if (candidates.length === 0) return undefined;
    return candidates[this.#rotation++ % candidates.length]!.token;
  }

  /** Worker services changed here: announce them now rather than at the next renewal. */
  servicesChanged(): void {
    const services = this.hooks.localServices().sort().join("\n");
    if (services === this.#lastServices || this.#soon) return;
    this.#soon = true;
    this.#schedule(0);
  }

  /** One renewal, read of the peers and takeover of expired ones (exported for tests). */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    this.#soon = false;
    const services = this.hooks.localServices().sort();
    let renewed: boolean;
    try {
      renewed = await renewLease(this.db, this.token, this.leaseMs, services);
    } catch (error) {
      // The database is unreachable: our writes fail too, so nothing is at risk; keep trying.
      const silentMs = Date.now() - this.#lastRenewedAt;
      this.logger.warn({ err: error, silentMs }, "Could not renew this replica's lease");
      return;
    }
    if (!renewed) {
      this.#stopped = true;
      this.hooks.leaseLost();
      return;
    }
    this.#lastRenewedAt = Date.now();
    this.#lastServices = services.join("\n");
    const before = describe(this.#peers);
    this.#peers = await listReplicas(this.db);
    for (const peer of this.#peers) {
      if (!peer.expired || peer.token === this.token) continue;
      await this.#takeOver(peer);
    }
    // Now and then: invocations nobody owns (written before the cluster, or a lost race).
    if (this.#ticks++ % 10 === 0) {
      const orphans = await adoptOrphans(this.db);
      if (orphans.length > 0) {
        this.logger.info({ count: orphans.length }, "Adopted unfinished invocations no replica owned");
        this.hooks.adopted(orphans);
      }
    }
    await this.hooks.everyRound();
    if (describe(this.#peers) !== before) this.hooks.peersChanged();
  }

  async #takeOver(peer: ReplicaRow): Promise<void> {
    try {
      // Its transactions in flight may hold the lock: wait at most a third of a lease for them
      // (PostgreSQL ends an idle one after idle_in_transaction_session_timeout).
      const taking = takeOver(this.db, peer.token, this.token, this.intervalMs);
      this.hooks.takingOver(taking);
      const moved = await taking;
      if (moved === undefined) return;
      this.logger.warn(
        { replica: peer.name, token: peer.token, invocations: moved.length },
        `Took over the runs of replica ${peer.name}: its lease expired`,
      );
      this.#peers = this.#peers.filter((row) => row.token !== peer.token);
      if (moved.length > 0) this.hooks.adopted(moved);
    } catch (error) {
      this.logger.warn({ err: error, replica: peer.name }, "Could not take over an expired lease yet; retrying");
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      void this.tick()
        .catch((error: unknown) => this.logger.warn({ err: error }, "Replica lease round failed"))
        .finally(() => this.#schedule(this.intervalMs));
    }, delayMs);
    this.#timer.unref();
  }

  /** Stops renewing; `release` gives the lease up so others take over its runs at once. */
  async stop(release: boolean): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking?.catch(() => undefined);
    if (release) await expireLease(this.db, this.token).catch(() => undefined);
  }
}

function describe(peers: readonly ReplicaRow[]): string {
  return peers.map((peer) => `${peer.token}:${peer.expired}:${peer.services.join(",")}`).join(";");
}
