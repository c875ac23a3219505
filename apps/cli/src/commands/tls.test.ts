// TLS with everything as processes: a coordinator serving HTTPS and gRPC over TLS (certificates
// made with openssl here), the fixture worker dialling it with AGNT5_TLS_CA_FILE, and the built CLI
// calling through it with --ca / AGNT5_TLS_CA_FILE; a CLI trusting another CA is told what to do.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coordinatorBin } from "../dev/coordinator-bin.js";
import { DATABASE_URL, freePort, runCli, WORKER_FIXTURE } from "../test-support/cli-harness.js";
import { LineProcess } from "../test-support/line-process.js";

/** A CA, another CA, and a server certificate for 127.0.0.1 from the first (openssl, as an operator would). */
function makePki(dir: string) {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const ca of ["ca", "other-ca"]) {
    openssl("req", "-x509", ...key, "-keyout", `${ca}.key`, "-out", `${ca}.pem`, "-subj", `/CN=${ca}`, "-days", "2");
  }
  openssl("req", ...key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "server.ext",
    "-out",
    "server.pem",
  );
  return {
    ca: join(dir, "ca.pem"),
    otherCa: join(dir, "other-ca.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server.key"),
  };
}

describe("agnt5 against a coordinator over TLS (processes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "agnt5-cli-tls-"));
  const schema = `cli_tls_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let pki: ReturnType<typeof makePki>;
  let url: string;
  let coordinator: LineProcess | undefined;
  let worker: LineProcess | undefined;

  beforeAll(async () => {
    pki = makePki(dir);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const common = { AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info" };
    coordinator = LineProcess.start("coordinator", [coordinatorBin()], {
      ...common,
      AGNT5_DEV_MODE: "1",
      AGNT5_HOST: "127.0.0.1",
      AGNT5_HTTP_PORT: String(httpPort),
      AGNT5_GRPC_PORT: String(grpcPort),
      AGNT5_DATABASE_URL: DATABASE_URL,
      AGNT5_DATABASE_SCHEMA: schema,
      AGNT5_TLS_CERT_FILE: pki.cert,
      AGNT5_TLS_KEY_FILE: pki.key,
    });
    await coordinator.waitForLine("Coordinator listening");
    worker = LineProcess.start("worker", [WORKER_FIXTURE], {
      ...common,
      AGNT5_COORDINATOR_ENDPOINT: `https://127.0.0.1:${grpcPort}`,
      AGNT5_TLS_CA_FILE: pki.ca,
    });
    await worker.waitForLine("Worker running, waiting for tasks");
    url = `https://127.0.0.1:${httpPort}`;
  });
  afterAll(async () => {
    await Promise.all([worker?.kill("SIGKILL"), coordinator?.kill("SIGKILL")]);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    rmSync(dir, { recursive: true, force: true });
  });

  it("calls a handler through HTTPS with the CA from AGNT5_TLS_CA_FILE", async () => {
    const result = await runCli(["call", "cli-test/greet", '{"name":"TLS"}'], url, { AGNT5_TLS_CA_FILE: pki.ca });
    expect(result).toMatchObject({ code: 0, stdout: '"Hello, TLS!"\n' });
  });

  it("lists services through the admin API with --ca", async () => {
    const result = await runCli(["--ca", pki.ca, "--json", "services"], url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("cli-test");
  });

  it("says the certificate is not trusted, and how to fix it, when the CA is another", async () => {
    const result = await runCli(["--ca", pki.otherCa, "call", "cli-test/greet", '{"name":"x"}'], url);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("TLS certificate this machine does not trust");
    expect(result.stderr).toContain("--ca <file> or AGNT5_TLS_CA_FILE");
  });

  it("refuses to start a coordinator with a certificate but no key, saying which variable is missing", async () => {
    const broken = LineProcess.start("broken-coordinator", [coordinatorBin()], {
      AGNT5_DEV_MODE: "1",
      AGNT5_TLS_CERT_FILE: pki.cert,
      AGNT5_TLS_KEY_FILE: "",
    });
    const exit = await broken.exited;
    expect(exit.code).toBe(1);
    expect(broken.lines.join("\n")).toContain(
      "AGNT5_TLS_CERT_FILE is set but AGNT5_TLS_KEY_FILE is not: TLS needs both the certificate and its key",
    );
  });
});
