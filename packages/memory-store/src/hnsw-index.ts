// The HNSW index of a vector memory table, built off the write path: the write that crosses the
// threshold schedules the build and returns; searches scan every row (exact) until the index is valid.
import { memoryStoreError } from "./memory-store-errors.js";
import { LOCK_CLASS, type SqlConnection } from "./sql-database.js";

/** `none`: no valid index (searches scan); `building`: a build is in flight; `ready`: searches use it. */
export type HnswIndexStatus = "none" | "building" | "ready";

export interface HnswBuildOptions {
  /** pgvector's build parameters (its defaults: m 16, ef_construction 64). */
  m?: number;
  efConstruction?: number;
  /**
   * maintenance_work_mem for the build only, e.g. "512MB". pgvector builds fast while the graph fits
   * in it and much slower once it does not (about 200 MB at 100,000 vectors of 384 dimensions, against
   * PostgreSQL's default 64MB). Default: the server's setting.
   */
  maintenanceWorkMem?: string;
}

const MEMORY_RE = /^\d+\s*(kB|MB|GB)$/;

export class HnswIndex {
  readonly #table: string;
  readonly #index: string;
  readonly #options: HnswBuildOptions;
  readonly #onError: (error: Error) => void;
  #status: HnswIndexStatus = "none";
  #build: Promise<void> | undefined;
  /** The PostgreSQL backend running the build, for close() to cancel it. */
  #pid: number | undefined;
  #closing = false;

  /** `table` is the qualified table; `index` the qualified index name. */
  constructor(table: string, index: string, options: HnswBuildOptions, onError: (error: Error) => void) {
    if (options.maintenanceWorkMem !== undefined && !MEMORY_RE.test(options.maintenanceWorkMem)) {
      throw memoryStoreError(
        "INVALID_ARGUMENT",
        `VectorMemoryService: hnsw.maintenanceWorkMem must be a size such as "512MB", got ${JSON.stringify(options.maintenanceWorkMem)}`,
      );
    }
    this.#table = table;
    this.#index = index;
    this.#options = options;
    this.#onError = onError;
  }

  get status(): HnswIndexStatus {
    return this.#status;
  }

  /** What the catalog says at connect: a valid index exists or not. */
  reset(valid: boolean): void {
    this.#closing = false;
    this.#status = valid ? "ready" : "none";
  }

  /**
   * Starts a build in the background unless one is in flight or the index is ready. A failure is
   * reported to the error callback and leaves the status `none`, so the next write tries again.
   */
  schedule(connection: SqlConnection): void {
    if (this.#status !== "none" || this.#closing) return;
    this.#start(connection, false, true).catch((error: Error) => {
      if (!this.#closing) this.#onError(error);
    });
  }

  /** Builds the index now, or waits for the build in flight; resolves once searches use it. */
  async ensure(connection: SqlConnection): Promise<void> {
    while (this.#status !== "ready") {
      if (this.#closing) throw memoryStoreError("CLOSED", "VectorMemoryService: closed while building the index");
      await (this.#build ?? this.#start(connection, true, false));
    }
  }

  /** Cancels a build in flight on PostgreSQL (its invalid index is dropped by the next build) or waits for it on PGlite. */
  async close(connection: SqlConnection | undefined): Promise<void> {
    this.#closing = true;
    const build = this.#build;
    if (build === undefined) return;
    if (connection !== undefined && this.#pid !== undefined) await connection.cancel(this.#pid).catch(() => {});
    await build.catch(() => {});
  }

  /**
   * `defer`: start on the next turn of the event loop, after the write that scheduled it has returned
   * to its caller (PGlite runs a statement in this thread; begun at once it could finish first).
   */
  #start(connection: SqlConnection, wait: boolean, defer: boolean): Promise<void> {
    this.#status = "building";
    const turn = defer ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve();
    const build = turn
      .then(() => this.#run(connection, wait))
      .then(
        (built) => {
          this.#status = built ? "ready" : "none";
          this.#build = undefined;
        },
        (error: unknown) => {
          this.#status = "none";
          this.#build = undefined;
          throw error;
        },
      );
    this.#build = build;
    return build;
  }

  /** True once a valid index exists; false when another process holds the build (background only). */
  async #run(connection: SqlConnection, wait: boolean): Promise<boolean> {
    if (this.#closing) return false;
    const m = Math.trunc(this.#options.m ?? 16);
    const ef = Math.trunc(this.#options.efConstruction ?? 64);
    const memory = this.#options.maintenanceWorkMem;
    const create = (how: string) =>
      `CREATE INDEX ${how} IF NOT EXISTS ${this.#index.replace(/^.*\./, "")} ON ${this.#table}
       USING hnsw (embedding vector_cosine_ops) WITH (m = ${m}, ef_construction = ${ef})`;
    if (connection.kind === "pglite") {
      // One connection: PGlite runs the build in this thread, so whatever else the process asks of
      // this database waits for it (see the README). Settings and build in one call, nothing between.
      try {
        await connection.exec(
          memory === undefined
            ? create("")
            : `BEGIN; SET LOCAL maintenance_work_mem = '${memory}'; ${create("")}; COMMIT;`,
        );
      } catch (error) {
        if (memory !== undefined) await connection.exec("ROLLBACK").catch(() => {});
        throw error;
      }
      return true;
    }
    return connection.dedicated(async (query, pid) => {
      // One build per table across processes: a session lock, held by this connection until released.
      const lock = `${LOCK_CLASS}, hashtext('hnsw ' || $1)`;
      if (wait) await query(`SELECT pg_advisory_lock(${lock})`, [this.#table]);
      else {
        const [row] = await query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${lock}) AS locked`, [this.#table]);
        if (!row?.locked) return false;
      }
      this.#pid = pid;
      try {
        if (this.#closing) return false;
        // With the lock held no one else builds: an invalid index is what a cancelled or failed build
        // left, and CREATE INDEX IF NOT EXISTS would keep it as it is.
        const [index] = await query<{ valid: boolean }>(
          "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)",
          [this.#index],
        );
        if (index?.valid) return true;
        if (index !== undefined) await query(`DROP INDEX CONCURRENTLY IF EXISTS ${this.#index}`);
        if (memory !== undefined) await query(`SET maintenance_work_mem = '${memory}'`);
        // CONCURRENTLY: writes go on during the build; the index is invalid (unused) until it is done.
        await query(create("CONCURRENTLY"));
        if (memory !== undefined) await query("RESET maintenance_work_mem");
        return true;
      } finally {
        this.#pid = undefined;
        await query(`SELECT pg_advisory_unlock(${lock})`, [this.#table]).catch(() => {});
      }
    });
  }
}
