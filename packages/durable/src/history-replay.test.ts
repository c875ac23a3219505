import { readFileSync } from "node:fs";
import { type DurableContext, silentLogger } from "@agnt5/core";
import { describe, expect, it, vi } from "vitest";
import type { JournalEntry } from "./journal-entry.js";
import { createHarness } from "./test-support/harness.js";

interface SavedHistory {
  input: { orderId: string; amount: number };
  journal: JournalEntry[];
  output: unknown;
}

const history = JSON.parse(
  readFileSync(new URL("./__fixtures__/checkout-history.json", import.meta.url), "utf8"),
) as SavedHistory;

/** Counts the side effects the steps would perform. */
function sideEffects() {
  return { reserve: 0, charge: 0, receipt: 0 };
}

/** The checkout workflow as it is written today. */
async function checkout(ctx: DurableContext, input: SavedHistory["input"], calls = sideEffects()) {
  const reservation = await ctx.step("reserve_inventory", () => {
    calls.reserve++;
    return { reservationId: "res-new", sku: "sku-1" };
  });
  const charge = await ctx.step("charge_card", () => {
    calls.charge++;
    return { chargeId: "ch_new", amount: input.amount };
  });
  const receipt = await ctx.step("send_receipt", () => {
    calls.receipt++;
    return `receipt-${input.orderId}`;
  });
  return { orderId: input.orderId, reservationId: reservation.reservationId, chargeId: charge.chargeId, receipt };
}

describe("replaying a saved history", () => {
  it("reproduces the recorded output without running any step or proposing anything", async () => {
    const h = createHarness({ journal: history.journal });
    const calls = sideEffects();
    const outcome = await h.execution.run((ctx) => checkout(ctx, history.input, calls));
    expect(outcome).toEqual({ type: "completed", value: history.output });
    expect(calls).toEqual({ reserve: 0, charge: 0, receipt: 0 });
    expect(h.frames).toEqual([]);
  });

  it("fails with NON_DETERMINISM when a step was renamed", async () => {
    const h = createHarness({ journal: history.journal });
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.step("reserve_inventory", () => null);
      await ctx.step("charge_payment", () => null);
    });
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "NON_DETERMINISM", retryable: false } });
    expect((outcome as { failure: { message: string } }).failure.message).toContain(
      'Non-determinism at journal index 1: the journal holds step "charge_card" but the code asked for step "charge_payment"',
    );
  });

  it("fails with NON_DETERMINISM when an operation was inserted before a recorded one", async () => {
    const h = createHarness({ journal: history.journal });
    const calls = sideEffects();
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.step("reserve_inventory", () => null);
      await ctx.sleep(60); // new: wait a minute before charging
      return checkout(ctx, history.input, calls);
    });
    expect((outcome as { failure: { message: string } }).failure.message).toContain(
      'at journal index 1: the journal holds step "charge_card" but the code asked for timer "sleep"',
    );
    expect(calls.charge).toBe(0);
  });

  it("warns when the code returns before reaching recorded entries", async () => {
    const warn = vi.fn();
    const h = createHarness({ journal: history.journal, logger: { ...silentLogger, warn } });
    const outcome = await h.execution.run(async (ctx) => ctx.step("reserve_inventory", () => null));
    expect(outcome).toEqual({ type: "completed", value: { reservationId: "res-77", sku: "sku-1" } });
    expect(warn).toHaveBeenCalledWith(
      { entries: [expect.objectContaining({ index: 1 }), expect.objectContaining({ index: 2 })] },
      expect.stringContaining("returned before reaching 2 recorded journal entries"),
    );
  });

  it("records the same journal when the workflow runs from scratch (the fixture's format is current)", async () => {
    const h = createHarness();
    const results = new Map(history.journal.map((entry) => [entry.index, entry.result]));
    h.autoAck();
    const calls = sideEffects();
    await h.execution.run((ctx) => checkout(ctx, history.input, calls));
    expect(h.proposals().map(({ index, kind, name, request }) => ({ index, kind, name, request }))).toEqual(
      history.journal.map(({ index, kind, name, request }) => ({ index, kind, name, request })),
    );
    expect(h.proposals().every((entry) => results.get(entry.index)?.ok === entry.result?.ok)).toBe(true);
  });
});
