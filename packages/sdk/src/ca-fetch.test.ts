import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTrustingCa } from "./ca-fetch.js";
import { Client } from "./client.js";

// Over HTTPS it is proven end to end in apps/coordinator/src/tls/tls.e2e.test.ts (a real gateway
// with an openssl-made CA, the right and a wrong one); here, what needs no certificate.
describe("fetchTrustingCa", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((request, response) => response.end(JSON.stringify({ method: request.method })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("leaves http:// URLs to the global fetch (the CA is not even read)", async () => {
    const response = await fetchTrustingCa({ file: "/nonexistent/ca.pem" })(`${url}/x`, { method: "POST", body: "{}" });
    expect(await response.json()).toEqual({ method: "POST" });
  });

  it("names the CA file and its setting when it cannot be read", async () => {
    await expect(fetchTrustingCa({ file: "/nonexistent/ca.pem" })("https://127.0.0.1:1/")).rejects.toThrow(
      "Cannot read the CA file /nonexistent/ca.pem (ca / AGNT5_TLS_CA_FILE): ENOENT",
    );
  });

  it("is what a Client uses with the ca option, and a missing CA file is a NETWORK_ERROR naming it", async () => {
    const client = new Client("https://127.0.0.1:1", { ca: { file: "/nonexistent/ca.pem" } });
    await expect(client.call({ serviceName: "s", handlerName: "h" })).rejects.toMatchObject({
      code: "NETWORK_ERROR",
      message: expect.stringContaining("/nonexistent/ca.pem (ca / AGNT5_TLS_CA_FILE)"),
    });
  });
});
