import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveWorkerConfig } from "./config.js";
import { ConfigError } from "./config-error.js";
import { readWorkerTls, resolveWorkerTls, tlsFailureHint, withTlsHint } from "./tls-options.js";

const resolve = (coordinatorEndpoint: string, tls?: boolean | object, env: Record<string, string> = {}) =>
  resolveWorkerConfig({ serviceName: "s", coordinatorEndpoint, ...(tls === undefined ? {} : { tls }) }, env);

describe("the worker's TLS settings", () => {
  it("dials plain gRPC for http:// and bare host:port endpoints", () => {
    expect(resolve("http://c:9091")).toMatchObject({ coordinator: { tls: false }, tls: undefined });
    expect(resolve("c:9091")).toMatchObject({ coordinator: { tls: false }, tls: undefined });
  });

  it("dials TLS with the system's CAs for https:// and grpcs:// endpoints", () => {
    expect(resolve("https://c:9091")).toMatchObject({ coordinator: { address: "c:9091", tls: true }, tls: {} });
    expect(resolve("grpcs://c:9091")).toMatchObject({ coordinator: { tls: true }, tls: {} });
  });

  it("turns TLS on for any endpoint when the tls option is given, and off with tls: false", () => {
    expect(resolve("c:9091", { caFile: "/ca.pem" })).toMatchObject({
      coordinator: { tls: true },
      tls: { caFile: "/ca.pem" },
    });
    expect(resolve("https://c:9091", false)).toMatchObject({ coordinator: { tls: false }, tls: undefined });
  });

  it("takes the files from AGNT5_TLS_CA_FILE, AGNT5_TLS_CLIENT_CERT_FILE and AGNT5_TLS_CLIENT_KEY_FILE, the option first", () => {
    const env = {
      AGNT5_TLS_CA_FILE: "/env-ca.pem",
      AGNT5_TLS_CLIENT_CERT_FILE: "/env-cert.pem",
      AGNT5_TLS_CLIENT_KEY_FILE: "/env-key.pem",
      // The coordinator's own certificate: never the worker's.
      AGNT5_TLS_CERT_FILE: "/server.pem",
    };
    expect(resolve("https://c:9091", undefined, env).tls).toEqual({
      caFile: "/env-ca.pem",
      certFile: "/env-cert.pem",
      keyFile: "/env-key.pem",
    });
    expect(resolveWorkerTls({ caFile: "/option-ca.pem" }, true, env)?.caFile).toBe("/option-ca.pem");
  });

  it("refuses a client certificate without its key", () => {
    expect(() => resolve("https://c:9091", { certFile: "/cert.pem" })).toThrow(ConfigError);
    expect(() => resolve("https://c:9091", undefined, { AGNT5_TLS_CLIENT_KEY_FILE: "/key.pem" })).toThrow(
      /Mutual TLS needs both a client certificate and its key/,
    );
  });
});

describe("readWorkerTls", () => {
  const dir = mkdtempSync(join(tmpdir(), "agnt5-worker-tls-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads PEM files and leaves absent ones to grpc-js (the system's CAs, no client certificate)", () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
    const material = readWorkerTls({ caFile: ca });
    expect(material.ca?.toString()).toContain("BEGIN CERTIFICATE");
    expect(material).toMatchObject({ cert: null, key: null });
  });

  it("names the setting of a file it cannot read or that is not PEM", () => {
    expect(() => readWorkerTls({ caFile: join(dir, "missing.pem") })).toThrow(
      /Cannot read .*missing\.pem \(tls\.caFile \/ AGNT5_TLS_CA_FILE\): ENOENT/,
    );
    const text = join(dir, "text.txt");
    writeFileSync(text, "not a certificate");
    expect(() => readWorkerTls({ certFile: text, keyFile: text })).toThrow(
      "(tls.certFile / AGNT5_TLS_CLIENT_CERT_FILE) is not a PEM file",
    );
  });
});

describe("tlsFailureHint", () => {
  const details = (error: string) => `No connection established. Last error: Error: ${error}. Resolution note: `;

  it("says which setting fixes an untrusted coordinator certificate", () => {
    expect(withTlsHint(details("self-signed certificate in certificate chain"), {})).toBe(
      "No connection established. Last error: Error: self-signed certificate in certificate chain: " +
        "the coordinator's TLS certificate is not trusted: set tls.caFile / AGNT5_TLS_CA_FILE to the CA that signed it",
    );
  });

  it("says a client certificate is required, or was refused", () => {
    expect(tlsFailureHint(details("SSL alert number 116: tlsv13 alert certificate required"), {})).toContain(
      "requires a client certificate (mutual TLS)",
    );
    expect(tlsFailureHint(details("Failed to connect"), { certFile: "/c.pem", keyFile: "/k.pem" })).toContain(
      "AGNT5_TLS_CLIENT_CA_FILE",
    );
    // What a worker whose certificate another CA signed saw from a coordinator on this machine.
    expect(tlsFailureHint(details("read ECONNRESET"), { certFile: "/c.pem", keyFile: "/k.pem" })).toContain(
      "AGNT5_TLS_CLIENT_CA_FILE",
    );
    expect(tlsFailureHint(details("read ECONNRESET"), { caFile: "/ca.pem" })).toBeUndefined();
  });

  it("adds nothing to plain connections or to failures that are not about certificates", () => {
    expect(tlsFailureHint(details("self-signed certificate"), undefined)).toBeUndefined();
    expect(withTlsHint(details("connect ECONNREFUSED 127.0.0.1:9091"), {})).toBe(
      details("connect ECONNREFUSED 127.0.0.1:9091"),
    );
  });
});
