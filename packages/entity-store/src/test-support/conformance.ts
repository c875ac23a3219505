// The behaviour every EntityStore backend must show, as a vitest suite any package can run against
// its own store: `describeEntityStoreConformance([{ name, backend, open, persistent }])`.
// (Exported as "@agnt5/entity-store/conformance"; it needs vitest.)
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EntityCommit, EntityStore, EntityStoreBackend } from "../types.js";

export interface ConformanceTarget {
  /** Shown in the test names. */
  name: string;
  /** The `backend` the store must report. */
  backend: EntityStoreBackend;
  /** Prepares isolated storage once; throws a clear error if the service cannot be reached. */
  setup?(): Promise<void>;
  /** Opens the store; called once up front and again after close() to test persistence. */
  open(): Promise<EntityStore>;
  /** Whether a store opened again sees what a closed one committed. */
  persistent: boolean;
  /** Removes the storage setup() prepared. */
  teardown?(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const put = (
  expectedVersion: number,
  sets: Record<string, string>,
  extra: Partial<EntityCommit> = {},
): EntityCommit => ({
  expectedVersion,
  sets,
  deletes: [],
  ...extra,
});

/** Keys in code point (= UTF-8 byte) order, including the empty key and characters beyond the BMP. */
const ORDERED_KEYS = ["", "A", "a", "a b", "aa", "b", "é", "\uD7FF", "\uD7FFz", "\uE000", "\uFFFD", "😀", "😀a", "😁"];

export function describeEntityStoreConformance(targets: ConformanceTarget[]): void {
  describe.each(targets)("EntityStore conformance: $name", (target) => {
    let store: EntityStore;
    // Every test uses its own entity types, so tests never see each other's entities.
    const run = randomUUID().slice(0, 8);
    const typeFor = (name: string) => `${name}-${run}`;

    // A backend that cannot be set up or opened FAILS every test with the reason (a failing
    // beforeAll would only mark them skipped).
    let unavailable: unknown;
    beforeAll(async () => {
      try {
        await target.setup?.();
        store = await target.open();
      } catch (err) {
        unavailable = err;
      }
    });
    beforeEach(() => {
      if (unavailable !== undefined) throw unavailable;
    });

    afterAll(async () => {
      await store?.close();
      await target.teardown?.();
    });

    it("reports its backend", () => {
      expect(store.backend).toBe(target.backend);
    });

    it("loads an unknown entity as version 0 with empty state and no write marker", async () => {
      const snapshot = await store.load(typeFor("Unknown"), "nobody");
      expect(snapshot).toEqual({ state: {}, version: 0 });
      expect(snapshot.lastWrite).toBeUndefined();
    });

    it("commits, then loads what was committed; each commit adds exactly 1 to the version", async () => {
      const type = typeFor("Cart");
      expect(await store.commit(type, "c1", put(0, { items: '["apple"]', count: "1" }))).toEqual({
        ok: true,
        version: 1,
      });
      expect(await store.load(type, "c1")).toEqual({ state: { items: '["apple"]', count: "1" }, version: 1 });
      expect(await store.commit(type, "c1", put(1, { count: "2" }))).toEqual({ ok: true, version: 2 });
      expect(await store.load(type, "c1")).toEqual({ state: { items: '["apple"]', count: "2" }, version: 2 });
      // A commit with no changes still moves the version (it records that a write happened).
      expect(await store.commit(type, "c1", put(2, {}))).toEqual({ ok: true, version: 3 });
      expect(await store.load(type, "c1")).toEqual({ state: { items: '["apple"]', count: "2" }, version: 3 });
    });

    it("rejects a stale expectedVersion atomically and leaves the state unchanged", async () => {
      const type = typeFor("Stale");
      await store.commit(type, "k", put(0, { a: "1" }, { write: { invocationId: "inv-1", output: '"one"' } }));
      await store.commit(type, "k", put(1, { a: "2" }, { write: { invocationId: "inv-2", output: '"two"' } }));
      const before = await store.load(type, "k");
      for (const expectedVersion of [0, 1, 3, 1000]) {
        const result = await store.commit(type, "k", {
          expectedVersion,
          sets: { a: "99", b: "99" },
          deletes: [],
          write: { invocationId: `stale-${expectedVersion}`, output: "null" },
        });
        expect(result).toEqual({ ok: false, reason: "stale", currentVersion: 2 });
      }
      const staleDelete = await store.commit(type, "k", { expectedVersion: 1, sets: {}, deletes: ["a"] });
      expect(staleDelete).toEqual({ ok: false, reason: "stale", currentVersion: 2 });
      expect(await store.load(type, "k")).toEqual(before);
      expect(before).toEqual({ state: { a: "2" }, version: 2, lastWrite: { invocationId: "inv-2", output: '"two"' } });
    });

    it("does not create an entity from a commit that expects a version it never had", async () => {
      const type = typeFor("Never");
      expect(await store.commit(type, "ghost", put(3, { a: "1" }))).toEqual({
        ok: false,
        reason: "stale",
        currentVersion: 0,
      });
      expect(await store.load(type, "ghost")).toEqual({ state: {}, version: 0 });
      expect((await store.listKeys(type)).keys).toEqual([]);
    });

    it("applies sets and deletes of one commit together", async () => {
      const type = typeFor("Profile");
      await store.commit(type, "p", put(0, { name: '"Ada"', email: '"ada@example.com"', age: "36", tmp: "true" }));
      const result = await store.commit(type, "p", {
        expectedVersion: 1,
        sets: { name: '"Ada Lovelace"', city: '"London"' },
        deletes: ["email", "tmp", "never-existed", "tmp"],
      });
      expect(result).toEqual({ ok: true, version: 2 });
      expect(await store.load(type, "p")).toEqual({
        state: { name: '"Ada Lovelace"', age: "36", city: '"London"' },
        version: 2,
      });
      // Deleting every field keeps the entity (and its version); it is not the same as delete().
      await store.commit(type, "p", { expectedVersion: 2, sets: {}, deletes: ["name", "age", "city"] });
      expect(await store.load(type, "p")).toEqual({ state: {}, version: 3 });
      expect((await store.listKeys(type)).keys).toEqual(["p"]);
    });

    it("returns the last write's marker with the state; a later write replaces it, a commit without one clears it", async () => {
      const type = typeFor("Marker");
      await store.commit(type, "m", put(0, { n: "1" }, { write: { invocationId: "inv_a", output: '{"count":1}' } }));
      expect((await store.load(type, "m")).lastWrite).toEqual({ invocationId: "inv_a", output: '{"count":1}' });

      const output = JSON.stringify({ reply: 'naïve "quoted" ✓ 🚀', list: [1, 2, { deep: null }] });
      await store.commit(type, "m", put(1, { n: "2" }, { write: { invocationId: "inv_b", output } }));
      expect(await store.load(type, "m")).toEqual({
        state: { n: "2" },
        version: 2,
        lastWrite: { invocationId: "inv_b", output },
      });

      // A stale commit does not record its marker.
      await store.commit(type, "m", put(1, { n: "9" }, { write: { invocationId: "inv_stale", output: "0" } }));
      expect((await store.load(type, "m")).lastWrite?.invocationId).toBe("inv_b");

      // An empty output is an output.
      await store.commit(type, "m", put(2, {}, { write: { invocationId: "inv_c", output: "" } }));
      expect((await store.load(type, "m")).lastWrite).toEqual({ invocationId: "inv_c", output: "" });

      await store.commit(type, "m", put(3, { n: "4" }));
      const snapshot = await store.load(type, "m");
      expect(snapshot).toEqual({ state: { n: "4" }, version: 4 });
      expect("lastWrite" in snapshot).toBe(false);
    });

    it("lists keys in code point order, by prefix, a page at a time", async () => {
      const type = typeFor("Listed");
      const items = Array.from({ length: 23 }, (_, i) => `item-${String(i).padStart(2, "0")}`);
      for (const key of [...items, "other-1", "item", "itemz"].reverse())
        await store.commit(type, key, put(0, { v: "1" }));
      await store.commit(typeFor("ListedElsewhere"), "item-99", put(0, { v: "1" }));

      expect((await store.listKeys(type)).keys).toEqual(["item", ...items, "itemz", "other-1"]);
      expect(await store.listKeys(type, { prefix: "item-1" })).toEqual({
        keys: items.filter((k) => k.startsWith("item-1")),
      });
      expect(await store.listKeys(type, { prefix: "nothing" })).toEqual({ keys: [] });
      expect(await store.listKeys(typeFor("EmptyType"))).toEqual({ keys: [] });

      // Pages of 10: 10, 10, 3; the last page has no cursor.
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listKeys(type, { prefix: "item-", limit: 10, ...(cursor ? { cursor } : {}) });
        pages.push(page.keys);
        cursor = page.cursor;
      } while (cursor);
      expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
      expect(pages.flat()).toEqual(items);

      // A page that ends exactly at the last key has no cursor.
      expect(await store.listKeys(type, { prefix: "item-", limit: 23 })).toEqual({ keys: items });
      const first = await store.listKeys(type, { limit: 1 });
      expect(first.keys).toEqual(["item"]);
      expect(typeof first.cursor).toBe("string");
      const next = await store.listKeys(type, { limit: 2, cursor: first.cursor! });
      expect(next.keys).toEqual(["item-00", "item-01"]);

      // Order is by code point, the same on every backend (not UTF-16 code units, not a locale).
      const ordered = typeFor("Ordered");
      for (const key of [...ORDERED_KEYS].reverse()) await store.commit(ordered, key, put(0, { v: "1" }));
      expect((await store.listKeys(ordered)).keys).toEqual(ORDERED_KEYS);
      const oneByOne: string[] = [];
      let c: string | undefined;
      do {
        const page = await store.listKeys(ordered, { limit: 1, ...(c !== undefined ? { cursor: c } : {}) });
        oneByOne.push(...page.keys);
        c = page.cursor;
      } while (c !== undefined);
      expect(oneByOne).toEqual(ORDERED_KEYS);
      expect((await store.listKeys(ordered, { prefix: "\uD7FF" })).keys).toEqual(["\uD7FF", "\uD7FFz"]);
      expect((await store.listKeys(ordered, { prefix: "😀" })).keys).toEqual(["😀", "😀a"]);
      expect((await store.listKeys(ordered, { prefix: "a" })).keys).toEqual(["a", "a b", "aa"]);
    });

    it("deletes an entity: it loads as never written, leaves the listing, and can be created again", async () => {
      const type = typeFor("Deleted");
      await store.commit(type, "d", put(0, { a: "1" }, { write: { invocationId: "inv-d", output: "1" } }));
      await store.commit(type, "d", put(1, { a: "2" }));
      await store.commit(type, "keep", put(0, { a: "1" }));
      await store.delete(type, "d");
      expect(await store.load(type, "d")).toEqual({ state: {}, version: 0 });
      expect((await store.listKeys(type)).keys).toEqual(["keep"]);
      expect(await store.load(type, "keep")).toEqual({ state: { a: "1" }, version: 1 });
      // A writer that still holds the old version is stale.
      expect(await store.commit(type, "d", put(2, { a: "3" }))).toEqual({
        ok: false,
        reason: "stale",
        currentVersion: 0,
      });
      await store.delete(type, "d"); // deleting what does not exist is a no-op
      await store.delete(typeFor("NeverWritten"), "x");
      expect(await store.commit(type, "d", put(0, { b: "1" }))).toEqual({ ok: true, version: 1 });
      expect(await store.load(type, "d")).toEqual({ state: { b: "1" }, version: 1 });
      expect((await store.listKeys(type)).keys).toEqual(["d", "keep"]);
    });

    it("keeps types and keys apart, whatever characters they contain", async () => {
      const pairs: Array<[string, string]> = [
        [typeFor("A"), "k"],
        [typeFor("B"), "k"],
        [typeFor("A"), "k2"],
        // Pairs that a naive "type:key" encoding would confuse.
        [`${typeFor("a")}:b`, "c"],
        [typeFor("a"), "b:c"],
        [`${typeFor("x")}%3A`, "y"],
        [`${typeFor("x")}:`, "y"],
        [typeFor("braces"), "}:meta"],
        [typeFor("braces"), "{k}"],
        [typeFor("braces"), "a}b{c"],
        [`}${typeFor("")}{`, "{}"],
        [`}${typeFor("")}{:`, "}"],
        [typeFor("A"), ""],
        [typeFor("A"), " k"],
        [typeFor("A"), "K"],
      ];
      for (const [i, [type, key]] of pairs.entries()) {
        await store.commit(type, key, put(0, { who: JSON.stringify({ type, key }), i: String(i) }));
      }
      for (const [i, [type, key]] of pairs.entries()) {
        expect(await store.load(type, key)).toEqual({
          state: { who: JSON.stringify({ type, key }), i: String(i) },
          version: 1,
        });
      }
      expect((await store.listKeys(typeFor("A"))).keys).toEqual(["", " k", "K", "k", "k2"]);
      expect((await store.listKeys(typeFor("a"))).keys).toEqual(["b:c"]);
      expect((await store.listKeys(`${typeFor("a")}:b`)).keys).toEqual(["c"]);
      expect((await store.listKeys(typeFor("braces"))).keys).toEqual(["a}b{c", "{k}", "}:meta"]);
      await store.delete(typeFor("A"), "k");
      expect((await store.load(typeFor("B"), "k")).version).toBe(1);
      expect((await store.load(typeFor("A"), "k2")).version).toBe(1);
    });

    it("round-trips JSON text byte for byte: quotes, escapes, unicode, nested objects, formatting, big numbers", async () => {
      const type = typeFor("Json");
      const state: Record<string, string> = {
        quotes: JSON.stringify(`she said "hi" \\ then 'bye'`),
        unicode: JSON.stringify("żółć 漢字 🎉 \u2028\u2029 é e\u0301 \u{10FFFF}"),
        escapes: JSON.stringify("nul:\u0000 tab:\t nl:\n cr:\r bell:\u0007"),
        escapedUnicode: '"\\u00e9\\ud83d\\ude00"',
        nested: JSON.stringify({ a: [1, { b: null, c: 'x"y' }], d: { e: { f: [true, false, 0.5] } }, "": "empty key" }),
        formatted: '{ "keep" :  [1, 2.50, 1e3],\n  "order": {"z": 1, "a": 2} }\n',
        precise: "3.14159265358979323846264338327950288",
        big: "123456789012345678901234567890",
        empty: '""',
        nothing: "null",
        // Field names are free-form too.
        "": '"empty field name"',
        "with space.and.dots": "1",
        "ключ 🔑": "2",
        'q"uote': "3",
      };
      // A field named "__proto__" must stay a field (an object literal would set the prototype instead).
      Object.defineProperty(state, "__proto__", {
        value: '"proto field"',
        enumerable: true,
        configurable: true,
        writable: true,
      });
      expect(Object.keys(state)).toContain("__proto__");
      await store.commit(type, "j", put(0, state));
      const loaded = await store.load(type, "j");
      expect(Object.keys(loaded.state).sort()).toEqual(Object.keys(state).sort());
      for (const [field, value] of Object.entries(state)) expect(loaded.state[field]).toBe(value);
      expect(Object.getPrototypeOf(loaded.state)).toBe(Object.prototype);
      expect(JSON.parse(loaded.state.nested!)).toEqual(JSON.parse(state.nested!));

      await store.commit(type, "j", { expectedVersion: 1, sets: {}, deletes: ["__proto__", ""] });
      const after = await store.load(type, "j");
      expect(Object.hasOwn(after.state, "__proto__")).toBe(false);
      expect(Object.hasOwn(after.state, "")).toBe(false);
      expect(after.state["ключ 🔑"]).toBe("2");
    });

    it("commits thousands of fields at once", async () => {
      const type = typeFor("Wide");
      const sets = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`f${i}`, JSON.stringify({ i })]));
      expect(await store.commit(type, "w", put(0, sets))).toEqual({ ok: true, version: 1 });
      expect((await store.load(type, "w")).state).toEqual(sets);
      const deletes = Array.from({ length: 2000 }, (_, i) => `f${i}`);
      const more = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`g${i}`, String(i)]));
      expect(await store.commit(type, "w", { expectedVersion: 1, sets: more, deletes })).toEqual({
        ok: true,
        version: 2,
      });
      const loaded = await store.load(type, "w");
      expect(Object.keys(loaded.state)).toHaveLength(500 + 1200);
      expect(loaded.state.f1999).toBeUndefined();
      expect(loaded.state.f2000).toBe('{"i":2000}');
      expect(loaded.state.g1199).toBe("1199");
    });

    it("rejects input no backend can store faithfully, and writes nothing", async () => {
      const type = typeFor("Invalid");
      const bad: Array<[string, () => Promise<unknown>]> = [
        ["value that is not JSON", () => store.commit(type, "k", put(0, { a: "not json" }))],
        ["empty value", () => store.commit(type, "k", put(0, { a: "" }))],
        ["value that is not a string", () => store.commit(type, "k", put(0, { a: 1 as unknown as string }))],
        [
          "field both set and deleted",
          () => store.commit(type, "k", { expectedVersion: 0, sets: { a: "1" }, deletes: ["a"] }),
        ],
        ["negative version", () => store.commit(type, "k", put(-1, { a: "1" }))],
        ["fractional version", () => store.commit(type, "k", put(0.5, { a: "1" }))],
        [
          "empty invocation id",
          () => store.commit(type, "k", put(0, {}, { write: { invocationId: "", output: "1" } })),
        ],
        [
          "NUL in output",
          () => store.commit(type, "k", put(0, {}, { write: { invocationId: "i", output: "a\u0000" } })),
        ],
        ["NUL in key", () => store.commit(type, "k\u0000", put(0, { a: "1" }))],
        ["lone surrogate in field", () => store.commit(type, "k", put(0, { "\uD800": "1" }))],
        ["lone surrogate in value", () => store.commit(type, "k", put(0, { a: '"\uDC00"' }))],
        ["empty type", () => store.commit("", "k", put(0, { a: "1" }))],
        ["key too long", () => store.commit(type, "k".repeat(1025), put(0, { a: "1" }))],
        ["load with NUL in type", () => store.load("T\u0000", "k")],
        ["listKeys limit 0", () => store.listKeys(type, { limit: 0 })],
        ["listKeys bad cursor", () => store.listKeys(type, { cursor: "not a cursor" })],
        ["delete with empty type", () => store.delete("", "k")],
      ];
      for (const [what, call] of bad) {
        await expect(call(), what).rejects.toMatchObject({ name: "EntityStoreError", code: "INVALID_ARGUMENT" });
      }
      expect(await store.load(type, "k")).toEqual({ state: {}, version: 0 });
      expect((await store.listKeys(type)).keys).toEqual([]);
      // A key of exactly the limit is fine.
      expect(await store.commit(type, "é".repeat(512), put(0, { a: "1" }))).toEqual({ ok: true, version: 1 });
    });

    it("lets exactly one of many concurrent commits at the same version win", async () => {
      const type = typeFor("Race");
      for (const base of [0, 1]) {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.commit(
              type,
              "r",
              put(base, { winner: String(i) }, { write: { invocationId: `w${base}-${i}`, output: String(i) } }),
            ),
          ),
        );
        const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) {
          expect(r).toEqual(
            r.ok ? { ok: true, version: base + 1 } : { ok: false, reason: "stale", currentVersion: base + 1 },
          );
        }
        const w = winners[0]!;
        expect(await store.load(type, "r")).toEqual({
          state: { winner: String(w) },
          version: base + 1,
          lastWrite: { invocationId: `w${base}-${w}`, output: String(w) },
        });
      }
    });

    it("200 concurrent compare-and-set increments of one key (retrying on stale) end at exactly 200", async () => {
      const type = typeFor("Counter");
      const granted: number[] = [];
      let staleRetries = 0;
      const increment = async (worker: number) => {
        for (let attempt = 1; ; attempt++) {
          const snapshot = await store.load(type, "hot");
          const count = snapshot.state.count === undefined ? 0 : (JSON.parse(snapshot.state.count) as number);
          const result = await store.commit(type, "hot", {
            expectedVersion: snapshot.version,
            sets: { count: JSON.stringify(count + 1), [`w${worker}`]: "true" },
            deletes: [],
          });
          if (result.ok) {
            expect(result.version).toBe(snapshot.version + 1);
            granted.push(result.version);
            return;
          }
          expect(result.currentVersion).toBeGreaterThan(snapshot.version);
          staleRetries++;
          if (attempt > 5000) throw new Error(`increment ${worker} starved`);
          // Randomized exponential backoff keeps the retry storm small; correctness does not depend on it.
          await sleep(Math.random() * Math.min(2 ** attempt, 100));
        }
      };
      await Promise.all(Array.from({ length: 200 }, (_, worker) => increment(worker)));
      const final = await store.load(type, "hot");
      expect(final.version).toBe(200);
      expect(final.state.count).toBe("200");
      expect(Object.keys(final.state)).toHaveLength(201); // count + one marker per worker
      // Every version from 1 to 200 was granted to exactly one commit.
      expect([...granted].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(staleRetries).toBeGreaterThan(0); // the increments really did contend
    });

    it(
      target.persistent
        ? "close() ends the store (idempotently); a reopened store has everything committed before"
        : "close() ends the store (idempotently); a new store starts empty",
      async () => {
        const type = typeFor("Durable");
        await store.commit(type, "a", put(0, { n: "1" }));
        await store.commit(
          type,
          "a",
          put(1, { n: "2", s: '"ż🎉"' }, { write: { invocationId: "inv-last", output: '{"ok":true}' } }),
        );
        await store.commit(type, "b", put(0, { n: "7" }));
        const old = store;
        await old.close();
        await old.close();
        await expect(old.load(type, "a")).rejects.toMatchObject({ code: "CLOSED" });
        await expect(old.commit(type, "a", put(2, {}))).rejects.toMatchObject({ code: "CLOSED" });
        store = await target.open();
        if (!target.persistent) {
          expect(await store.load(type, "a")).toEqual({ state: {}, version: 0 });
          return;
        }
        expect(await store.load(type, "a")).toEqual({
          state: { n: "2", s: '"ż🎉"' },
          version: 2,
          lastWrite: { invocationId: "inv-last", output: '{"ok":true}' },
        });
        expect(await store.load(type, "b")).toEqual({ state: { n: "7" }, version: 1 });
        expect((await store.listKeys(type)).keys).toEqual(["a", "b"]);
        expect(await store.commit(type, "a", put(2, { n: "3" }))).toEqual({ ok: true, version: 3 });
        // Entities committed by earlier tests are there too.
        expect((await store.load(typeFor("Counter"), "hot")).version).toBe(200);
      },
    );
  });
}
