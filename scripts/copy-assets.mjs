#!/usr/bin/env node
// Copies non-TypeScript assets (SQL migrations) next to the compiled output.
import { cpSync } from "node:fs";

const [from, to] = process.argv.slice(2);
cpSync(from, to, { recursive: true });
