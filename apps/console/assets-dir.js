// The Node entry of @agnt5/console: where `vite build` put the console's static files, so the
// coordinator can serve them without knowing this package's layout.
import { fileURLToPath } from "node:url";

/** Absolute path of the built console (index.html and assets/); it exists once the package is built. */
export const consoleAssetsDir = fileURLToPath(new URL("./dist/", import.meta.url));
