import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../test-support/test-certificates.js";
import { gatewayHttpsOptions, grpcServerCredentials } from "./server-credentials.js";
import { readTlsMaterial, TlsConfigError, tlsConfigFromEnv } from "./tls-config.js";

describe("tlsConfigFromEnv", () => {
  it("is off without the variables", () => {
    expect(tlsConfigFromEnv({})).toBeUndefined();
    expect(tlsConfigFromEnv({ AGNT5_TLS_CERT_FILE: " ", AGNT5_TLS_KEY_FILE: "" })).toBeUndefined();
  });

  it("takes the certificate, the key and the optional client CA", () => {
    expect(tlsConfigFromEnv({ AGNT5_TLS_CERT_FILE: "c.pem", AGNT5_TLS_KEY_FILE: "k.pem" })).toEqual({
      certFile: "c.pem",
      keyFile: "k.pem",
    });
    expect(
      tlsConfigFromEnv({
        AGNT5_TLS_CERT_FILE: "c.pem",
        AGNT5_TLS_KEY_FILE: "k.pem",
        AGNT5_TLS_CLIENT_CA_FILE: "ca.pem",
      }),
    ).toEqual({ certFile: "c.pem", keyFile: "k.pem", clientCaFile: "ca.pem" });
  });

  it("refuses a certificate without its key, and a key without its certificate, naming the missing one", () => {
    expect(() => tlsConfigFromEnv({ AGNT5_TLS_CERT_FILE: "c.pem" })).toThrow(
      "AGNT5_TLS_CERT_FILE is set but AGNT5_TLS_KEY_FILE is not",
    );
    expect(() => tlsConfigFromEnv({ AGNT5_TLS_KEY_FILE: "k.pem" })).toThrow(
      "AGNT5_TLS_KEY_FILE is set but AGNT5_TLS_CERT_FILE is not",
    );
  });

  it("refuses a client CA when TLS is off, rather than silently not checking workers", () => {
    expect(() => tlsConfigFromEnv({ AGNT5_TLS_CLIENT_CA_FILE: "ca.pem" })).toThrow(TlsConfigError);
  });
});

describe("reading the certificate material", () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki[Symbol.dispose]());

  it("names the variable of a file it cannot read", async () => {
    await expect(readTlsMaterial({ certFile: pki.serverCertFile, keyFile: "/nonexistent/key.pem" })).rejects.toThrow(
      "AGNT5_TLS_KEY_FILE: cannot read /nonexistent/key.pem: ENOENT",
    );
  });

  it("refuses a file that is not PEM", async () => {
    const notPem = join(pki.dir, "not-pem.txt");
    writeFileSync(notPem, "hello");
    await expect(readTlsMaterial({ certFile: notPem, keyFile: pki.serverKeyFile })).rejects.toThrow(
      `AGNT5_TLS_CERT_FILE: ${notPem} is not a PEM file`,
    );
  });

  it("refuses at start a key that does not belong to the certificate", async () => {
    const material = await readTlsMaterial({ certFile: pki.serverCertFile, keyFile: pki.client.keyFile });
    expect(() => gatewayHttpsOptions(material)).toThrow(TlsConfigError);
  });

  it("makes TLS credentials, and mutual TLS ones with a client CA", async () => {
    const material = await readTlsMaterial({
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
      clientCaFile: pki.caFile,
    });
    expect(material.clientCa?.toString()).toContain("BEGIN CERTIFICATE");
    expect(grpcServerCredentials(material)._isSecure()).toBe(true);
    expect(grpcServerCredentials(undefined)._isSecure()).toBe(false);
    expect(gatewayHttpsOptions(undefined)).toBeUndefined();
  });
});
