// Store errors caused by the caller's data (U+0000 PostgreSQL cannot encode, a key too large for a
// b-tree) are the caller's 400, logged at warn; a store that is down stays a 503 and a bug a 500
// logged as an error. Real PostgreSQL and PGlite errors, answered over real HTTP by the gateway's
// error handler (the gateway's own routes refuse such data before the store sees it).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import Fastify, { type FastifyInstance } from "fastify";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvocationHandle } from "../invocations/invocation-manager.js";
import { capturingLogger } from "../test-support/fuzz-http.js";
import { newPgliteDataDir } from "../test-support/pglite-template.js";
import { TEST_DATABASE_URL } from "../test-support/test-coordinator.js";
import { gatewayErrorHandler } from "./gateway-error-handler.js";
import { awaitRecorded } from "./invocation-answer.js";

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/** An index entry this large exceeds the b-tree limit (about 2.7 kB) even after compression. */
const OVERSIZE_KEY_SQL = "SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) AS i";

/** The real error a query raises. */
async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("the query did not fail");
}

describe.each(["postgres", "pglite"] as const)("store errors through the gateway's error handler (%s)", (kind) => {
  const captured = capturingLogger();
  let app: FastifyInstance;
  let url: string;
  let query: Query;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (kind === "postgres") {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      query = (sql, params) => client.query(sql, params);
      close = () => client.end();
    } else {
      // A copy of the tests' initialised data dir: an empty one costs seconds of initdb.
      const dir = await newPgliteDataDir("agnt5-error-handler-");
      const db = new PGlite(join(dir, "pglite"));
      query = (sql, params) => db.query(sql, params);
      close = async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      };
    }
    await query("CREATE TEMP TABLE keys (key text PRIMARY KEY)");

    app = Fastify({ logger: false });
    app.setErrorHandler(gatewayErrorHandler(captured.logger, 1024));
    app.get("/nul", () => query("SELECT $1::text", ["a\u0000b"]));
    app.get("/oversize-key", async () => {
      const { rows } = (await query(OVERSIZE_KEY_SQL)) as { rows: Array<{ string_agg: string }> };
      return query("INSERT INTO keys (key) VALUES ($1)", [rows[0]!.string_agg]);
    });
    app.get("/syntax", () => query("SELEC 1"));
    app.get("/recorded-nul", async () => {
      const error = await errorOf(() => query("SELECT $1::text", ["a\u0000b"]));
      await awaitRecorded({ recorded: Promise.reject(error) } as InvocationHandle);
    });
    app.get("/recorded-store-down", async () => {
      // A port nothing listens on: the store is unreachable.
      const unreachable = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:1/test" });
      const error = await errorOf(() => unreachable.connect());
      await awaitRecorded({ recorded: Promise.reject(error) } as InvocationHandle);
    });
    url = await app.listen({ host: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
  };

  it("U+0000 the store cannot encode is 400 INVALID_REQUEST, logged at warn only", async () => {
    const before = captured.errors.length;
    const response = await get("/nul");
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_REQUEST");
    expect(response.body.error.message).toContain("the store cannot keep");
    expect(captured.errors.length).toBe(before);
  });

  it("a key too large for the store's index is 400 INVALID_REQUEST", async () => {
    const response = await get("/oversize-key");
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_REQUEST");
  });

  it("a record refused for its data is 400, not 503 UNAVAILABLE (retrying would fail the same way)", async () => {
    const response = await get("/recorded-nul");
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_REQUEST");
  });

  it("a record that could not be written because the store is down stays 503 UNAVAILABLE", async () => {
    const response = await get("/recorded-store-down");
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe("UNAVAILABLE");
  });

  it("any other store error is our bug: 500 INTERNAL, logged as an error", async () => {
    const before = captured.errors.length;
    const response = await get("/syntax");
    expect(response.status).toBe(500);
    expect(response.body.error).toEqual({
      code: "INTERNAL",
      message: "Internal coordinator error; see the coordinator logs",
    });
    expect(captured.errors.length).toBe(before + 1);
  });
});
