import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "./api.js";

export const POLL_INTERVAL_MS = 1500;

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  /** Loads again now (after an action), without waiting for the next tick. */
  reload: () => void;
}

/**
 * Loads `load()` now and every POLL_INTERVAL_MS while mounted: live status without a push channel.
 * The last good answer stays on screen while a later one fails (the error is shown beside it).
 */
export function usePoll<T>(load: () => Promise<T>, key: string, intervalMs = POLL_INTERVAL_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastKey = useRef(key);

  useEffect(() => {
    if (lastKey.current !== key) {
      lastKey.current = key;
      setData(undefined);
    }
    let stopped = false;
    let loadedOnce = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      // A hidden tab skips its loads (and resumes within one interval of being shown).
      if (document.hidden && loadedOnce) {
        timer = setTimeout(run, intervalMs);
        return;
      }
      loadedOnce = true;
      try {
        const value = await loadRef.current();
        if (stopped) return;
        setData(value);
        setError(undefined);
      } catch (cause) {
        if (!stopped) setError(errorText(cause));
      }
      if (!stopped) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, tick, intervalMs]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload };
}
