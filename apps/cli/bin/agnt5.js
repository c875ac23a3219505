#!/usr/bin/env node
// The bin pnpm links at install, before anything is built: pointing "bin" at dist/main.js would make
// every fresh clone's install warn that the file does not exist. This shim exists from the start.
import "../dist/main.js";
