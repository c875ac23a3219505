import { useState } from "preact/hooks";
import { admin } from "../api.js";
import { JsonView } from "../components/json-view.js";
import { Notice } from "../components/notice.js";
import { formatAgo, formatTime } from "../format.js";
import { href } from "../router.js";
import { usePoll } from "../use-poll.js";

/** A key is "stuck" when a write has waited for it longer than the chosen threshold (30 s at first). */
const STUCK_THRESHOLDS: Array<[number, string]> = [
  [0, "any wait"],
  [10_000, "10 s"],
  [30_000, "30 s"],
  [60_000, "1 min"],
  [300_000, "5 min"],
];

/** Entity types → their keys (stuck ones highlighted) → one key's state, version and queue. */
export function EntitiesPage({ type, entityKey }: { type: string | undefined; entityKey: string | undefined }) {
  const types = usePoll(() => admin.listEntityTypes(), "types");
  const [stuckAfterMs, setStuckAfterMs] = useState(30_000);
  const stuck = usePoll(() => admin.listStuckEntityKeys({ olderThanMs: stuckAfterMs }), `stuck-${stuckAfterMs}`);
  const stuckKeys = new Set((stuck.data?.keys ?? []).map((k) => `${k.type}\u0000${k.key}`));
  return (
    <section>
      <div class="page-head">
        <h1>Entities</h1>
        {stuck.data && stuck.data.keys.length > 0 && (
          <span class="badge status-failed">{stuck.data.keys.length} stuck</span>
        )}
        <label class="inline-label">
          Stuck when a write waited over
          <select value={String(stuckAfterMs)} onChange={(event) => setStuckAfterMs(Number(event.currentTarget.value))}>
            {STUCK_THRESHOLDS.map(([ms, label]) => (
              <option key={ms} value={String(ms)}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Notice text={types.error ?? stuck.error} />
      <div class="columns">
        <nav class="card list" aria-label="Entity types">
          <h2>Types</h2>
          {types.data?.types.length === 0 && <p class="empty">No entities yet.</p>}
          {types.data?.types.map((t) => (
            <a
              key={t.type}
              class={t.type === type ? "list-item active" : "list-item"}
              href={href(["entities", t.type])}
              data-entity-type={t.type}
            >
              <span class="mono">{t.type}</span>
              <span class="muted">
                {t.keys} key{t.keys === 1 ? "" : "s"}
                {t.service ? ` · ${t.service}` : ""}
              </span>
            </a>
          ))}
        </nav>
        {type ? <Keys type={type} selected={entityKey} stuckKeys={stuckKeys} /> : <p class="muted">Pick a type.</p>}
        {type && entityKey && <KeyDetail type={type} entityKey={entityKey} />}
      </div>
    </section>
  );
}

function Keys({ type, selected, stuckKeys }: { type: string; selected: string | undefined; stuckKeys: Set<string> }) {
  const keys = usePoll(() => admin.listEntityKeys(type, { limit: 200 }), type);
  return (
    <nav class="card list" aria-label={`Keys of ${type}`}>
      <h2>Keys</h2>
      <Notice text={keys.error} />
      {keys.data?.keys.length === 0 && <p class="empty">No keys.</p>}
      {keys.data?.keys.map((k) => {
        const isStuck = stuckKeys.has(`${type}\u0000${k.key}`);
        const classes = ["list-item", k.key === selected ? "active" : "", isStuck ? "stuck" : ""].join(" ");
        return (
          <a key={k.key} class={classes} href={href(["entities", type, k.key])} data-entity-key={k.key}>
            <span class="mono">{k.key}</span>
            <span class="muted">
              v{k.version} · {formatAgo(k.updatedAt)}
              {k.queued > 0 && (
                <span class={isStuck ? "badge status-failed" : "badge status-pending"}>{k.queued} queued</span>
              )}
            </span>
          </a>
        );
      })}
      {keys.data?.nextCursor && <p class="muted">Showing the first 200 keys.</p>}
    </nav>
  );
}

function KeyDetail({ type, entityKey }: { type: string; entityKey: string }) {
  const detail = usePoll(() => admin.getEntityKey(type, entityKey), `${type}/${entityKey}`);
  const data = detail.data;
  return (
    <section class="card grow" aria-label="Entity state">
      <h2>
        <span class="mono">
          {type}/{entityKey}
        </span>
      </h2>
      <Notice text={detail.error} />
      {data && (
        <>
          <dl class="facts">
            <div class="fact">
              <dt>Version</dt>
              <dd data-testid="entity-version">{data.version}</dd>
            </div>
            <div class="fact">
              <dt>Updated</dt>
              <dd>{formatTime(data.updatedAt)}</dd>
            </div>
            <div class="fact">
              <dt>Queued writes</dt>
              <dd>{data.queue.length}</dd>
            </div>
          </dl>
          <h4>State</h4>
          <JsonView value={data.state} openDepth={3} />
          {data.queue.length > 0 && (
            <>
              <h4>Writes waiting for this key</h4>
              <table class="table">
                <thead>
                  <tr>
                    <th>Invocation</th>
                    <th>Method</th>
                    <th>Waiting since</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queue.map((q) => (
                    <tr key={q.invocationId}>
                      <td class="mono">
                        <a href={href(["runs", q.invocationId])}>{q.invocationId}</a>
                      </td>
                      <td>{q.method}</td>
                      <td>{formatAgo(q.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  );
}
