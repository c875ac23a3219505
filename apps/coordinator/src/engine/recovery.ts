import type { EngineContext } from "./engine-context.js";

/**
 * After a restart: re-grants the keys of suspended entity writes, re-queues unfinished
 * invocations (a paused run's are held), and re-delivers what completed while we were down.
 */
export async function recover(ctx: EngineContext, only?: ReadonlySet<string>): Promise<number> {
  // `only`: a takeover recovers the invocations it moved here, not those it already drives.
  const wanted = (id: string) => only === undefined || only.has(id);
  // Entity writes suspended mid-method still hold their keys: re-grant them first, so the
  // writes recovered or received after them keep their place behind them.
  for (const record of await ctx.records.listSuspended()) {
    if (record.kind !== "entity" || record.objectKey === null || !wanted(record.id)) continue;
    const method = ctx.services.get(record.service)?.components.get(record.handler)?.methods;
    if (method?.find((m) => m.name === record.methodName)?.write === false) continue;
    ctx.entities.hold(record.handler, record.objectKey, record.id);
  }
  const records = (await ctx.records.listUnfinished()).filter((record) => wanted(record.id));
  // One query for every journal, not one per invocation: recovery is on the start-up path.
  const journals = await ctx.journal.loadMany(records.map((record) => record.id));
  for (const record of records) {
    if (ctx.active.has(record.id) || ctx.resuming(record.id)) continue;
    const invocation = await ctx.revive(record, record.attempt + 1, journals.get(record.id) ?? []);
    const delay = record.nextAttemptAt ? new Date(record.nextAttemptAt).getTime() - Date.now() : 0;
    // Entity invocations take their place in their key's order (oldest first) right away.
    if (delay > 0 && invocation.kind !== "entity") ctx.step(invocation, { type: "backoff", delayMs: delay });
    else ctx.admit(invocation);
  }
  // A child finished but the coordinator died before its parent's entry was completed.
  for (const pending of await ctx.journal.pendingCallsWithFinishedChildren()) {
    if (!wanted(pending.parentId)) continue;
    await ctx.journal.completeEntry(pending.parentId, pending.index, pending.result);
    void ctx.deliver(pending.parentId, pending.index, pending.result);
  }
  // Suspended, and what they wait for completed just before the coordinator died.
  for (const record of await ctx.records.listSuspendedReady()) if (wanted(record.id)) await ctx.resume(record.id);
  if (records.length) ctx.logger.info({ count: records.length }, "Recovered unfinished invocations");
  return records.length;
}
