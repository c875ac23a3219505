import { admin } from "../api.js";
import { JsonView } from "../components/json-view.js";
import { Loading, Notice } from "../components/notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { href } from "../router.js";
import { Approvals } from "../run/approvals.js";
import { ModelCalls, ToolCalls } from "../run/calls.js";
import { RunActions } from "../run/run-actions.js";
import { RunHeader } from "../run/run-header.js";
import { useAction } from "../run/use-action.js";
import { Waterfall } from "../run/waterfall.js";
import { usePoll } from "../use-poll.js";

/** One run: summary, actions, approvals, the timeline, model and tool calls, input and output. */
export function RunPage({ runId }: { runId: string }) {
  const polled = usePoll(() => admin.getRun(runId), runId);
  const action = useAction(polled.reload);
  const run = polled.data;
  return (
    <section>
      <a class="back" href="#/runs">
        ← All runs
      </a>
      <Notice text={polled.error} />
      {!run ? (
        !polled.error && <Loading what="the run" />
      ) : (
        <>
          <RunHeader run={run} />
          <RunActions run={run} action={action} />
          <Notice text={action.error} />
          <Notice kind="ok" text={action.busy ? `${action.busy}…` : action.done} />
          <Approvals run={run} action={action} />
          <section class="card" aria-label="Timeline">
            <h2>Timeline</h2>
            <Waterfall run={run} action={action} />
          </section>
          <ModelCalls calls={run.modelCalls} />
          <ToolCalls calls={run.toolCalls} />
          <section class="card two-col">
            <div>
              <h2>Input</h2>
              <JsonView value={run.input} />
            </div>
            <div>
              <h2>Output</h2>
              <JsonView value={run.output} />
            </div>
          </section>
          {run.children.length > 0 && (
            <section class="card" aria-label="Child runs">
              <h2>Child runs</h2>
              <ul class="plain">
                {run.children.map((child) => (
                  <li key={child.id}>
                    <a class="mono" href={href(["runs", child.id])}>
                      {child.id}
                    </a>{" "}
                    {child.component} <StatusBadge status={child.status} />
                  </li>
                ))}
              </ul>
            </section>
          )}
          {Object.keys(run.headers).length > 0 && (
            <details class="card">
              <summary>Headers</summary>
              <JsonView value={run.headers} />
            </details>
          )}
        </>
      )}
    </section>
  );
}
