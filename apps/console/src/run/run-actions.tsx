import type { RunDetail } from "@agnt5/admin-client";
import { useState } from "preact/hooks";
import { admin } from "../api.js";
import type { ActionState } from "./use-action.js";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** Cancel, pause, resume, retry, and a signal with a JSON payload. */
export function RunActions({ run, action }: { run: RunDetail; action: ActionState }) {
  const finished = FINISHED.has(run.status);
  const busy = action.busy !== undefined;
  return (
    <div class="actions">
      <div class="action-buttons">
        <button
          type="button"
          disabled={busy || finished || run.status === "paused"}
          onClick={() => action.perform("Pause", () => admin.pauseRun(run.id))}
        >
          Pause
        </button>
        <button
          type="button"
          disabled={busy || run.status !== "paused"}
          onClick={() => action.perform("Resume", () => admin.resumeRun(run.id))}
        >
          Resume
        </button>
        <button
          type="button"
          disabled={busy || run.status !== "failed"}
          onClick={() => action.perform("Retry", () => admin.retryRun(run.id))}
        >
          Retry
        </button>
        <button
          type="button"
          class="danger"
          disabled={busy || finished}
          onClick={() => action.perform("Cancel", () => admin.cancelRun(run.id))}
        >
          Cancel run
        </button>
      </div>
      {!finished && <SignalForm runId={run.id} action={action} />}
    </div>
  );
}

function SignalForm({ runId, action }: { runId: string; action: ActionState }) {
  const [name, setName] = useState("");
  const [payload, setPayload] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>();
  return (
    <form
      class="signal-form"
      aria-label="Send a signal"
      onSubmit={(event) => {
        event.preventDefault();
        let value: unknown = null;
        try {
          value = payload.trim() === "" ? null : JSON.parse(payload);
        } catch (cause) {
          setInvalid(`The payload is not JSON: ${(cause as Error).message}`);
          return;
        }
        setInvalid(undefined);
        void action.perform(`Signal "${name}"`, () => admin.signalRun(runId, name, value));
      }}
    >
      <input
        aria-label="Signal name"
        placeholder="signal name"
        required
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <input
        aria-label="Signal payload (JSON)"
        class="mono grow"
        placeholder='payload, JSON: {"ok": true}'
        value={payload}
        onInput={(e) => setPayload(e.currentTarget.value)}
      />
      <button type="submit" disabled={action.busy !== undefined}>
        Send signal
      </button>
      {invalid && <span class="error-text">{invalid}</span>}
    </form>
  );
}
