/**
 * Test-only: a throwaway PKI made with openssl (/usr/bin/openssl, on every development and CI
 * machine): two CAs, a server certificate for 127.0.0.1/localhost, and client certificates from
 * each CA, in a temporary directory removed on dispose. openssl rather than an npm library: it is
 * already installed, and it makes the same certificates an operator would.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  dir: string;
  /** The CA that signed the server certificate and the `client` certificate. */
  caFile: string;
  /** Another CA: trusting it instead of `caFile` must fail; its client certificate must be refused. */
  otherCaFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  client: { certFile: string; keyFile: string };
  clientFromOtherCa: { certFile: string; keyFile: string };
  [Symbol.dispose](): void;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "agnt5-pki-"));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  const ca = (name: string, commonName: string) => {
    const args = ["-keyout", path(`${name}.key`), "-out", path(`${name}.pem`), "-subj", `/CN=${commonName}`];
    openssl("req", "-x509", ...newKey, ...args, "-days", "2");
    return path(`${name}.pem`);
  };
  const issue = (name: string, caName: string, extensions: string) => {
    writeFileSync(path(`${name}.ext`), extensions);
    openssl("req", ...newKey, "-keyout", path(`${name}.key`), "-out", path(`${name}.csr`), "-subj", `/CN=${name}`);
    openssl(
      "x509",
      "-req",
      "-in",
      path(`${name}.csr`),
      "-CA",
      path(`${caName}.pem`),
      "-CAkey",
      path(`${caName}.key`),
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      path(`${name}.pem`),
      "-extfile",
      path(`${name}.ext`),
    );
    return { certFile: path(`${name}.pem`), keyFile: path(`${name}.key`) };
  };

  const caFile = ca("ca", "AGNT5 test CA");
  const otherCaFile = ca("other-ca", "AGNT5 test other CA");
  const server = issue(
    "server",
    "ca",
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  const clientExtensions = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
  return {
    dir,
    caFile,
    otherCaFile,
    serverCertFile: server.certFile,
    serverKeyFile: server.keyFile,
    client: issue("worker", "ca", clientExtensions),
    clientFromOtherCa: issue("intruder", "other-ca", clientExtensions),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
