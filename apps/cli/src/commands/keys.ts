import type { KeyInfo, KeyScope } from "@agnt5/admin-client";
import { type Command, Option } from "commander";
import { usageError } from "../errors.js";
import { age } from "../output/format.js";
import { renderTable } from "../output/table.js";
import { withContext } from "./shared.js";

const SCOPES: readonly KeyScope[] = ["call", "workflows:start", "signal", "approve", "read", "admin", "worker"];

interface CreateOptions {
  scope?: string[];
  role?: string[];
  worker?: boolean;
  service?: string[];
}

/** `agnt5 keys create|list|revoke`: API keys and worker tokens (needs a key with the "admin" scope). */
export function registerKeysCommands(program: Command): void {
  const keys = program
    .command("keys")
    .description("Create, list and revoke API keys and worker tokens (needs an admin key: --api-key / AGNT5_API_KEY)");

  keys
    .command("create <name>")
    .description("Create a key and print its secret, shown this once (only its hash is stored)")
    .addOption(
      new Option("--scope <scope...>", "what the key may do (default: call workflows:start signal read)").choices(
        SCOPES,
      ),
    )
    .option("--role <role...>", "roles checked against approvals' requiredRoles (e.g. ops)")
    .option("--worker", "a worker token (scope worker) instead of an API key")
    .option("--service <name...>", 'worker token: the services it may register ("*" for any)')
    .action(
      withContext(async (context, name: string, options: CreateOptions) => {
        if (options.worker && !options.service?.length) {
          throw usageError('A worker token needs --service <name...> (the services it may register; "*" for any)');
        }
        if (!options.worker && options.service?.length) throw usageError("--service is for worker tokens (--worker)");
        const created = await context.adminCall((admin) =>
          admin.createKey({
            name,
            kind: options.worker ? "worker_token" : "api_key",
            ...(options.scope ? { scopes: options.scope as KeyScope[] } : {}),
            roles: options.role ?? [],
            ...(options.service ? { services: options.service } : {}),
          }),
        );
        context.print(() =>
          [
            `Created ${created.kind === "worker_token" ? "worker token" : "API key"} ${created.id} (${created.name}): ${describe(created)}`,
            "",
            `  ${created.secret}`,
            "",
            "Store it now: it is not shown again. " +
              (created.kind === "worker_token"
                ? "Give it to the worker as AGNT5_WORKER_TOKEN (or the Worker's token option)."
                : "Send it as Authorization: Bearer <key> (AGNT5_API_KEY for the SDK Client and this CLI)."),
          ].join("\n"),
        );
      }),
    );

  keys
    .command("list")
    .description("List keys by id, name and prefix (never their secret)")
    .option("--all", "include revoked keys")
    .action(
      withContext(async (context, options: { all?: boolean }) => {
        const { keys: listed } = await context.adminCall((admin) =>
          admin.listKeys({ includeRevoked: options.all === true }),
        );
        context.print(() => {
          if (listed.length === 0) return "No keys.";
          return renderTable(
            [
              { header: "ID" },
              { header: "NAME" },
              { header: "KIND" },
              { header: "PREFIX" },
              { header: "SCOPES", max: 50 },
              { header: "ROLES" },
              { header: "SERVICES" },
              { header: "CREATED" },
              { header: "LAST USED" },
              { header: "REVOKED" },
            ],
            listed.map((key) => [
              key.id,
              key.name,
              key.kind === "worker_token" ? "worker" : "api",
              key.prefix,
              key.scopes.join(","),
              key.roles.join(",") || "-",
              key.services.join(",") || "-",
              age(key.createdAt),
              key.lastUsedAt ? age(key.lastUsedAt) : "never",
              key.revokedAt ? age(key.revokedAt) : "-",
            ]),
          );
        });
      }),
    );

  keys
    .command("revoke <id>")
    .description("Revoke a key: refused at once by this coordinator, within 10 s by the others")
    .action(
      withContext(async (context, id: string) => {
        const revoked = await context.adminCall((admin) => admin.revokeKey(id));
        context.print(() => `Revoked ${revoked.id} (${revoked.name}, ${revoked.prefix}…)`);
      }),
    );
}

function describe(key: KeyInfo): string {
  const parts = [`scopes ${key.scopes.join(", ")}`];
  if (key.roles.length) parts.push(`roles ${key.roles.join(", ")}`);
  if (key.services.length) parts.push(`services ${key.services.join(", ")}`);
  return parts.join("; ");
}
