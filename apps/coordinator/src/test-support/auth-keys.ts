/**
 * Test-only: a coordinator with authentication on (not dev mode), its bootstrap admin key and worker
 * token, and a helper that creates keys through the admin API as an operator would.
 */
import { randomBytes } from "node:crypto";
import { AdminClient, type CreatedKey, type CreateKeyBody } from "@agnt5/admin-client";
import type { CoordinatorConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { type StoreKind, startTestCoordinator, type TestCoordinator } from "./test-coordinator.js";

export interface AuthTestCoordinator {
  coordinator: TestCoordinator;
  /** AGNT5_BOOTSTRAP_API_KEY: every scope. */
  adminKey: string;
  /** AGNT5_BOOTSTRAP_WORKER_TOKEN: any service. */
  workerToken: string;
  admin: AdminClient;
  createKey(body: CreateKeyBody): Promise<CreatedKey>;
  close(): Promise<void>;
}

export async function startAuthCoordinator(
  kind: StoreKind = "postgres",
  overrides: Partial<CoordinatorConfig> = {},
  logger?: Logger,
): Promise<AuthTestCoordinator> {
  const adminKey = `test-admin-${randomBytes(24).toString("hex")}`;
  const workerToken = `test-worker-${randomBytes(24).toString("hex")}`;
  const coordinator = await startTestCoordinator(
    kind,
    {
      devMode: false,
      auth: {
        bootstrapApiKey: adminKey,
        bootstrapWorkerToken: workerToken,
        jwksUrl: undefined,
        jwtIssuer: undefined,
        jwtAudience: undefined,
        metricsRequireKey: false,
      },
      ...overrides,
    },
    logger,
  );
  const admin = new AdminClient({ baseUrl: coordinator.url, apiKey: adminKey });
  return {
    coordinator,
    adminKey,
    workerToken,
    admin,
    createKey: (body) => admin.createKey(body),
    close: () => coordinator.close(),
  };
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
