import type { EntityScheduler } from "../entities/entity-scheduler.js";
import type { EntitySnapshot, EntityStorePort } from "../entities/entity-store-port.js";
import type { Logger } from "../logger.js";

/** The entity type @agnt5/adk keeps each session in (one entity per session id). */
export const SESSION_ENTITY_TYPE = "agnt5.session";
const DAY_MS = 24 * 60 * 60 * 1000;
/** How often the coordinator sweeps (ttlDays are whole days: a quarter of an hour late is fine). */
export const SESSION_SWEEP_INTERVAL_MS = 15 * 60 * 1000;
const PAGE = 500;

/** The part of a session's `info` state field the sweeper reads. */
interface SessionRetentionInfo {
  updatedAt?: string;
  retention?: { ttlDays?: number; immutable?: boolean };
}

/**
 * Whether a session's committed state is past its retention: it has `retention.ttlDays`, is not
 * immutable, and was last written more than ttlDays ago. Anything unreadable is kept.
 */
export function isExpiredSession(snapshot: EntitySnapshot, now: number): boolean {
  const text = snapshot.state.info;
  if (text === undefined) return false;
  let info: SessionRetentionInfo;
  try {
    info = JSON.parse(text) as SessionRetentionInfo;
  } catch {
    return false;
  }
  const ttlDays = info.retention?.ttlDays;
  if (info.retention?.immutable === true || typeof ttlDays !== "number" || !(ttlDays > 0)) return false;
  const updatedAt = Date.parse(info.updatedAt ?? "");
  if (Number.isNaN(updatedAt)) return false;
  return updatedAt + ttlDays * DAY_MS < now;
}

export interface SessionSweepResult {
  /** Session ids deleted. */
  deleted: string[];
  /** Sessions looked at. */
  scanned: number;
}

/**
 * Enforces session retention on the coordinator's side (not the caller's): every `intervalMs` it
 * walks the `agnt5.session` entities and deletes those past their ttlDays through the entity
 * scheduler (so no write of the session is running or lost): their rows are removed from the entity
 * store, not emptied, so they are neither listed nor scanned again. An immutable session is never deleted.
 */
export class SessionRetentionSweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SessionSweepResult> | undefined;

  constructor(
    private readonly entities: Pick<EntityScheduler, "removeIfIdle">,
    private readonly store: Pick<EntityStorePort, "listKeys">,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** One pass over every session; concurrent calls share the pass that is running. */
  sweepOnce(): Promise<SessionSweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  start(intervalMs: number): void {
    if (!this.store.listKeys) {
      this.logger.warn("The entity store cannot list keys: expired sessions are not swept");
      return;
    }
    this.#timer = setInterval(() => {
      this.sweepOnce().catch((error: unknown) =>
        this.logger.error({ err: error }, "The session retention sweep failed; it runs again next interval"),
      );
    }, intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #sweep(): Promise<SessionSweepResult> {
    const listKeys = this.store.listKeys?.bind(this.store);
    const result: SessionSweepResult = { deleted: [], scanned: 0 };
    if (!listKeys) return result;
    const now = this.now();
    let cursor: string | undefined;
    do {
      const page = await listKeys(SESSION_ENTITY_TYPE, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const key of page.keys) {
        result.scanned++;
        if (await this.entities.removeIfIdle(SESSION_ENTITY_TYPE, key, (snapshot) => isExpiredSession(snapshot, now))) {
          result.deleted.push(key);
        }
      }
      cursor = page.cursor;
    } while (cursor);
    if (result.deleted.length > 0) {
      this.logger.info({ sessions: result.deleted.length }, "Deleted sessions past their retention (ttlDays)");
    }
    return result;
  }
}
