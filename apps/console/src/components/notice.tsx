/** An error (or success) line; role=alert so screen readers and tests see it appear. */
export function Notice({ kind = "error", text }: { kind?: "error" | "ok"; text: string | undefined }) {
  if (!text) return null;
  return (
    <div class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {text}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}
