/**
 * Test-only: the engine (its facade and parts) over in-memory fakes of OUR store interfaces
 * (InvocationRecords, JournalRecords), with failures injected per method, and workers whose frames
 * are recorded. No database: these tests are about the engine's decisions, not SQL.
 */
import type { InvocationRecords, JournalRecords } from "../engine/ports.js";
import type { EntityStorePort } from "../entities/entity-store-port.js";
import { InvocationManager } from "../invocations/invocation-manager.js";
import { createLogger } from "../logger.js";
import type {
  AppendResult,
  CreateResult,
  EntryResultRow,
  FinishResult,
  InvocationRecord,
  JournalEntryRecord,
  NewInvocation,
  NewJournalEntry,
  StoredError,
} from "../store/index.js";
import type { ComponentInfo, ComponentKindName } from "../workers/component-info.js";
import { ServiceRegistry } from "../workers/service-registry.js";
import { component, RecordingWorker } from "./recording-worker.js";

/** Failures to inject: the next `count` calls of a method reject with `error`. */
class Failures {
  readonly #next = new Map<string, { error: Error; count: number }>();
  failNext(method: string, error = new Error(`${method} failed (injected)`), count = 1): void {
    this.#next.set(method, { error, count });
  }
  check(method: string): void {
    const planned = this.#next.get(method);
    if (!planned) return;
    if (--planned.count <= 0) this.#next.delete(method);
    throw planned.error;
  }
}

/** InvocationRecords in memory: the statuses the engine records, in the order it records them. */
export class FakeRecords extends Failures implements InvocationRecords {
  readonly rows = new Map<string, InvocationRecord>();
  /** Every status the engine recorded per id, in order ("running", "suspended", "completed", ...). */
  readonly statuses = new Map<string, string[]>();

  #set(id: string, patch: Partial<InvocationRecord>): boolean {
    const row = this.rows.get(id);
    if (!row) return false;
    Object.assign(row, patch, { updatedAt: new Date() });
    if (patch.status) this.statuses.set(id, [...(this.statuses.get(id) ?? []), patch.status]);
    return true;
  }
  #terminal = (id: string) => ["completed", "failed", "cancelled"].includes(this.rows.get(id)?.status ?? "");
  #finish(id: string, patch: Partial<InvocationRecord>): FinishResult {
    if (this.#terminal(id)) return { applied: false };
    this.#set(id, { ...patch, completedAt: new Date() });
    return { applied: true };
  }

  async create(inv: NewInvocation): Promise<CreateResult> {
    this.check("create");
    const record: InvocationRecord = {
      id: inv.id,
      service: inv.service,
      handler: inv.handler,
      kind: inv.kind ?? "function",
      objectKey: inv.objectKey ?? null,
      idempotencyKey: inv.idempotencyKey ?? null,
      status: "pending",
      input: inv.input,
      output: null,
      error: null,
      attempt: 1,
      headers: inv.headers,
      createdAt: new Date(),
      updatedAt: new Date(),
      completedAt: null,
      nextAttemptAt: null,
      parentId: null,
      parentEntryIndex: null,
      cancelRequested: false,
      runKey: inv.runKey ?? null,
      methodName: inv.methodName ?? null,
      paused: false,
    };
    this.rows.set(inv.id, record);
    return { created: true, record: { ...record } };
  }
  createRun = (inv: NewInvocation) => this.create(inv);
  async complete(id: string, output: string, attempt: number) {
    this.check("complete");
    return this.#finish(id, { status: "completed", output, attempt });
  }
  async fail(id: string, error: StoredError, attempt: number) {
    this.check("fail");
    return this.#finish(id, { status: "failed", error, attempt });
  }
  async cancelled(id: string, output?: string) {
    this.check("cancelled");
    return this.#finish(id, { status: "cancelled", output: output ?? null });
  }
  async requestCancel(id: string) {
    return !this.#terminal(id) && this.#set(id, { cancelRequested: true });
  }
  async suspend(id: string) {
    this.check("suspend");
    return !this.#terminal(id) && this.#set(id, { status: "suspended" });
  }
  async resume(id: string) {
    this.check("resume");
    return this.rows.get(id)?.status === "suspended" && this.#set(id, { status: "pending" });
  }
  async scheduleRetry(id: string, attempt: number, nextAttemptAt: Date, error: StoredError) {
    return !this.#terminal(id) && this.#set(id, { status: "pending", attempt, nextAttemptAt, error });
  }
  async markRunning(ids: readonly string[]) {
    for (const id of ids) if (!this.#terminal(id)) this.#set(id, { status: "running" });
  }
  recordRunning(id: string): void {
    void this.markRunning([id]);
  }
  async setPaused(id: string, paused: boolean) {
    if (paused && this.#terminal(id)) return false;
    return this.#set(id, { paused });
  }
  async reopen(id: string) {
    const row = this.rows.get(id);
    if (row?.status !== "failed") return false;
    return this.#set(id, { status: "pending", attempt: row.attempt + 1, error: null, completedAt: null });
  }
  async restart(sourceId: string, newId: string): Promise<CreateResult | undefined> {
    const source = this.rows.get(sourceId);
    if (!source) return undefined;
    const existing = this.rows.get(newId);
    if (existing) return { created: false, record: { ...existing } };
    return this.create({ ...source, id: newId, idempotencyKey: undefined } as unknown as NewInvocation);
  }
  async get(id: string) {
    const row = this.rows.get(id);
    return row && { ...row };
  }
  async listUnfinished() {
    return [...this.rows.values()].filter((r) => r.status === "pending" || r.status === "running");
  }
  async unfinishedIds() {
    return (await this.listUnfinished()).map((r) => r.id);
  }
  async listSuspended() {
    return [...this.rows.values()].filter((r) => r.status === "suspended");
  }
  async listSuspendedReady() {
    return [];
  }
}

/** JournalRecords in memory. */
export class FakeJournal extends Failures implements JournalRecords {
  readonly entries = new Map<string, JournalEntryRecord[]>();

  async append(entry: NewJournalEntry): Promise<AppendResult> {
    this.check("append");
    const journal = this.entries.get(entry.invocationId) ?? [];
    const known = journal.find((e) => e.index === entry.index);
    if (known) return { duplicate: true, ...(known.result ? { completed: known.result } : {}) } as AppendResult;
    journal.push({
      index: entry.index,
      kind: entry.kind,
      name: entry.name,
      request: entry.request,
      result: entry.result,
    });
    this.entries.set(entry.invocationId, journal);
    return { duplicate: false } as AppendResult;
  }
  async completeEntry(invocationId: string, index: number, result: EntryResultRow) {
    const entry = this.entries.get(invocationId)?.find((e) => e.index === index);
    if (!entry || entry.result) return false;
    entry.result = result;
    return true;
  }
  async emitSignal() {
    return {};
  }
  async load(id: string) {
    return [...(this.entries.get(id) ?? [])];
  }
  async loadMany(ids: readonly string[]) {
    return new Map(ids.map((id) => [id, [...(this.entries.get(id) ?? [])]]));
  }
  async pendingCallsWithFinishedChildren() {
    return [];
  }
  async dropFailedTail(id: string) {
    const journal = this.entries.get(id) ?? [];
    const failed = journal.filter((e) => e.result && !e.result.ok).map((e) => e.index);
    if (failed.length === 0) return 0;
    const from = Math.max(...failed);
    this.entries.set(
      id,
      journal.filter((e) => e.index < from),
    );
    return journal.length - (this.entries.get(id)?.length ?? 0);
  }
}

const noEntities: EntityStorePort = {
  backend: "none",
  load: () => Promise.reject(new Error("no entities in these tests")),
  commit: () => Promise.reject(new Error("no entities in these tests")),
  close: () => Promise.resolve(),
};

/** The facade over fakes, with one service "svc" hosting `components`. */
export function fakeEngine(components: ComponentInfo[] = [component("flow")]) {
  const records = new FakeRecords();
  const journal = new FakeJournal();
  const services = new ServiceRegistry();
  const manager = new InvocationManager(
    records,
    journal,
    services,
    createLogger({ logLevel: "silent" } as never),
    noEntities,
  );
  let workers = 0;
  const connect = (maxConcurrency = 10) => {
    const worker = new RecordingWorker(`w${++workers}`, "svc", maxConcurrency);
    services.addWorker(worker.connection, components);
    manager.workerAvailable(worker.connection);
    return worker;
  };
  const submit = (handler = "flow", kind: ComponentKindName = "workflow") =>
    manager.submit({ service: "svc", handler, kind, input: "{}", headers: {} });
  return { records, journal, services, manager, connect, submit };
}
