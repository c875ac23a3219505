import type { EntityKeySummary } from "@agnt5/admin-client";
import type { Command } from "commander";
import { age, jsonBlock } from "../output/format.js";
import { renderTable } from "../output/table.js";
import { positiveInteger, withContext } from "./shared.js";

/** `agnt5 entities get|list`: entity state, versions and the writes queued per key. */
export function registerEntitiesCommands(program: Command): void {
  const entities = program.command("entities").description("Inspect entities: types, keys, state and queued writes");

  entities
    .command("get <type> <key>")
    .description("Show an entity's state, version and the writes waiting for its key")
    .action(
      withContext(async (context, type: string, key: string) => {
        const entity = await context.adminCall((admin) => admin.getEntityKey(type, key));
        context.print(() => {
          const lines = [
            `Entity:   ${entity.type}/${entity.key}`,
            `Version:  ${entity.version}`,
            `Updated:  ${entity.updatedAt ? `${entity.updatedAt} (${age(entity.updatedAt)})` : "never written"}`,
            `State:\n${jsonBlock(entity.state)}`,
          ];
          if (entity.queue.length > 0) {
            lines.push(
              `Queued writes (${entity.queue.length}; the first runs next)\n${renderTable(
                [{ header: "  INVOCATION" }, { header: "METHOD" }, { header: "WAITING" }],
                entity.queue.map((write) => [`  ${write.invocationId}`, write.method, age(write.since)]),
              )}`,
            );
          }
          return lines.join("\n");
        });
      }),
    );

  entities
    .command("list [type]")
    .description("List entity types, or the keys of one type")
    .option("--prefix <prefix>", "only keys starting with this")
    .option("--limit <n>", "keys per page (max 500)", positiveInteger("--limit"), 50)
    .option("--all", "follow every page")
    .action(
      withContext(
        async (context, type: string | undefined, options: { prefix?: string; limit: number; all?: boolean }) => {
          if (type === undefined) {
            const { types } = await context.adminCall((admin) => admin.listEntityTypes());
            context.print(() =>
              types.length === 0
                ? "No entity types registered."
                : renderTable(
                    [{ header: "TYPE" }, { header: "SERVICE" }, { header: "KEYS", align: "right" }],
                    types.map((entry) => [entry.type, entry.service ?? "-", String(entry.keys)]),
                  ),
            );
            return;
          }
          const keys: EntityKeySummary[] = [];
          let cursor: string | undefined;
          let nextCursor: string | null = null;
          do {
            const page = await context.adminCall((admin) =>
              admin.listEntityKeys(type, { prefix: options.prefix, limit: options.limit, cursor }),
            );
            keys.push(...page.keys);
            nextCursor = page.nextCursor;
            cursor = nextCursor ?? undefined;
          } while (options.all && cursor !== undefined);
          if (context.json && options.all) {
            context.out(JSON.stringify({ keys, nextCursor: null }));
            return;
          }
          context.print(() => {
            if (keys.length === 0) return `No keys of entity type "${type}".`;
            const table = renderTable(
              [
                { header: "KEY" },
                { header: "VERSION", align: "right" },
                { header: "UPDATED" },
                { header: "QUEUED", align: "right" },
              ],
              keys.map((entry) => [entry.key, String(entry.version), age(entry.updatedAt), String(entry.queued)]),
            );
            return nextCursor ? `${table}\n(more keys: --all, or a larger --limit)` : table;
          });
        },
      ),
    );
}
