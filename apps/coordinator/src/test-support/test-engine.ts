/**
 * Test-only: the coordinator's engine (InvocationManager) on a real store in a fresh PostgreSQL
 * schema, with workers whose gRPC stream is replaced by a recorder of the frames sent to them. For
 * engine behaviour that HTTP cannot reach deterministically: a store write failing at one precise
 * moment, a worker lost at a chosen point, a coordinator restart over the same store. (fake-engine.ts
 * is the same engine over in-memory fakes of the store; both record frames with recording-worker.ts.)
 */
import { Writable } from "node:stream";
import { createSqlEntityStore } from "@agnt5/entity-store";
import { pino } from "pino";
import { InvocationManager } from "../invocations/invocation-manager.js";
import type { PayloadLimits } from "../limits/payload-limits.js";
import type { Logger } from "../logger.js";
import { openStore, type Store } from "../store/index.js";
import type { ComponentKindName } from "../workers/component-info.js";
import { ServiceRegistry } from "../workers/service-registry.js";
import { component, RecordingWorker } from "./recording-worker.js";
import { dropTestSchema, TEST_DATABASE_URL, testSchemaName } from "./test-coordinator.js";

/** A pino line as JSON. */
export interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string };
  [field: string]: unknown;
}

/** pino's number for the error level. */
export const ERROR_LEVEL = 50;

export interface CapturedLog {
  logger: Logger;
  /** Every line logged so far. */
  lines: LogLine[];
  /** Resolves with the first line (logged so far or later) that `match` accepts. */
  logged(match: (line: LogLine) => boolean): Promise<LogLine>;
}

/** A logger at debug level whose lines are kept. */
export function capturingLogger(): CapturedLog {
  const lines: LogLine[] = [];
  const waiting = new Set<() => void>();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as LogLine);
      for (const wake of waiting) wake();
      done();
    },
  });
  const logged = (match: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve) => {
      const check = () => {
        const line = lines.find(match);
        if (!line) return;
        waiting.delete(check);
        resolve(line);
      };
      waiting.add(check);
      check();
    });
  // Synchronous writes: a line is in `lines` as soon as the logging call returns.
  return { logger: pino({ level: "debug" }, sink), lines, logged };
}

export interface TestEngine {
  readonly store: Store;
  readonly manager: InvocationManager;
  readonly services: ServiceRegistry;
  /** The engine's logger (capturing): for other parts of the coordinator built in a test. */
  readonly logger: Logger;
  readonly lines: LogLine[];
  readonly logged: CapturedLog["logged"];
  /** Connects a worker of `service` hosting `components` (name -> kind). */
  connectWorker(service: string, components: Record<string, ComponentKindName>): RecordingWorker;
  /** A new engine (a coordinator restart) over the same store; close that one instead of this one. */
  restart(): Promise<TestEngine>;
  close(): Promise<void>;
}

/** Opens an engine on a fresh PostgreSQL schema; `close()` drops it. */
export async function startTestEngine(options: { payloadLimits?: PayloadLimits } = {}): Promise<TestEngine> {
  return openEngine(testSchemaName("agnt5_engine_test"), options.payloadLimits);
}

async function openEngine(schema: string, payloadLimits?: PayloadLimits): Promise<TestEngine> {
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, dataDir: "/nonexistent" });
  const services = new ServiceRegistry();
  const { logger, lines, logged } = capturingLogger();
  const entityStore = createSqlEntityStore(store.db, { backend: store.db.kind });
  const manager = new InvocationManager(
    store.invocations,
    store.journal,
    services,
    logger,
    entityStore,
    undefined,
    payloadLimits,
  );
  await manager.recover();
  let workers = 0;
  const engine: TestEngine = {
    store,
    manager,
    services,
    logger,
    lines,
    logged,
    connectWorker(service, components) {
      workers += 1;
      const worker = new RecordingWorker(`fake-worker-${workers}`, service);
      services.addWorker(
        worker.connection,
        Object.entries(components).map(([name, kind]) => component(name, kind)),
      );
      manager.workerAvailable(worker.connection);
      return worker;
    },
    restart: async () => {
      manager.close();
      await store.close();
      return openEngine(schema, payloadLimits);
    },
    close: async () => {
      manager.close();
      await store.close().catch(() => {});
      await dropTestSchema(schema);
    },
  };
  return engine;
}
