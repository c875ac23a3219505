import { EntityStoreError } from "@agnt5/entity-store";
import type { InvocationCompleted } from "@agnt5/proto";
import { ENTITY_COMMIT_RETRY_MS } from "../domain/retry-decision.js";
import { PayloadLimitExceeded } from "../limits/payload-too-large.js";
import type { EntryResultRow, StoredError } from "../store/index.js";
import { toStoredError } from "../store/sql.js";
import type { ActiveInvocation, Outcome } from "./active-invocation.js";
import type { EngineContext } from "./engine-context.js";

const decoder = new TextDecoder();

type FinishWrite = () => Promise<{ applied: boolean; parent?: { invocationId: string; index: number } }>;

/**
 * Records how invocations end: the output (an entity write's state first), a failure for good,
 * or a cancellation; then settles their callers and wakes the parent of a child call.
 */
export class Completion {
  constructor(private readonly ctx: EngineContext) {}

  /** The worker returned: record the output (or the cancellation it ends in). */
  completed(invocation: ActiveInvocation, message: InvocationCompleted): void {
    const streaming = this.ctx.services.get(invocation.service)?.components.get(invocation.handler)?.streaming ?? false;
    const output = streaming
      ? `[${invocation.chunks.join(",")}]`
      : message.output.byteLength === 0
        ? "null"
        : decoder.decode(message.output);
    this.ctx.step(invocation, { type: "finish" });
    // JSON text never holds a raw U+0000 (JSON.stringify escapes it), and PostgreSQL text cannot:
    // recording it would fail on every attempt. The invocation fails once instead.
    if (output.includes("\u0000")) {
      const message = `The output of ${invocation.handler} holds a raw U+0000, which is not JSON text and which the store cannot keep`;
      this.ctx.logger.warn({ invocationId: invocation.id, code: "INVALID_OUTPUT" }, message);
      void this.finishFailed(invocation, { code: "INVALID_OUTPUT", message });
      return;
    }
    if (invocation.cancelRequested) {
      void this.finish(invocation, () => this.ctx.records.cancelled(invocation.id, output), {
        status: "cancelled",
        output,
      });
      return;
    }
    if (invocation.kind === "entity" && this.ctx.isEntityWrite(invocation)) {
      this.#commitEntityWrite(invocation, message, output);
      return;
    }
    this.completeWith(invocation, output);
  }

  /** Records the output (an entity write's marker found on recovery also ends here). */
  completeWith(invocation: ActiveInvocation, output: string): Promise<boolean> {
    this.ctx.step(invocation, { type: "finish" });
    return this.finish(invocation, () => this.ctx.records.complete(invocation.id, output, invocation.attempt), {
      status: "completed",
      output,
    });
  }

  /**
   * The state and the output commit together first; the record follows (recovery finds the
   * write's marker if we die in between, and completes it without running it again). The key's
   * next write may run now, on this committed state, while the record is written; but it commits
   * only after this record is (the scheduler chains them): the store keeps the last write's
   * marker only, so a next write committed first would overwrite it, and a crash then would run
   * this write a second time on recovery (found by the replica chaos test: counts 101 and 102 of
   * 100 writes).
   */
  #commitEntityWrite(invocation: ActiveInvocation, message: InvocationCompleted, output: string): void {
    this.ctx.entities.commitWrite(invocation, message.stateChanges, output).then(
      () => {
        this.ctx.entities.releasedCommitted(invocation, this.completeWith(invocation, output));
      },
      (error: unknown) => {
        if (error instanceof PayloadLimitExceeded) {
          // AGNT5_MAX_ENTITY_STATE_BYTES: a re-run would grow it again; the write fails once, nothing stored.
          this.ctx.logger.warn({ invocationId: invocation.id, code: error.failure.code }, error.message);
          void this.finishFailed(invocation, error.failure);
          return;
        }
        if (error instanceof EntityStoreError && error.code === "INVALID_ARGUMENT") {
          // State no store can keep (a field name holding U+0000, a value that is not JSON): a
          // re-run would produce it again. The write fails once; the state stays as it was.
          const message = `Entity ${invocation.handler}/${invocation.objectKey} method ${invocation.methodName}: its state changes cannot be stored: ${error.message}`;
          this.ctx.logger.warn({ invocationId: invocation.id, code: "INVALID_ENTITY_STATE" }, message);
          void this.finishFailed(invocation, { code: "INVALID_ENTITY_STATE", message });
          return;
        }
        this.ctx.logger.error(
          { err: error, invocationId: invocation.id },
          "Entity write could not commit; re-running it",
        );
        this.ctx.entities.reload(invocation);
        invocation.attempt += 1;
        this.ctx.step(invocation, { type: "backoff", delayMs: ENTITY_COMMIT_RETRY_MS });
      },
    );
  }

  async finishFailed(invocation: ActiveInvocation, failure: StoredError): Promise<void> {
    this.ctx.step(invocation, { type: "finish" });
    // The caller gets the error as it is recorded (U+0000 -> U+FFFD), whoever wrote its message.
    const error = toStoredError(failure);
    await this.finish(invocation, () => this.ctx.records.fail(invocation.id, error, invocation.attempt), {
      status: "failed",
      error,
    });
  }

  /**
   * Records a terminal state (after the invocation's own record), then settles and wakes the
   * parent. Resolves true once the terminal state is recorded, false when it could not be.
   */
  async finish(invocation: ActiveInvocation, write: FinishWrite, outcome: Outcome): Promise<boolean> {
    let recorded = false;
    try {
      await invocation.recorded;
      const { parent } = await write();
      recorded = true;
      this.settle(invocation, outcome);
      if (parent) await this.ctx.deliver(parent.invocationId, parent.index, parentResult(invocation.id, outcome));
    } catch (cause) {
      this.#persistFailed(invocation, cause);
    }
    return recorded;
  }

  settle(invocation: ActiveInvocation, outcome: Outcome): void {
    this.ctx.observer?.settled(invocation, outcome.status);
    this.ctx.active.delete(invocation.id);
    if (invocation.kind === "entity") this.ctx.entities.released(invocation);
    invocation.settle(outcome);
    this.ctx.waiters.settle(invocation.id, outcome);
    this.ctx.routing?.settled(invocation.id);
  }

  /** The result could not be recorded: the caller gets no result, the record stays unfinished and is re-run on recovery. */
  #persistFailed(invocation: ActiveInvocation, cause: unknown): void {
    this.ctx.logger.error({ err: cause, invocationId: invocation.id }, "Could not record the invocation's result");
    this.ctx.active.delete(invocation.id);
    invocation.settle({
      status: "failed",
      error: {
        code: "UNAVAILABLE",
        message: `The result of ${invocation.id} could not be recorded; it will be re-run`,
      },
    });
  }
}

/** What a child's end completes its parent's `call` entry with. */
function parentResult(childId: string, outcome: Outcome): EntryResultRow {
  if (outcome.status === "completed") return { ok: true, value: outcome.output };
  return {
    ok: false,
    failure:
      outcome.status === "failed"
        ? outcome.error
        : { code: "CANCELLED", message: `Child invocation ${childId} was cancelled` },
  };
}
