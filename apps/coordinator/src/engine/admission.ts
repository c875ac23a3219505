import { type LiveEntry, liveEntry } from "../journal/journal-entry.js";
import type { ChildInvocation } from "../journal/proposal.js";
import type { InvocationRecord, JournalEntryRecord } from "../store/index.js";
import type { ComponentKindName } from "../workers/component-info.js";
import { ActiveInvocation } from "./active-invocation.js";
import type { EngineContext } from "./engine-context.js";
import { handle, type InvocationHandle } from "./invocation-handle.js";
import { newInvocationId } from "./invocation-id.js";
import { assertSameRequest } from "./reused-request.js";

const encoder = new TextEncoder();

export interface SubmitRequest {
  service: string;
  handler: string;
  kind: ComponentKindName;
  /** JSON text of the input. */
  input: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
  /**
   * A caller-chosen id (workflow run id): starting an existing id returns that invocation if it is
   * of the same workflow (RUN_ID_CONFLICT otherwise). An existing idempotency key returns its
   * invocation if the request is the same (IDEMPOTENCY_KEY_REUSED otherwise).
   */
  id?: string;
  /** Entity invocations: the key and the method (handler is the entity type). */
  objectKey?: string;
  methodName?: string;
}

/**
 * Brings invocations into memory: new ones (persisted before anything is acknowledged), child
 * calls, and recorded ones revived with their journal (recovery, resume, retry).
 */
export class Admission {
  constructor(
    private readonly ctx: EngineContext,
    private readonly existing: (record: InvocationRecord) => InvocationHandle,
  ) {}

  /**
   * Records the invocation and queues it. Without an idempotency key or chosen id, the invocation
   * is dispatched while its record commits (saving a commit's latency); nothing about it is
   * acknowledged before that commit: `recorded` gates the 202, and every entry and the result are
   * committed only after the record. With a key or id, the record must exist first.
   */
  async submit(request: SubmitRequest): Promise<InvocationHandle> {
    const id = request.id ?? newInvocationId();
    const newInvocation = {
      id,
      service: request.service,
      handler: request.handler,
      kind: request.kind,
      input: request.input,
      headers: request.headers,
      ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
      ...(request.objectKey === undefined ? {} : { objectKey: request.objectKey }),
      ...(request.methodName === undefined ? {} : { methodName: request.methodName }),
    };
    const creation = request.id ? this.ctx.records.createRun(newInvocation) : this.ctx.records.create(newInvocation);
    if (request.idempotencyKey !== undefined || request.id !== undefined) {
      const { created, record } = await creation;
      if (!created) {
        assertSameRequest(request, record);
        return this.existing(record);
      }
    }
    const invocation = new ActiveInvocation({
      id,
      service: request.service,
      handler: request.handler,
      kind: request.kind,
      input: encoder.encode(request.input),
      headers: request.headers,
      attempt: 1,
      journal: [],
      objectKey: request.objectKey ?? null,
      methodName: request.methodName ?? null,
    });
    invocation.recorded = creation;
    creation.catch((error: unknown) => {
      this.ctx.logger.error({ err: error, invocationId: id }, "Could not record the invocation");
      this.#abandon(invocation, `Invocation ${id} could not be recorded: ${(error as Error).message}`);
    });
    this.ctx.active.set(id, invocation);
    this.ctx.observer?.started(invocation);
    this.admit(invocation);
    return handle(invocation, true);
  }

  startChild(child: ChildInvocation, parent: ActiveInvocation): void {
    if (this.ctx.active.has(child.id)) return;
    const invocation = new ActiveInvocation({
      id: child.id,
      service: child.service,
      handler: child.handler,
      kind: child.kind ?? "function",
      input: encoder.encode(child.input),
      headers: child.headers,
      attempt: 1,
      journal: [],
      parentId: parent.id,
      objectKey: child.objectKey ?? null,
      methodName: child.methodName ?? null,
    });
    this.ctx.active.set(child.id, invocation);
    this.ctx.observer?.started(invocation);
    this.admit(invocation);
  }

  /** Entry point for a new or revived invocation: entities go through their key's scheduler. */
  admit(invocation: ActiveInvocation): void {
    if (invocation.kind !== "entity") this.ctx.ready(invocation);
    else if (this.ctx.routing) this.ctx.routing.admitEntity(invocation);
    else this.ctx.entities.admit(invocation);
  }

  /** Rebuilds the live side of a recorded invocation, with its journal. */
  async revive(
    record: InvocationRecord,
    attempt: number,
    entries?: readonly JournalEntryRecord[],
  ): Promise<ActiveInvocation> {
    const journal: LiveEntry[] = [];
    for (const entry of entries ?? (await this.ctx.journal.load(record.id))) journal[entry.index] = liveEntry(entry);
    const invocation = new ActiveInvocation({
      id: record.id,
      service: record.service,
      handler: record.handler,
      kind: record.kind,
      input: encoder.encode(record.input),
      headers: record.headers,
      attempt,
      journal,
      parentId: record.parentId,
      cancelRequested: record.cancelRequested,
      paused: record.paused,
      objectKey: record.objectKey,
      methodName: record.methodName,
    });
    const stream = this.ctx.suspendedStreams.get(record.id);
    if (stream) {
      this.ctx.suspendedStreams.delete(record.id);
      invocation.chunks.push(...stream.chunks);
      for (const listener of stream.listeners) invocation.listeners.add(listener);
    }
    this.ctx.active.set(record.id, invocation);
    return invocation;
  }

  isEntityWrite(invocation: ActiveInvocation): boolean {
    const component = this.ctx.services.get(invocation.service)?.components.get(invocation.handler);
    const method = component?.methods?.find((m) => m.name === invocation.methodName);
    // Unknown (its service has not registered since a restart): the safe assumption is a write.
    return method?.write ?? true;
  }

  /** Stops driving an invocation that was never recorded: its caller gets the error, nothing else happens. */
  #abandon(invocation: ActiveInvocation, message: string): void {
    if (!this.ctx.active.has(invocation.id)) return;
    clearTimeout(invocation.retryTimer);
    if (invocation.worker) {
      invocation.worker.inFlight.delete(invocation.id);
      invocation.worker.send({ case: "cancel", value: { invocationId: invocation.id, reason: message } });
      invocation.worker = undefined;
    }
    this.ctx.settle(invocation, { status: "failed", error: { code: "UNAVAILABLE", message } });
  }
}
