// Sessions end to end: a coordinator and worker processes on PostgreSQL and PGlite. The session is
// the built-in entity agnt5.session, so its appends have one writer and each is atomic; runs that
// crash (worker SIGKILLed) and resume leave each message once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, HttpSessionStore, Session } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster } from "./support/cluster.js";
import type { ProcessHandle } from "./support/process-handle.js";
import { createTestStore, type StoreKind, type TestStore } from "./support/stores.js";

const sessionWorkerScript = fileURLToPath(new URL("./fixtures/session-worker.mjs", import.meta.url));

describe.each<StoreKind>(["postgres", "pglite"])("sessions through the coordinator on %s", (kind) => {
  let store: TestStore;
  let cluster: TestCluster;
  let scratch: string;
  let env: Record<string, string>;
  const workers: ProcessHandle[] = [];

  beforeAll(async () => {
    store = await createTestStore(kind);
    cluster = await TestCluster.create(store);
    scratch = mkdtempSync(join(tmpdir(), "agnt5-session-"));
    env = { E2E_EFFECTS_FILE: join(scratch, "effects.log"), E2E_MARKER_DIR: scratch };
    await cluster.startCoordinator();
    workers.push(await cluster.startWorker(env, sessionWorkerScript));
  });

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const call = async (sessionId: string, method: string, input: unknown) => {
    // Writes to one session queue behind each other: the 1,000-append test waits for its turn.
    const url = `${cluster.url}/v1/entities/agnt5.session/${sessionId}/${method}?timeoutMs=300000`;
    const response = await postJson(url, input);
    expect(response.status, response.text).toBe(200);
    return response.json;
  };
  const history = (sessionId: string) => call(sessionId, "history", null);

  it("1,000 concurrent appends to one session give 1,000 messages in one order", async () => {
    const sessionId = `concurrent-${kind}`;
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        call(sessionId, "append", {
          messages: [{ role: "user", content: `message ${i}`, message: { role: "user", content: `message ${i}` } }],
        }),
      ),
    );
    const seqs = answers.map((answer) => answer.seqs[0]).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const messages = await history(sessionId);
    expect(messages.map((m: { seq: number }) => m.seq)).toEqual(seqs);
    expect(new Set(messages.map((m: { content: string }) => m.content)).size).toBe(1000);
    // Each caller got the seq its message holds: the order is the one the single writer gave.
    const bySeq = new Map(messages.map((m: { seq: number; content: string }) => [m.seq, m.content]));
    for (const [i, answer] of answers.entries()) expect(bySeq.get(answer.seqs[0])).toBe(`message ${i}`);
  }, 600_000);

  it("agent runs with one sessionId continue one history through POST /v1/agents/:name/runs", async () => {
    const sessionId = `chat-${kind}`;
    for (const [n, text] of ["Hello, run a1", "Again, run a2"].entries()) {
      const started = await postJson(`${cluster.url}/v1/agents/concierge/runs`, { input: text, sessionId });
      expect(started.status).toBe(202);
      const done = await getJson(`${cluster.url}/v1/runs/${started.json.runId}/result?timeoutMs=60000`);
      // The second run's model was sent the first run's turns too.
      expect(done.json.output.text).toBe(`concierge answer ${n + 1}`);
    }
    expect((await history(sessionId)).map((m: { role: string; content: string }) => `${m.role}: ${m.content}`)).toEqual(
      ["user: Hello, run a1", "assistant: concierge answer 1", "user: Again, run a2", "assistant: concierge answer 2"],
    );
  });

  it.each([0, 1, 2])(
    "a pipeline of two agents sharing a session, its worker SIGKILLed at point %i, leaves each message once",
    async (k) => {
      const tag = `cut${k}-${kind}`;
      const sessionId = `pipeline-${tag}`;
      // A standby worker takes over once the one running the run dies.
      workers.push(await cluster.startWorker(env, sessionWorkerScript));
      const started = await postJson(`${cluster.url}/v1/workflows/pipeline/runs`, { input: { sessionId, tag } });
      expect(started.status).toBe(202);
      const died = await Promise.race(workers.map((worker) => worker.waitForLine(`dying ${tag} `).then(() => worker)));
      await died.exited;
      workers.splice(workers.indexOf(died), 1);

      const done = await getJson(`${cluster.url}/v1/runs/${started.json.runId}/result?timeoutMs=60000`);
      expect(done.json.output, JSON.stringify(done.json)).toEqual({ messages: 4 });
      const messages = await history(sessionId);
      expect(
        messages.map((m: { role: string; content: string; agent: string }) => `${m.agent} ${m.role}: ${m.content}`),
      ).toEqual([
        `researcher user: Research the market, run ${tag}`,
        "researcher assistant: researcher answer 1",
        `writer user: Write the brief, run ${tag}`,
        // The writer saw the researcher's turns: two user messages.
        "writer assistant: writer answer 2",
      ]);
      expect(await call(sessionId, "get_state", { key: "stage" })).toBe("research");
      const state = await getJson(`${cluster.url}/v1/entities/agnt5.session/${sessionId}`);
      expect(state.json.state.info).toMatchObject({ id: sessionId, userId: "pm-456" });
    },
  );

  it("the /v1/sessions routes and a Session over HttpSessionStore read, export and delete a session", async () => {
    const sessionId = `outside-${kind}`;
    const session = new Session({
      id: sessionId,
      userId: "analyst-789",
      metadata: { regulation: "SOC2" },
      store: new HttpSessionStore({ baseUrl: cluster.url }),
    });
    await session.addMessage("user", "Analyze user access patterns");
    await session.addMessage("assistant", "Normal.", { agent: "data_analyst", metadata: { confidence: 0.9 } });
    await session.setState("stage", "review");
    expect((await session.history()).map((m) => m.content)).toEqual(["Analyze user access patterns", "Normal."]);

    const base = `${cluster.url}/v1/sessions/${sessionId}`;
    expect((await getJson(base)).json).toMatchObject({ id: sessionId, userId: "analyst-789", messageCount: 2 });
    expect((await getJson(`${base}/history`)).json.messages).toHaveLength(2);
    expect((await getJson(`${base}/state`)).json.state).toEqual({ stage: "review" });
    const events = (await getJson(`${base}/events?since=2024-01-01&limit=2`)).json.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(["message", "message"]);
    const exported = await fetch(`${base}/export?format=jsonl`);
    expect(exported.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await exported.text())
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines[1]).toMatchObject({
      role: "assistant",
      message: "Normal.",
      agent: "data_analyst",
      metadata: { confidence: 0.9 },
      tool_calls: [],
    });
    expect(lines[0]).toEqual(expect.objectContaining({ timestamp: expect.any(String), role: "user" }));
    expect((await getJson(`${base}/events?since=last-week`)).json.error).toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining('"since"'),
    });

    // The Client reaches the same session (its errors as Agnt5ClientError with the gateway's code).
    const viaClient = await new Client(cluster.url).session({ id: sessionId });
    expect(await viaClient.getState("stage")).toBe("review");
    expect((await viaClient.info())?.messageCount).toBe(2);

    expect((await fetch(base, { method: "DELETE" })).status).toBe(204);
    const gone = await getJson(base);
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe("SESSION_NOT_FOUND");
    expect((await fetch(base, { method: "DELETE" })).status).toBe(404);
  });

  it("an immutable session refuses delete through the gateway with SESSION_IMMUTABLE", async () => {
    const sessionId = `immutable-${kind}`;
    await call(sessionId, "open", { retention: { immutable: true, ttlDays: 2555 } });
    const refused = await postJson(`${cluster.url}/v1/entities/agnt5.session/${sessionId}/delete`, null);
    expect(refused.json.error).toMatchObject({
      code: "SESSION_IMMUTABLE",
      message: expect.stringContaining("immutable"),
    });
    expect(refused.status).toBe(409);
    const route = await fetch(`${cluster.url}/v1/sessions/${sessionId}`, { method: "DELETE" });
    expect(route.status).toBe(409);
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe("SESSION_IMMUTABLE");
    await expect((await new Client(cluster.url).session({ id: sessionId })).delete()).rejects.toMatchObject({
      code: "SESSION_IMMUTABLE",
      status: 409,
    });
  });
});
