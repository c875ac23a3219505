import { useEffect, useState } from "preact/hooks";

/**
 * Hash routing (#/runs, #/runs/<id>, #/entities/<type>/<key>, #/services): deep links work with
 * the coordinator serving one static index.html, no server rewrites.
 */
export type Route =
  | { page: "runs"; query: URLSearchParams }
  | { page: "run"; runId: string }
  | { page: "entities"; type: string | undefined; key: string | undefined }
  | { page: "services" };

export function parseHash(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  if (parts[0] === "runs" && parts[1]) return { page: "run", runId: parts[1] };
  if (parts[0] === "entities") return { page: "entities", type: parts[1], key: parts[2] };
  if (parts[0] === "services") return { page: "services" };
  return { page: "runs", query };
}

/** A hash link: path segments are encoded, empty query values dropped. */
export function href(segments: string[], query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) search.set(key, value);
  const text = search.toString();
  return `#/${segments.map(encodeURIComponent).join("/")}${text ? `?${text}` : ""}`;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return parseHash(hash);
}
