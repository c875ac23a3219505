/** Test-only: the recorded-shape payloads in src/__fixtures__. */
import { readFileSync } from "node:fs";
import type { StreamFrame } from "./bedrock-test-server.js";

export function readFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), "utf8")) as T;
}

/** A ConverseStream fixture: the frames in order, each `{ event, payload }`. */
export function readStreamFixture(name: string): StreamFrame[] {
  return readFixture<StreamFrame[]>(name);
}
