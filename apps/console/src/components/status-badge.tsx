/** A run's, entry's or service's status as a coloured pill (colours in styles.css, one per status). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge status-${status}`} data-status={status}>
      {status}
    </span>
  );
}
