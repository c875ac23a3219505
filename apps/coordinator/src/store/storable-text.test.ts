// What PostgreSQL and PGlite accept of the text a worker sends, and the helpers that make it
// storable: errors, journal failures, registrations and headers holding U+0000 or a lone surrogate
// are written (with U+FFFD in their place) instead of failing the write; JSON text in text columns
// needs nothing (JSON.stringify escapes both). Real PostgreSQL (fresh schema) and PGlite (temp dir).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newInv, pgliteBackend, postgresBackend } from "./__fixtures__/backends.js";
import type { Store } from "./open-store.js";
import { storableJson, storableJsonValue, storableText, unstorableIn } from "./storable-text.js";

const NUL = "\u0000";
const HIGH = "\ud800";
const LOW = "\udc00";
const FFFD = "\ufffd";

describe("storableText and unstorableIn", () => {
  it("replace U+0000 and unpaired surrogates by U+FFFD, keeping pairs and everything else", () => {
    expect(storableText(`a${NUL}b${NUL}`)).toBe(`a${FFFD}b${FFFD}`);
    expect(storableText(`${HIGH}x${LOW}`)).toBe(`${FFFD}x${FFFD}`);
    expect(storableText(`${LOW}${HIGH}`)).toBe(`${FFFD}${FFFD}`);
    expect(storableText("pair 😀 and \u0001 and é")).toBe("pair 😀 and \u0001 and é");
    expect(storableText(`end ${HIGH}`)).toBe(`end ${FFFD}`);
  });

  it("name the first problem of an identifier, or nothing", () => {
    expect(unstorableIn(`step${NUL}`)).toBe("U+0000");
    expect(unstorableIn(`step${HIGH}`)).toBe("an unpaired UTF-16 surrogate");
    expect(unstorableIn("step 😀")).toBeUndefined();
  });

  it("storableJsonValue cleans strings and keys at any depth, and keeps a __proto__ key an own field", () => {
    const value = JSON.parse(`{"k\\u0000":["\\u0000",{"\\ud800":"\\udc00"}],"__proto__":{"x":"\\u0000"},"n":1}`);
    const clean = storableJsonValue(value);
    expect(clean).toEqual({ [`k${FFFD}`]: [FFFD, { [FFFD]: FFFD }], ["__proto__"]: { x: FFFD }, n: 1 });
    expect(Object.hasOwn(clean, "__proto__")).toBe(true);
    expect(storableJsonValue(undefined)).toBeUndefined();
    expect(storableJson({ a: "plain" })).toBe('{"a":"plain"}');
  });
});

describe.each([postgresBackend(), pgliteBackend()])("storable text on $name", (backend) => {
  let store: Store;

  beforeAll(async () => {
    await backend.setup();
    store = await backend.open();
  });

  afterAll(async () => {
    await store?.close();
    await backend.teardown();
  });

  it("the store refuses U+0000 in jsonb and in text, and an escaped lone surrogate in jsonb", async () => {
    await expect(store.db.query(`SELECT $1::text::jsonb`, ['"a\\u0000b"'])).rejects.toThrow();
    await expect(store.db.query(`SELECT $1::text::jsonb`, ['"a\\ud800b"'])).rejects.toThrow();
    await expect(store.db.query(`SELECT $1::text`, [`a${NUL}b`])).rejects.toThrow();
  });

  it("the driver sends a lone surrogate in a text parameter as U+FFFD: an identifier would change silently", async () => {
    const [row] = await store.db.query<{ t: string }>(`SELECT $1::text AS t`, [`a${HIGH}b`]);
    expect(row?.t).toBe(`a${FFFD}b`);
  });

  it("JSON text (inputs, outputs, step results) keeps U+0000 and lone surrogates escaped, byte for byte", async () => {
    const input = JSON.stringify({ text: `a${NUL}b${HIGH}c` });
    expect(input).toContain("\\u0000");
    expect(input).toContain("\\ud800");
    const inv = newInv({ input });
    await store.invocations.create(inv);
    await store.invocations.complete(inv.id, input, 1);
    const record = await store.invocations.get(inv.id);
    expect(record).toMatchObject({ input, output: input, status: "completed" });
    expect(JSON.parse(record?.output ?? "null")).toEqual({ text: `a${NUL}b${HIGH}c` });
  });

  it("a failure holding U+0000 and lone surrogates is recorded, with U+FFFD in their place", async () => {
    const inv = newInv();
    await store.invocations.create(inv);
    const error = {
      code: `C${NUL}`,
      message: `bad${NUL}byte ${HIGH}`,
      type: `T${LOW}`,
      details: { [`k${NUL}`]: [`v${NUL}`, { deep: HIGH }] },
    };
    await store.invocations.scheduleRetry(inv.id, 1, new Date(), error);
    expect((await store.invocations.get(inv.id))?.error?.message).toBe(`bad${FFFD}byte ${FFFD}`);

    await store.invocations.fail(inv.id, error, 2);
    expect((await store.invocations.get(inv.id))?.error).toEqual({
      code: `C${FFFD}`,
      message: `bad${FFFD}byte ${FFFD}`,
      type: `T${FFFD}`,
      details: { [`k${FFFD}`]: [`v${FFFD}`, { deep: FFFD }] },
    });
  });

  it("a journal entry's failure holding U+0000 is recorded, with U+FFFD in its place", async () => {
    const inv = newInv();
    await store.invocations.create(inv);
    await store.journal.append({
      invocationId: inv.id,
      index: 0,
      kind: "step",
      name: "charge",
      request: null,
      result: { ok: false, failure: { code: "TERMINAL", message: `step${NUL}failed`, details: { [HIGH]: 1 } } },
    });
    const [entry] = await store.journal.load(inv.id);
    expect(entry?.result).toEqual({
      ok: false,
      failure: { code: "TERMINAL", message: `step${FFFD}failed`, details: { [FFFD]: 1 } },
    });
  });

  it("a registration's descriptions, schemas and metadata holding U+0000 are recorded", async () => {
    const component = {
      kind: "function",
      name: "greet",
      description: `says hi${NUL}`,
      inputSchema: { type: "string", description: `name${HIGH}` },
      metadata: { [`tag${NUL}`]: "x" },
    };
    await store.invocations.upsertService({ name: "storable-svc", version: "1.0.0", components: [component] });
    const service = (await store.invocations.listServices()).find((s) => s.name === "storable-svc");
    expect(service?.components).toEqual([
      {
        ...component,
        description: `says hi${FFFD}`,
        inputSchema: { type: "string", description: `name${FFFD}` },
        metadata: { [`tag${FFFD}`]: "x" },
      },
    ]);
  });

  it("headers holding U+0000 are recorded, with U+FFFD in its place", async () => {
    const inv = newInv({ headers: { [`x-a${NUL}`]: `v${NUL}` } });
    await store.invocations.create(inv);
    expect((await store.invocations.get(inv.id))?.headers).toEqual({ [`x-a${FFFD}`]: `v${FFFD}` });
  });
});
