import type { RunDetail, TimelineEntry } from "@agnt5/admin-client";
import { useState } from "preact/hooks";
import { admin } from "../api.js";
import { JsonView } from "../components/json-view.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatDuration } from "../format.js";
import { href } from "../router.js";
import type { ActionState } from "./use-action.js";

/**
 * The journal as a waterfall: one row per entry, its bar placed by startedAt and sized by its
 * duration on the run's time axis, coloured by status. A row opens to its request, result or
 * error; each row can restart the run from that entry (entries before it replay from the journal).
 */
export function Waterfall({ run, action }: { run: RunDetail; action: ActionState }) {
  const [open, setOpen] = useState<number | undefined>();
  const now = Date.now();
  const start = Math.min(Date.parse(run.createdAt), ...run.timeline.map((e) => Date.parse(e.startedAt)));
  const end = Math.max(
    run.completedAt ? Date.parse(run.completedAt) : now,
    ...run.timeline.map((e) => entryEnd(e, now)),
    start + 1,
  );
  const span = end - start;
  if (run.timeline.length === 0) return <p class="empty">No journal entries yet.</p>;
  return (
    <div class="waterfall">
      <div class="wf-row wf-head">
        <span>#</span>
        <span>Entry</span>
        <span class="wf-axis">
          <span>0</span>
          <span>{formatDuration(span / 2)}</span>
          <span>{formatDuration(span)}</span>
        </span>
        <span class="num">Duration</span>
        <span />
      </div>
      {run.timeline.map((entry) => {
        const left = ((Date.parse(entry.startedAt) - start) / span) * 100;
        const width = Math.max(((entryEnd(entry, now) - Date.parse(entry.startedAt)) / span) * 100, 0.6);
        const isOpen = open === entry.index;
        return (
          <div key={entry.index} class="wf-entry" data-entry={entry.index} data-status={entry.status}>
            <div class="wf-row">
              <span class="muted num">{entry.index}</span>
              <button
                type="button"
                class="wf-name"
                aria-expanded={isOpen}
                onClick={() => setOpen(isOpen ? undefined : entry.index)}
                title={`${entry.kind} ${entry.name}`}
              >
                <span class={`kind kind-${entry.kind}`}>{entry.kind}</span>
                <span class="mono">{entry.name}</span>
                {entry.attempts > 1 && <span class="attempts">×{entry.attempts}</span>}
              </button>
              <span class="wf-track">
                <span
                  class={`wf-bar bar-${entry.status}`}
                  style={{ left: `${Math.min(left, 99.4)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.4))}%` }}
                />
              </span>
              <span class="num">{entry.durationMs === null ? entry.status : formatDuration(entry.durationMs)}</span>
              <button
                type="button"
                class="small"
                title={`Start a new run from entry ${entry.index}: the entries before it replay from this run's journal`}
                disabled={action.busy !== undefined}
                onClick={() =>
                  action.perform(
                    `Restart from entry ${entry.index}`,
                    () => admin.restartRun(run.id, { fromEntry: entry.index }),
                    (created: { id: string }) => {
                      window.location.hash = href(["runs", created.id]);
                    },
                  )
                }
              >
                Restart here
              </button>
            </div>
            {isOpen && <EntryDetail entry={entry} />}
          </div>
        );
      })}
    </div>
  );
}

function entryEnd(entry: TimelineEntry, now: number): number {
  if (entry.completedAt) return Date.parse(entry.completedAt);
  if (entry.durationMs !== null) return Date.parse(entry.startedAt) + entry.durationMs;
  return now;
}

function EntryDetail({ entry }: { entry: TimelineEntry }) {
  return (
    <div class="wf-detail">
      <div class="wf-detail-meta">
        <StatusBadge status={entry.status} />
        <span class="muted">
          started {entry.startedAt} · {entry.attempts} attempt{entry.attempts === 1 ? "" : "s"}
        </span>
        {entry.childRunId && (
          <a href={href(["runs", entry.childRunId])} class="mono">
            child run {entry.childRunId}
          </a>
        )}
      </div>
      <div class="two-col">
        <div>
          <h4>Request</h4>
          <JsonView value={entry.request} />
        </div>
        <div>
          <h4>{entry.error ? "Error" : "Result"}</h4>
          {entry.error ? (
            <div class="notice notice-error">
              <strong>{entry.error.code}</strong> {entry.error.message}
            </div>
          ) : (
            <JsonView value={entry.result} />
          )}
        </div>
      </div>
    </div>
  );
}
