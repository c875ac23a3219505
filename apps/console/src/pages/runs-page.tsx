import type { RunListQuery, RunSummary } from "@agnt5/admin-client";
import { useState } from "preact/hooks";
import { admin } from "../api.js";
import { Notice } from "../components/notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatAgo, formatDuration, runDurationMs } from "../format.js";
import { href } from "../router.js";
import { usePoll } from "../use-poll.js";

const STATUSES = ["pending", "running", "suspended", "paused", "completed", "failed", "cancelled"];
const KINDS = ["function", "workflow", "entity", "agent", "flow"];
const FILTERS = ["status", "service", "component", "kind", "idPrefix"] as const;
const PAGE_SIZE = 25;

type Filters = Partial<Record<(typeof FILTERS)[number] | "cursor", string>>;

/** Every run, newest first, live: filters and the page cursor live in the URL, so views can be shared. */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const filters: Filters = {};
  for (const name of [...FILTERS, "cursor"] as const) filters[name] = query.get(name) ?? undefined;
  // Cursors of the pages before this one, to step back (the API's cursors only go forward).
  const [previous, setPrevious] = useState<string[]>([]);
  const key = JSON.stringify(filters);
  const runs = usePoll(() => admin.listRuns({ ...filters, limit: PAGE_SIZE } as RunListQuery), key);

  const go = (next: Filters) => {
    window.location.hash = href(["runs"], next);
  };
  const setFilter = (name: keyof Filters, value: string) => {
    setPrevious([]);
    go({ ...filters, cursor: undefined, [name]: value });
  };

  return (
    <section>
      <div class="page-head">
        <h1>Runs</h1>
        <span class="live" title="Refreshed every 1.5 s">
          <span class="live-dot" /> live
        </span>
      </div>
      <form
        // Remounted when the URL's filters change, so the text fields show them (typing is not undone by polling).
        key={JSON.stringify({ ...filters, cursor: undefined })}
        class="filters"
        aria-label="Run filters"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          setPrevious([]);
          const next: Filters = {};
          for (const name of FILTERS) next[name] = String(data.get(name) ?? "").trim() || undefined;
          go(next);
        }}
      >
        <label>
          Status
          <select
            name="status"
            value={filters.status ?? ""}
            onChange={(e) => setFilter("status", e.currentTarget.value)}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="kind" value={filters.kind ?? ""} onChange={(e) => setFilter("kind", e.currentTarget.value)}>
            <option value="">any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Service
          <input name="service" placeholder="service" defaultValue={filters.service ?? ""} />
        </label>
        <label>
          Component
          <input name="component" placeholder="component" defaultValue={filters.component ?? ""} />
        </label>
        <label>
          Run id
          <input name="idPrefix" placeholder="id prefix" defaultValue={filters.idPrefix ?? ""} />
        </label>
        <button type="submit">Apply</button>
        {FILTERS.some((name) => filters[name]) && (
          <a class="button-link" href="#/runs">
            Clear
          </a>
        )}
      </form>
      <Notice text={runs.error} />
      <table class="table runs-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Component</th>
            <th>Service</th>
            <th>Kind</th>
            <th>Status</th>
            <th>Waiting on</th>
            <th class="num">Attempt</th>
            <th>Started</th>
            <th class="num">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.runs.map((run) => (
            <RunRow key={run.id} run={run} />
          ))}
        </tbody>
      </table>
      {runs.data && runs.data.runs.length === 0 && <p class="empty">No runs match these filters.</p>}
      {!runs.data && !runs.error && <p class="muted">Loading runs…</p>}
      <div class="pager">
        <button
          type="button"
          disabled={!filters.cursor}
          onClick={() => {
            const back = previous.slice(0, -1);
            setPrevious(back);
            go({ ...filters, cursor: previous.at(-1) });
          }}
        >
          ← Newer
        </button>
        <button
          type="button"
          disabled={!runs.data?.nextCursor}
          onClick={() => {
            setPrevious([...previous, filters.cursor ?? ""]);
            go({ ...filters, cursor: runs.data?.nextCursor ?? undefined });
          }}
        >
          Older →
        </button>
      </div>
    </section>
  );
}

function RunRow({ run }: { run: RunSummary }) {
  return (
    <tr data-run-id={run.id}>
      <td class="mono">
        <a href={href(["runs", run.id])}>{run.id}</a>
      </td>
      <td>{run.component}</td>
      <td class="muted">{run.service}</td>
      <td class="muted">{run.kind}</td>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td class="waiting">{run.waitingOn ?? (run.error ? <span class="error-text">{run.error.code}</span> : "")}</td>
      <td class="num">{run.attempt}</td>
      <td title={run.createdAt}>{formatAgo(run.createdAt)}</td>
      <td class="num">{formatDuration(runDurationMs(run))}</td>
    </tr>
  );
}
