import { useEffect, useState } from "preact/hooks";
import { currentApiKey, onApiKeyChange, setApiKey } from "../api.js";

/**
 * The API key the console sends (a coordinator with authentication on answers 401 without one).
 * The key is typed in a password field and kept for this tab only; it is never shown again.
 */
export function ApiKeyBar() {
  const [hasKey, setHasKey] = useState(currentApiKey() !== null);
  const [draft, setDraft] = useState("");
  useEffect(() => onApiKeyChange(() => setHasKey(currentApiKey() !== null)), []);
  if (hasKey) {
    return (
      <div class="key-bar">
        <span class="muted">API key set</span>
        <button type="button" class="small" onClick={() => setApiKey(null)}>
          Forget key
        </button>
      </div>
    );
  }
  return (
    <form
      class="key-bar"
      onSubmit={(event) => {
        event.preventDefault();
        setApiKey(draft);
        setDraft("");
      }}
    >
      <input
        type="password"
        autocomplete="off"
        placeholder="API key (agnt5 keys create)"
        aria-label="API key"
        value={draft}
        onInput={(event) => setDraft((event.target as HTMLInputElement).value)}
      />
      <button type="submit" class="small" disabled={draft.trim() === ""}>
        Use key
      </button>
    </form>
  );
}
