import { useState } from "preact/hooks";
import { errorText } from "../api.js";

export interface ActionState {
  busy: string | undefined;
  error: string | undefined;
  done: string | undefined;
  /** Runs one action at a time; its error (e.g. a 409 or a 501) is shown, not thrown. */
  perform: (label: string, action: () => Promise<unknown>, after?: (result: any) => void) => Promise<void>;
}

export function useAction(onDone: () => void): ActionState {
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const perform: ActionState["perform"] = async (label, action, after) => {
    setBusy(label);
    setError(undefined);
    setDone(undefined);
    try {
      const result = await action();
      setDone(`${label}: done`);
      after?.(result);
    } catch (cause) {
      setError(`${label} failed. ${errorText(cause)}`);
    } finally {
      setBusy(undefined);
      onDone();
    }
  };
  return { busy, error, done, perform };
}
