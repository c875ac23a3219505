import type { CallerIdentity } from "@agnt5/admin-client";
import { useEffect, useState } from "preact/hooks";
import { admin, onApiKeyChange } from "../api.js";

/**
 * Who the coordinator takes this console's caller to be (GET /admin/v1/identity), asked again when
 * the API key changes: undefined while asking, null when it could not say (no key yet, or a
 * coordinator without the route), so the approval form can fall back to asking for a name.
 */
export function useIdentity(): CallerIdentity | null | undefined {
  const [identity, setIdentity] = useState<CallerIdentity | null | undefined>(undefined);
  useEffect(() => {
    let mounted = true;
    const load = () => {
      setIdentity(undefined);
      admin.getIdentity().then(
        (answer) => mounted && setIdentity(answer),
        () => mounted && setIdentity(null),
      );
    };
    load();
    const stopListening = onApiKeyChange(load);
    return () => {
      mounted = false;
      stopListening();
    };
  }, []);
  return identity;
}
