// What a write hands the store: only the fields it changed (the store's commit is a diff), with
// the version it read; and the cached state the next write starts from.
import { createMemoryEntityStore } from "@agnt5/entity-store";
import { StateChangeSchema } from "@agnt5/proto";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import type { ActiveInvocation } from "../engine/active-invocation.js";
import { createLogger } from "../logger.js";
import { EntityScheduler } from "./entity-scheduler.js";
import type { EntityCommit, EntityStorePort } from "./entity-store-port.js";

const encoder = new TextEncoder();
const set = (key: string, json: string) => create(StateChangeSchema, { key, value: encoder.encode(json) });
const remove = (key: string) => create(StateChangeSchema, { key, deleted: true });

function write(id: string, key: string): ActiveInvocation {
  return { id, handler: "Session", objectKey: key, entityState: undefined } as unknown as ActiveInvocation;
}

function recordingStore() {
  const inner = createMemoryEntityStore();
  const commits: EntityCommit[] = [];
  const port: EntityStorePort = {
    backend: "memory",
    load: (type, key) => inner.load(type, key),
    commit: (type, key, commit) => {
      commits.push(structuredClone({ ...commit, sets: { ...commit.sets } }));
      return inner.commit(type, key, commit);
    },
    close: () => inner.close(),
  };
  return { port, inner, commits };
}

const hooks = { dispatch: () => {}, completeFromMarker: () => {}, fail: () => {}, isWrite: () => true };

describe("EntityScheduler.commitWrite", () => {
  it("sends the store only the changed fields and keeps the cached state equal to the committed one", async () => {
    const { port, inner, commits } = recordingStore();
    const fields = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m:${i}`, `"message ${i}"`]));
    await inner.commit("Session", "s", { expectedVersion: 0, sets: { ...fields, next: "100", tmp: "1" }, deletes: [] });
    const scheduler = new EntityScheduler(port, hooks, createLogger({ logLevel: "silent", logFormat: "json" }));

    await scheduler.commitWrite(
      write("w1", "s"),
      [set("m:100", '"message 100"'), set("next", "101"), remove("tmp")],
      "1",
    );
    expect(commits).toEqual([
      {
        expectedVersion: 1,
        sets: { "m:100": '"message 100"', next: "101" },
        deletes: ["tmp"],
        write: { invocationId: "w1", output: "1" },
      },
    ]);
    // A field named like Object.prototype's accessor is a field like any other.
    await scheduler.commitWrite(write("w2", "s"), [set("__proto__", '{"x":1}'), set("next", "102")], "2");
    expect(commits[1]).toMatchObject({ expectedVersion: 2, deletes: [] });
    expect(Object.keys(commits[1]!.sets).sort()).toEqual(["__proto__", "next"]);

    const cached = await scheduler.snapshot("Session", "s");
    const stored = await inner.load("Session", "s");
    expect(cached.version).toBe(3);
    expect(Object.getPrototypeOf(cached.state)).toBe(Object.prototype);
    expect({ ...cached, state: { ...cached.state } }).toEqual(stored);
    expect(Object.keys(cached.state)).toHaveLength(103);
  });

  it("refuses a write whose base version moved under it, and reloads before the next one", async () => {
    const { port, inner } = recordingStore();
    await inner.commit("Session", "s", { expectedVersion: 0, sets: { n: "1" }, deletes: [] });
    const scheduler = new EntityScheduler(port, hooks, createLogger({ logLevel: "silent", logFormat: "json" }));
    expect(await scheduler.snapshot("Session", "s")).toMatchObject({ version: 1 });
    // Another writer (not this coordinator) commits version 2.
    await inner.commit("Session", "s", { expectedVersion: 1, sets: { n: "2" }, deletes: [] });

    await expect(scheduler.commitWrite(write("w1", "s"), [set("n", "3")], "3")).rejects.toThrow(
      /moved from version 1 to 2/,
    );
    expect(await inner.load("Session", "s")).toEqual({ state: { n: "2" }, version: 2 });
    expect(await scheduler.snapshot("Session", "s")).toEqual({ state: { n: "2" }, version: 2 });
  });
});
