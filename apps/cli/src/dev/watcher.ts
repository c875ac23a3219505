import { type FSWatcher, watch } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";

/** Path segments never watched: dependencies, VCS data, the embedded store's files. */
const IGNORED_SEGMENTS = new Set(["node_modules", ".git", ".agnt5", ".turbo"]);

export interface WatchOptions {
  /** Folders to watch (recursively). */
  dirs: string[];
  /** Absolute paths to ignore besides the usual ones (the data dir). */
  ignore: string[];
  /** The worker's file: a `dist` folder is ignored unless the worker lives in one. */
  workerFile: string;
  /** Quiet time before a burst of changes (an editor's save, a build) is reported once. */
  debounceMs: number;
  onChange(files: string[]): void;
}

/**
 * Watches the worker's folders and reports changed files once per burst. fs.watch is recursive on
 * Node 20 on Linux, macOS and Windows, so no watcher dependency is needed.
 */
export function watchFiles(options: WatchOptions): { close(): void } {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const ignored = (dir: string, file: string) => {
    if (options.ignore.some((path) => file === path || file.startsWith(path + sep))) return true;
    // Segments below the watched folder only: a "dist" above it (a checkout's path) is not a build output.
    const segments = relative(dir, file).split(sep);
    const workerInDist = relative(dir, options.workerFile).split(sep).includes("dist");
    const base = segments.at(-1) ?? "";
    if (segments.some((segment) => IGNORED_SEGMENTS.has(segment))) return true;
    if (!workerInDist && segments.includes("dist")) return true;
    // Editors' swap and backup files.
    return base.endsWith("~") || /\.sw[a-p]$/.test(base) || base === "4913";
  };
  const watchers: FSWatcher[] = options.dirs.map((dir) =>
    watch(dir, { recursive: true }, (_event, name) => {
      if (!name) return;
      const file = isAbsolute(name.toString()) ? name.toString() : join(dir, name.toString());
      if (ignored(dir, file)) return;
      pending.add(relative(process.cwd(), file) || file);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const files = [...pending];
        pending = new Set();
        options.onChange(files);
      }, options.debounceMs);
    }),
  );
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
