import type { ProposeEntry, StreamChunk } from "@agnt5/proto";
import { JOURNAL_WRITE_RETRY_MS } from "../domain/retry-decision.js";
import { type LiveEntry, toProtoResult } from "../journal/journal-entry.js";
import { type ChildInvocation, type ProposalPlan, planProposal } from "../journal/proposal.js";
import { oversizedEntry } from "../limits/entry-size.js";
import { payloadTooLargeFailure } from "../limits/payload-too-large.js";
import type { EntryResultRow, StoredError } from "../store/index.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import type { ActiveInvocation } from "./active-invocation.js";
import type { EngineContext } from "./engine-context.js";

const decoder = new TextDecoder();

/**
 * What a running invocation sends besides its end: proposed journal entries, committed with their
 * timer, child call or signal before they are acknowledged; streamed chunks; and the delivery of
 * awaited results, to the worker running it or by bringing it back from suspension.
 */
export class JournalCommits {
  constructor(
    private readonly ctx: EngineContext,
    private readonly startChild: (child: ChildInvocation, parent: ActiveInvocation) => void,
  ) {}

  propose(worker: WorkerConnection, invocation: ActiveInvocation, message: ProposeEntry): void {
    if (!message.entry) return;
    // AGNT5_MAX_JOURNAL_ENTRY_BYTES and friends: the handler's own doing, so a warning, and a
    // failure for good (a re-run would propose the same entry).
    const oversized = oversizedEntry(message.entry, this.ctx.limits);
    if (oversized) {
      const failure = payloadTooLargeFailure(oversized);
      this.ctx.logger.warn({ invocationId: invocation.id, code: failure.code }, failure.message);
      this.#refuse(worker, invocation, failure);
      return;
    }
    const plan = planProposal(invocation, message.entry, this.ctx.services);
    if (typeof plan === "string") {
      this.ctx.logger.error({ invocationId: invocation.id }, `Rejected journal entry: ${plan}`);
      this.#refuse(worker, invocation, { code: "INVALID_JOURNAL_ENTRY", message: plan });
      return;
    }
    const { entry } = plan;
    const arrivedAt = performance.now();
    this.#commit(invocation, plan).then(
      (appended) => {
        if (!appended.duplicate) this.ctx.observer?.journalCommitted(entry, (performance.now() - arrivedAt) / 1000);
        // The journal's version wins (a re-proposal after a crash returns what was recorded first).
        const recorded: LiveEntry = {
          ...entry,
          result: appended.completed ?? (appended.duplicate ? undefined : entry.result),
        };
        const known = invocation.journal[entry.index];
        if (!known?.result) invocation.journal[entry.index] = recorded;
        if (plan.timer) this.ctx.timers?.schedule(plan.timer.fireAt);
        if (plan.child && !appended.duplicate) this.startChild(plan.child, invocation);
        const current = invocation.journal[entry.index]!;
        if (invocation.worker === worker && invocation.state === "running") {
          worker.send({
            case: "entryAck",
            value: {
              invocationId: invocation.id,
              index: entry.index,
              ...(current.result ? { result: toProtoResult(current.result) } : {}),
            },
          });
        }
      },
      (error: unknown) => {
        this.ctx.logger.error(
          { err: error, invocationId: invocation.id, index: entry.index },
          "Could not record journal entry",
        );
        // Nothing was acknowledged: the worker's attempt is abandoned and retried with the journal.
        if (invocation.worker === worker) {
          worker.send({ case: "cancel", value: { invocationId: invocation.id, reason: "journal write failed" } });
          this.ctx.release(worker, invocation);
          this.ctx.step(invocation, { type: "backoff", delayMs: JOURNAL_WRITE_RETRY_MS });
        }
      },
    );
  }

  /** Nothing of the entry is stored: the worker stops the attempt and the invocation fails with `failure`. */
  #refuse(worker: WorkerConnection, invocation: ActiveInvocation, failure: StoredError): void {
    worker.send({ case: "cancel", value: { invocationId: invocation.id, reason: failure.message } });
    this.ctx.release(worker, invocation);
    void this.ctx.finishFailed(invocation, failure);
  }

  async #commit(invocation: ActiveInvocation, plan: ProposalPlan) {
    const { entry } = plan;
    await invocation.recorded;
    // A signal is delivered before the entry that records its sending: a crash in between
    // sends it again on replay (at-least-once) rather than never.
    if (plan.emit) {
      const { deliveredTo } = await this.ctx.journal.emitSignal(plan.emit);
      if (deliveredTo) {
        void this.deliver(deliveredTo.invocationId, deliveredTo.index, {
          ok: true,
          value: `{"payload":${plan.emit.payload}}`,
        });
      }
    }
    return this.ctx.journal.append({
      invocationId: invocation.id,
      index: entry.index,
      kind: entry.kind,
      name: entry.name,
      request: entry.request,
      ...(entry.result ? { result: entry.result } : {}),
      ...(plan.timer ? { timer: plan.timer } : {}),
      ...(plan.child ? { child: plan.child } : {}),
      ...(plan.signalWait ? { signalWait: plan.signalWait } : {}),
    });
  }

  chunk(invocation: ActiveInvocation, message: StreamChunk): void {
    const seq = Number(message.seq);
    // Chunks below the count were already forwarded by an earlier attempt of the same stream.
    if (seq !== invocation.chunks.length) return;
    const data = decoder.decode(message.data);
    invocation.chunks.push(data);
    for (const listener of invocation.listeners) listener(seq, data);
    this.ctx.routing?.chunk(invocation.id, seq, data);
  }

  /**
   * An awaited entry got its (committed) result: tell the worker running the invocation, or
   * bring the invocation back from suspension.
   */
  async deliver(invocationId: string, index: number, result: EntryResultRow): Promise<void> {
    const resuming = this.ctx.resuming(invocationId);
    if (resuming) await resuming;
    const invocation = this.ctx.active.get(invocationId);
    if (!invocation) {
      // Owned by another replica: its owner wakes it.
      if (this.ctx.routing && (await this.ctx.routing.deliverElsewhere(invocationId, index, result))) return;
      await this.ctx.resume(invocationId);
      return;
    }
    const entry = invocation.journal[index];
    if (entry) invocation.journal[index] = { ...entry, result };
    if (invocation.state === "suspending") invocation.wakeRequested = true;
    if (invocation.state === "running" && invocation.worker) {
      invocation.worker.send({
        case: "entryAck",
        value: { invocationId, index, result: toProtoResult(result) },
      });
    }
  }
}
