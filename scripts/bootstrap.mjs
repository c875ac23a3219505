#!/usr/bin/env node
// Installs the workspace with the pinned pnpm (run through npx: corepack cannot verify pnpm's
// signatures on machines without full network access) and builds every package.
// Needs only Node 20 and npm.
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const pnpmVersion = JSON.parse(readFileSync(`${root}package.json`, "utf8")).packageManager.split("@")[1];
// turbo runs each package's scripts with pnpm, found on PATH: the pinned pnpm is a root devDependency.
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  npm_config_yes: "true",
  PATH: `${root}node_modules/.bin:${process.env.PATH}`,
};
const run = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit", env });

run(`npx --yes pnpm@${pnpmVersion} install --frozen-lockfile=${process.env.CI ? "true" : "false"}`);
run("turbo run build --output-logs=errors-only");
