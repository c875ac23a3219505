// The session retention sweeper on the real engine and PostgreSQL entity store: expired sessions
// are deleted (their entity rows removed), immutable ones and those within their ttl are left alone.
import { createSqlEntityStore } from "@agnt5/entity-store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestEngine, type TestEngine } from "../test-support/test-engine.js";
import { isExpiredSession, SESSION_ENTITY_TYPE, SessionRetentionSweeper } from "./retention-sweeper.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-06-01T00:00:00Z");
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();

describe("SessionRetentionSweeper", () => {
  let engine: TestEngine;
  let entities: ReturnType<typeof createSqlEntityStore>;

  beforeEach(async () => {
    engine = await startTestEngine();
    entities = createSqlEntityStore(engine.store.db, { backend: engine.store.db.kind });
  });
  afterEach(() => engine?.close());

  /** A session's state as @agnt5/adk's agnt5.session entity writes it. */
  const seed = async (id: string, info: Record<string, unknown>) => {
    const state = {
      info: JSON.stringify({ id, metadata: {}, createdAt: daysAgo(400), ...info }),
      next_seq: "2",
      "m:000000000001": JSON.stringify({ seq: 1, role: "user", content: "hi" }),
    };
    const result = await entities.commit(SESSION_ENTITY_TYPE, id, { expectedVersion: 0, sets: state, deletes: [] });
    expect(result.ok).toBe(true);
  };

  it("deletes expired sessions and never an immutable one or one within its ttl", async () => {
    await seed("expired", { updatedAt: daysAgo(10), retention: { ttlDays: 7 } });
    await seed("fresh", { updatedAt: daysAgo(1), retention: { ttlDays: 7 } });
    await seed("immutable", { updatedAt: daysAgo(3000), retention: { ttlDays: 2555, immutable: true } });
    await seed("no-ttl", { updatedAt: daysAgo(3000), retention: {} });

    const sweeper = new SessionRetentionSweeper(engine.manager.entities, entities, engine.logger, () => NOW);
    expect(await sweeper.sweepOnce()).toEqual({ deleted: ["expired"], scanned: 4 });

    // The row is gone, not emptied: it loads as never written and is no longer listed.
    expect(await entities.load(SESSION_ENTITY_TYPE, "expired")).toEqual({ state: {}, version: 0 });
    expect((await entities.listKeys(SESSION_ENTITY_TYPE)).keys).toEqual(["fresh", "immutable", "no-ttl"]);
    for (const kept of ["fresh", "immutable", "no-ttl"]) {
      expect(Object.keys((await entities.load(SESSION_ENTITY_TYPE, kept)).state), kept).toContain("m:000000000001");
    }
    // The gateway's view (the scheduler's cache) agrees with the store.
    expect((await engine.manager.entities.snapshot(SESSION_ENTITY_TYPE, "expired")).state).toEqual({});
    // A second pass finds nothing more to delete, and no longer scans the deleted session.
    expect(await sweeper.sweepOnce()).toEqual({ deleted: [], scanned: 3 });
  });

  it("reads expiry from the session's info only", () => {
    const snapshot = (info: unknown) => ({ state: { info: JSON.stringify(info) }, version: 1 });
    expect(isExpiredSession(snapshot({ updatedAt: daysAgo(2), retention: { ttlDays: 1 } }), NOW)).toBe(true);
    expect(isExpiredSession(snapshot({ updatedAt: daysAgo(2), retention: { ttlDays: 3 } }), NOW)).toBe(false);
    expect(isExpiredSession(snapshot({ updatedAt: "not a date", retention: { ttlDays: 1 } }), NOW)).toBe(false);
    expect(isExpiredSession({ state: {}, version: 0 }, NOW)).toBe(false);
    expect(isExpiredSession({ state: { info: "{" }, version: 1 }, NOW)).toBe(false);
  });
});
