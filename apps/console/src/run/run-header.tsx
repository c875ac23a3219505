import type { RunDetail } from "@agnt5/admin-client";
import { StatusBadge } from "../components/status-badge.js";
import { formatCount, formatDuration, formatTime, runDurationMs } from "../format.js";
import { href } from "../router.js";

/** Who the run is, where it stands, what it waits on and what it cost in tokens. */
export function RunHeader({ run }: { run: RunDetail }) {
  return (
    <div class="run-head">
      <div class="run-title">
        <h1 class="mono">{run.id}</h1>
        <StatusBadge status={run.status} />
      </div>
      <p class="run-sub">
        <strong>{run.component}</strong> <span class="muted">{run.kind}</span> in <strong>{run.service}</strong>
        {run.parent && (
          <>
            {" "}
            · child of <a href={href(["runs", run.parent.id])}>{run.parent.id}</a>
          </>
        )}
      </p>
      {run.waitingOn && (
        <p class="waiting-on" data-testid="waiting-on">
          Waiting on <strong>{run.waitingOn}</strong>
        </p>
      )}
      {run.error && (
        <div class="notice notice-error">
          <strong>{run.error.code}</strong> {run.error.message}
        </div>
      )}
      <dl class="facts">
        <Fact label="Started" value={formatTime(run.createdAt)} />
        <Fact label="Finished" value={formatTime(run.completedAt)} />
        <Fact label="Duration" value={formatDuration(runDurationMs(run))} />
        <Fact label="Attempt" value={String(run.attempt)} />
        <Fact label="Journal entries" value={String(run.timeline.length)} />
        <Fact label="Model calls" value={formatCount(run.totals.modelCalls)} />
        <Fact
          label="Tokens in / out"
          value={`${formatCount(run.totals.inputTokens)} / ${formatCount(run.totals.outputTokens)}`}
        />
      </dl>
    </div>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
