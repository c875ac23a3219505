import { afterEach, describe, expect, it } from "vitest";
import { Client } from "./client.js";
import { type FakeGateway, type GatewayScript, json, startFakeGateway } from "./test-support/fake-gateway.js";

const gateways: FakeGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

async function gateway(script: GatewayScript): Promise<FakeGateway> {
  const started = await startFakeGateway(script);
  gateways.push(started);
  return started;
}

/** A gateway replica that answers every call, naming itself. */
const answering = (name: string) =>
  gateway((request, res) => json(res, 200, request.method === "GET" ? { invocationId: "inv_1", status: name } : name));

/** A gateway whose connection breaks once it has read the request: the request was sent, no answer came. */
const breaking = () => gateway((_request, res) => void res.socket?.destroy());

/** A gateway that was running and is now closed: connecting to it is refused. */
async function closedGateway(): Promise<string> {
  const started = await startFakeGateway(() => {});
  await started.close();
  return started.url;
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

describe("Client with several gateway URLs", () => {
  it("sends a call the first endpoint cannot take (closed) to the next, and stays there", async () => {
    const closed = await closedGateway();
    const second = await answering("second");
    const client = new Client([closed, second.url]);
    expect(client.baseUrls).toEqual([closed, second.url]);

    expect(await client.invoke("svc", "greet", "Ada")).toBe("second");
    expect(await client.invoke("svc", "greet", "Grace")).toBe("second");
    expect((await client.getInvocation("inv_1")).status).toBe("second");
    expect(second.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /v1/services/svc/greet",
      "POST /v1/services/svc/greet",
      "GET /v1/invocations/inv_1",
    ]);
  });

  it("takes the URLs comma-separated, as one string", async () => {
    const closed = await closedGateway();
    const second = await answering("second");
    const client = new Client(` ${closed}/ , ${second.url}`);
    expect(client.baseUrls).toEqual([closed, second.url]);
    expect(await client.invoke("svc", "greet", "Ada")).toBe("second");
  });

  it("does not repeat a call elsewhere whose connection broke after it was sent: OUTCOME_UNKNOWN names the endpoint", async () => {
    const broken = await breaking();
    const second = await answering("second");
    const client = new Client([broken.url, second.url]);
    const error = await failure(client.invoke("svc", "charge", { amount: 42 }));
    expect(error).toMatchObject({
      code: "OUTCOME_UNKNOWN",
      status: 0,
      details: { url: `${broken.url}/v1/services/svc/charge` },
    });
    expect(error.message).toContain(
      `The connection to the AGNT5 gateway at ${broken.url}/v1/services/svc/charge broke`,
    );
    expect(error.message).toContain("its outcome is unknown");
    expect(broken.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(0);
  });

  it("repeats it on the next endpoint when it is safe: a GET, or a call with an idempotency key", async () => {
    const broken = await breaking();
    const second = await answering("second");
    const client = new Client([broken.url, second.url]);
    expect(await client.invoke("svc", "charge", { amount: 42 }, { idempotencyKey: "charge-42" })).toBe("second");
    expect(second.requests[0]?.headers["idempotency-key"]).toBe("charge-42");

    const reads = new Client([broken.url, second.url]);
    expect((await reads.getInvocation("inv_1")).status).toBe("second");
    expect(broken.requests.map((request) => request.method)).toEqual(["POST", "GET"]);
  });

  it("fails with NETWORK_ERROR naming every endpoint when none can be reached", async () => {
    const first = await closedGateway();
    const second = await closedGateway();
    const error = await failure(new Client([first, second]).invoke("svc", "greet", "Ada"));
    expect(error).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
    expect(error.message).toContain(
      "Could not reach the AGNT5 gateway at any of its 2 endpoints for POST /v1/services/svc/greet",
    );
    expect(error.message).toContain(`${first}: fetch failed`);
    expect(error.message).toContain(`${second}: fetch failed`);
  });

  it("refuses a bad entry in the list, naming it", () => {
    expect(() => new Client("http://a:8080,b:8080")).toThrow(
      'Invalid gateway URL "b:8080" (entry 2 of 2 in the Client\'s baseUrl "http://a:8080,b:8080"): expected http://host:port',
    );
    expect(() => new Client(["http://a:8080", ""])).toThrow(/Invalid gateway URL "" \(entry 2 of 2/);
    expect(() => new Client([])).toThrow("The Client's baseUrl is an empty list");
  });

  it("with one endpoint, also says a call whose connection broke after it was sent has an unknown outcome", async () => {
    const broken = await breaking();
    const error = await failure(new Client(broken.url).invoke("svc", "charge", 1));
    expect(error).toMatchObject({ code: "OUTCOME_UNKNOWN" });
    const read = await failure(new Client(broken.url).getInvocation("inv_1"));
    expect(read).toMatchObject({ code: "NETWORK_ERROR" });
  });
});
