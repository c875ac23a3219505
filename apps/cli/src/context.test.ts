// --url / AGNT5_URL with several comma-separated addresses (coordinator replicas), against real HTTP
// servers: one that is closed, one that breaks the connection after reading the request, one that answers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { CliContext } from "./context.js";
import { CliError } from "./errors.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => close(server)));
});

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A server that records each request's method and path, then runs `answer`. */
async function serve(answer: (res: import("node:http").ServerResponse) => void) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      answer(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const answering = () =>
  serve((res) => res.writeHead(200, { "content-type": "application/json" }).end('{"services":[]}'));
const breaking = () => serve((res) => void res.socket?.destroy());
async function closedUrl(): Promise<string> {
  const { url, server } = await serve(() => {});
  servers.splice(servers.indexOf(server), 1);
  await close(server);
  return url;
}

const context = (url: string) => new CliContext({ url }, { out: new PassThrough(), err: new PassThrough() });

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    return error as CliError;
  }
  throw new Error("expected the command to fail");
}

describe("CliContext with several --url addresses", () => {
  it("goes past an address that cannot be reached, and stays on the one that answered", async () => {
    const closed = await closedUrl();
    const live = await answering();
    const ctx = context(`${closed},${live.url}`);
    expect(ctx.urls).toEqual([closed, live.url]);
    expect((await ctx.gateway("GET", "/v1/services")).text).toBe('{"services":[]}');
    expect((await ctx.gateway("POST", "/v1/services/s/h", { body: "{}" })).status).toBe(200);
    expect(live.seen).toEqual(["GET /v1/services", "POST /v1/services/s/h"]);
  });

  it("does not repeat a POST whose connection broke after it was sent: the outcome is unknown", async () => {
    const broken = await breaking();
    const live = await answering();
    const ctx = context(`${broken.url},${live.url}`);
    const error = await failure(ctx.gateway("POST", "/v1/services/s/charge", { body: "{}" }));
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: "OUTCOME_UNKNOWN", exitCode: 1 });
    expect(error.message).toContain(`The connection to the coordinator at ${broken.url} broke after POST`);
    expect(live.seen).toEqual([]);
    // A GET is safe to repeat: it goes on to the next address.
    expect((await ctx.gateway("GET", "/v1/services")).status).toBe(200);
  });

  it("names every address when none answers, and refuses a bad entry", async () => {
    const first = await closedUrl();
    const second = await closedUrl();
    const error = await failure(context(`${first},${second}`).gateway("GET", "/v1/services"));
    expect(error).toMatchObject({ code: "UNREACHABLE", exitCode: 5 });
    expect(error.message).toContain(`Cannot reach the coordinator at ${first}, ${second}`);
    expect(() => context("http://a:8080,b:8080")).toThrow(
      /Invalid gateway URL "b:8080" \(entry 2 of 2.*--url \/ AGNT5_URL/,
    );
  });
});
