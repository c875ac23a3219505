import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminApiError, AdminClient, type RunSummary } from "./index.js";

// A local HTTP server stands in for the coordinator: these tests check the client's requests
// (paths, encoding, bodies) and its handling of answers; the coordinator's e2e tests check the
// real routes through this same client.

const run: RunSummary = {
  id: "inv_1",
  service: "svc",
  component: "wf",
  kind: "workflow",
  status: "completed",
  attempt: 1,
  createdAt: "2026-12-02T10:00:00.000Z",
  updatedAt: "2026-12-02T10:00:01.000Z",
  completedAt: "2026-12-02T10:00:01.000Z",
  parentId: null,
  waitingOn: null,
  error: null,
};

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: IncomingMessage["headers"];
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let answer: { status: number; body: string } = { status: 200, body: "{}" };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body, headers: req.headers });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function client(): AdminClient {
  return new AdminClient({ baseUrl, headers: { "x-test": "1" } });
}

describe("AdminClient", () => {
  it("lists runs with the query in the URL and parses the page", async () => {
    answer = { status: 200, body: JSON.stringify({ runs: [run], nextCursor: "abc" }) };
    const page = await client().listRuns({ status: "failed,cancelled", service: "svc", limit: 10, cursor: undefined });
    expect(page).toEqual({ runs: [run], nextCursor: "abc" });
    const request = seen.at(-1);
    expect(request?.method).toBe("GET");
    expect(request?.url).toBe("/admin/v1/runs?status=failed%2Ccancelled&service=svc&limit=10");
    expect(request?.headers["x-test"]).toBe("1");
  });

  it("encodes path parameters and sends action bodies as JSON", async () => {
    answer = { status: 200, body: JSON.stringify({ delivered: true }) };
    await client().approve("inv/1", "send email", "ops", { comment: "ok" });
    const request = seen.at(-1);
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/admin/v1/runs/inv%2F1/approvals/send%20email");
    expect(JSON.parse(request?.body ?? "")).toEqual({ decision: "approved", by: "ops", comment: "ok" });

    await client().signalRun("inv_1", "go", { n: 1 });
    expect(JSON.parse(seen.at(-1)?.body ?? "")).toEqual({ n: 1 });

    answer = { status: 200, body: JSON.stringify(run) };
    await client().cancelRun("inv_1");
    expect(seen.at(-1)?.body).toBe("{}");
  });

  it("throws AdminApiError with the server's code and status", async () => {
    answer = { status: 404, body: JSON.stringify({ error: { code: "RUN_NOT_FOUND", message: "no run inv_9" } }) };
    const error = await client()
      .getRun("inv_9")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ status: 404, code: "RUN_NOT_FOUND", message: "no run inv_9" });
  });

  it("refuses an answer that does not match the schema", async () => {
    answer = { status: 200, body: JSON.stringify({ runs: [{ id: 1 }], nextCursor: null }) };
    await expect(client().listRuns()).rejects.toMatchObject({ code: "INVALID_RESPONSE", status: 200 });
  });

  it("iterates every page", async () => {
    const pages = [
      { runs: [run], nextCursor: "p2" },
      { runs: [{ ...run, id: "inv_2" }], nextCursor: null },
    ];
    let calls = 0;
    const paging = new AdminClient({
      baseUrl,
      fetch: async (input) => {
        calls++;
        const page = input.includes("cursor=p2") ? pages[1] : pages[0];
        return new Response(JSON.stringify(page), { status: 200 });
      },
    });
    const ids: string[] = [];
    for await (const r of paging.iterateRuns({ service: "svc" })) ids.push(r.id);
    expect(ids).toEqual(["inv_1", "inv_2"]);
    expect(calls).toBe(2);
  });

  it("reports a network failure as status 0", async () => {
    const down = new AdminClient({ baseUrl: "http://127.0.0.1:1" });
    await expect(down.listServices()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });
});
