import { userInfo } from "node:os";
import { FINISHED_RUN_STATUSES, type RunListQuery, type RunSummary } from "@agnt5/admin-client";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { CliError, EXIT, usageError } from "../errors.js";
import { jsonBlock } from "../output/format.js";
import { renderRunDetail, renderRunLine, renderRunList } from "../output/run-view.js";
import { waitForRun } from "./run-wait.js";
import { nonNegativeInteger, parseJsonArgument, positiveInteger, sinceTime, withContext } from "./shared.js";

interface ListOptions {
  status?: string;
  service?: string;
  component?: string;
  kind?: RunListQuery["kind"];
  since?: string;
  limit: number;
  all?: boolean;
}

/** `agnt5 runs ...`: list, inspect and act on runs through the admin API. */
export function registerRunsCommands(program: Command): void {
  const runs = program.command("runs").description("List, inspect, wait for and act on runs");

  runs
    .command("list")
    .description("List runs, newest first")
    .option(
      "--status <statuses>",
      "pending, running, suspended, paused, completed, failed, cancelled (comma-separated)",
    )
    .option("--service <name>", "only runs of this service")
    .option("--component <name>", "only runs of this function, workflow, entity or agent")
    .option("--kind <kind>", "function, workflow, entity, agent or flow")
    .option("--since <time>", "created within (45s, 30m, 2h, 7d) or after an ISO-8601 time")
    .option("--limit <n>", "runs per page (max 500)", positiveInteger("--limit"), 20)
    .option("--all", "follow every page")
    .action(
      withContext(async (context, options: ListOptions) => {
        const query: RunListQuery = {
          status: options.status,
          service: options.service,
          component: options.component,
          kind: options.kind,
          since: options.since === undefined ? undefined : sinceTime(options.since),
          limit: options.limit,
        };
        const found: RunSummary[] = [];
        let cursor: string | undefined;
        let nextCursor: string | null = null;
        do {
          const page = await context.adminCall((admin) => admin.listRuns({ ...query, cursor }));
          found.push(...page.runs);
          nextCursor = page.nextCursor;
          cursor = nextCursor ?? undefined;
        } while (options.all && cursor !== undefined);
        if (context.json && options.all) {
          // Several pages: one document in the API's shape.
          context.out(JSON.stringify({ runs: found, nextCursor: null }));
          return;
        }
        context.print(() =>
          nextCursor ? `${renderRunList(found)}\n(more runs: --all, or a larger --limit)` : renderRunList(found),
        );
      }),
    );

  runs
    .command("show <runId>")
    .description("Show a run: summary, timeline, waits, model and tool calls, pending approvals, children")
    .action(
      withContext(async (context, runId: string) => {
        const run = await context.adminCall((admin) => admin.getRun(runId));
        context.print(() => renderRunDetail(run));
      }),
    );

  const action = (
    name: string,
    description: string,
    call: (context: CliContext, runId: string) => Promise<RunSummary>,
  ) =>
    runs
      .command(`${name} <runId>`)
      .description(description)
      .action(
        withContext(async (context, runId: string) => {
          const run = await call(context, runId);
          context.print(() => renderRunLine(run));
        }),
      );
  action("cancel", "Cancel a run (its children too)", (context, id) => context.adminCall((a) => a.cancelRun(id)));
  action("pause", "Pause a run: it is not dispatched and its timers wait until resumed", (context, id) =>
    context.adminCall((a) => a.pauseRun(id)),
  );
  action("resume", "Resume a paused run", (context, id) => context.adminCall((a) => a.resumeRun(id)));
  action("retry", "Run a failed run again from its journal", (context, id) => context.adminCall((a) => a.retryRun(id)));

  runs
    .command("restart <runId>")
    .description("Start a new run that replays entries before --from from this run's journal and runs the rest")
    .requiredOption(
      "--from <entry>",
      "the first journal entry to run again (see the timeline's #)",
      nonNegativeInteger("--from"),
    )
    .option("--run-id <id>", "id of the new run (default: made by the coordinator)")
    .action(
      withContext(async (context, runId: string, options: { from: number; runId?: string }) => {
        const run = await context.adminCall((admin) =>
          admin.restartRun(runId, { fromEntry: options.from, ...(options.runId ? { runId: options.runId } : {}) }),
        );
        context.print(() => `Restarted ${runId} from entry ${options.from} as a new run.\n${renderRunLine(run)}`);
      }),
    );

  runs
    .command("signal <runId> <name> [json]")
    .description("Send a signal (with an optional JSON payload) to a run")
    .action(
      withContext(async (context, runId: string, name: string, json: string | undefined) => {
        const payload = JSON.parse(parseJsonArgument(json, "The signal payload") ?? "null") as unknown;
        const { delivered } = await context.adminCall((admin) => admin.signalRun(runId, name, payload));
        context.print(() =>
          delivered
            ? `Signal "${name}" delivered to run ${runId}.`
            : `Signal "${name}" recorded for run ${runId}; the run is not waiting for it now and receives it when it does.`,
        );
      }),
    );

  const decide = (decision: "approved" | "rejected") =>
    runs
      .command(`${decision === "approved" ? "approve" : "reject"} <runId> <name>`)
      .description(`${decision === "approved" ? "Approve" : "Reject"} a run's pending approval (ctx.human.approval)`)
      .option(
        "--by <who>",
        "who decides, recorded in the journal (dev mode; with an API key the key's name is recorded)",
        defaultApprover(),
      )
      .option("--comment <text>", "why")
      .action(
        withContext(async (context, runId: string, name: string, options: { by: string; comment?: string }) => {
          if (!options.by) throw usageError("--by <who> is required (who decides is recorded in the run's journal)");
          const { delivered } = await context.adminCall((admin) =>
            admin.decideApproval(runId, name, {
              decision,
              by: options.by,
              ...(options.comment ? { comment: options.comment } : {}),
            }),
          );
          context.print(
            () =>
              `Approval "${name}" of run ${runId} ${decision} by ${context.hasApiKey ? "this API key" : options.by}${delivered ? "." : " (recorded; the run was not waiting)."}`,
          );
        }),
      );
  decide("approved");
  decide("rejected");

  runs
    .command("wait <runId>")
    .description("Wait until a run finishes, showing its progress; exits 1 if it failed or was cancelled")
    .option("--timeout <seconds>", "give up after this long (exit 1; the run continues)", positiveInteger("--timeout"))
    .action(
      withContext(async (context, runId: string, options: { timeout?: number }) => {
        const run = await waitForRun(context, runId, options.timeout);
        if (!FINISHED_RUN_STATUSES.includes(run.status)) {
          throw new CliError(`Run ${runId} is still ${run.status} after ${options.timeout}s; it continues.`, {
            exitCode: EXIT.FAILED,
            code: "TIMEOUT",
          });
        }
        context.print(() =>
          run.status === "completed" ? `${renderRunLine(run)}\nOutput:\n${jsonBlock(run.output)}` : renderRunLine(run),
        );
        if (run.status !== "completed") process.exitCode = EXIT.FAILED;
      }),
    );
}

function defaultApprover(): string {
  try {
    return process.env.AGNT5_USER ?? userInfo().username;
  } catch {
    return "";
  }
}
