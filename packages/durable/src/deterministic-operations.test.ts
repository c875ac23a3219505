import { describe, expect, it } from "vitest";
import type { JournalEntry } from "./journal-entry.js";
import { createHarness, flush, NOW, ok } from "./test-support/harness.js";

describe("ctx.now, ctx.random and ctx.uuid", () => {
  it("propose deterministic entries carrying the drawn value and wait for the ack", async () => {
    const h = createHarness();
    const seen: string[] = [];
    const outcome = h.execution.run(async (ctx) => {
      const now = await ctx.now();
      seen.push("now");
      return { now: now.toISOString(), random: await ctx.random(), uuid: await ctx.uuid() };
    });
    await flush();
    expect(h.proposals()).toEqual([{ index: 0, kind: "deterministic", name: "now", request: null, result: ok(NOW) }]);
    expect(seen).toEqual([]);
    h.ack(0);
    await flush();
    h.ack(1);
    await flush();
    h.ack(2);
    await expect(outcome).resolves.toEqual({
      type: "completed",
      value: { now: new Date(NOW).toISOString(), random: 0.42, uuid: "00000000-0000-4000-8000-000000000001" },
    });
    expect(h.proposals().map((entry) => [entry.name, entry.result])).toEqual([
      ["now", ok(NOW)],
      ["random", ok(0.42)],
      ["uuid", ok("00000000-0000-4000-8000-000000000001")],
    ]);
  });

  it("return the recorded values on replay, whatever the clock and generators say now", async () => {
    const first = createHarness({ now: () => 1_000, random: () => 0.1, uuid: () => "first-uuid" });
    first.autoAck();
    const body = async (ctx: Parameters<Parameters<typeof first.execution.run>[0]>[0]) => ({
      now: (await ctx.now()).getTime(),
      random: await ctx.random(),
      uuid: await ctx.uuid(),
    });
    const original = await first.execution.run(body);
    const journal: JournalEntry[] = first.proposals();

    const replay = createHarness({ journal, now: () => 9_999, random: () => 0.9, uuid: () => "other-uuid" });
    const replayed = await replay.execution.run(body);
    expect(replayed).toEqual(original);
    expect(replayed).toEqual({ type: "completed", value: { now: 1_000, random: 0.1, uuid: "first-uuid" } });
    expect(replay.frames).toEqual([]);
  });

  it("draw fresh values by default", async () => {
    const h = createHarness({ now: undefined, random: undefined, uuid: undefined });
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) => [await ctx.uuid(), await ctx.random()]);
    expect(outcome).toMatchObject({
      type: "completed",
      value: [expect.stringMatching(/^[0-9a-f-]{36}$/), expect.any(Number)],
    });
  });
});
