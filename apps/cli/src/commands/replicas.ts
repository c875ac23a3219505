import type { Command } from "commander";
import { age } from "../output/format.js";
import { renderTable } from "../output/table.js";
import { withContext } from "./shared.js";

/** `agnt5 replicas`: the coordinator replicas sharing the database (AGNT5_CLUSTER=1), from their leases. */
export function registerReplicasCommand(program: Command): void {
  program
    .command("replicas")
    .description("List coordinator replicas (AGNT5_CLUSTER=1): leases, services with workers, runs each owns")
    .action(
      withContext(async (context) => {
        const answer = await context.adminCall((admin) => admin.listReplicas());
        context.print(() => {
          if (!answer.cluster) return "A single coordinator (AGNT5_CLUSTER is not set): no replicas.";
          return renderTable(
            [
              { header: "NAME" },
              { header: "TOKEN", align: "right" },
              { header: "LEASE" },
              { header: "RENEWED" },
              { header: "RUNS", align: "right" },
              { header: "KEYS", align: "right" },
              { header: "SERVICES", max: 80 },
            ],
            answer.replicas.map((replica) => [
              replica.token === answer.self ? `${replica.name} (this one)` : replica.name,
              replica.token,
              replica.expired ? "expired" : "live",
              age(replica.renewedAt),
              String(replica.unfinishedInvocations),
              String(replica.entityKeys),
              replica.services.join(", ") || "-",
            ]),
          );
        });
      }),
    );
}
