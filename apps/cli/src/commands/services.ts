import type { Command } from "commander";
import { age } from "../output/format.js";
import { renderTable } from "../output/table.js";
import { withContext } from "./shared.js";

/** `agnt5 services`: the services the coordinator knows, their components and connected workers. */
export function registerServicesCommand(program: Command): void {
  program
    .command("services")
    .description("List services, their components and connected workers")
    .action(
      withContext(async (context) => {
        const { services } = await context.adminCall((admin) => admin.listServices());
        context.print(() => {
          if (services.length === 0)
            return "No services registered. Start a worker (npm run agnt5 -- dev <worker file>).";
          return renderTable(
            [
              { header: "SERVICE" },
              { header: "VERSION" },
              { header: "STATUS" },
              { header: "WORKERS", align: "right" },
              { header: "ACTIVE", align: "right" },
              { header: "CONNECTED" },
              { header: "COMPONENTS", max: 80 },
            ],
            services.map((service) => [
              service.name,
              service.version,
              service.status,
              String(service.workers.length),
              String(service.workers.reduce((sum, worker) => sum + worker.activeInvocations, 0)),
              service.workers.length ? age(service.workers.map((w) => w.connectedAt).sort()[0]) : "-",
              service.components.map((component) => `${component.name} (${component.kind})`).join(", "),
            ]),
          );
        });
      }),
    );
}
