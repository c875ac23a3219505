import { defineConfig } from "vite";

// `npm run build` bundles the console into dist/ with relative asset URLs, so the coordinator can
// serve it under /console (or any prefix). `vite` (dev) proxies the admin API to a running
// coordinator (AGNT5_URL, default http://127.0.0.1:8080).
export default defineConfig({
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", reportCompressedSize: true },
  server: { proxy: { "/admin": process.env.AGNT5_URL ?? "http://127.0.0.1:8080" } },
});
