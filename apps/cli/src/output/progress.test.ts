import { describe, expect, it } from "vitest";
import { Progress } from "./progress.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) > 0 } as never };
}

describe("Progress", () => {
  it("redraws one line in place on a terminal and clears it when stopped", () => {
    const { writes, stream: tty } = stream(true);
    const progress = new Progress(tty);
    progress.update("run r1 running: entry 0 step one running");
    progress.update("run r1 suspended: waiting on signal go");
    progress.stop();
    expect(writes).toHaveLength(3);
    const CLEAR_LINE = "\r\x1b[2K";
    expect(writes[0]!.startsWith(CLEAR_LINE)).toBe(true);
    expect(writes[0]!.slice(CLEAR_LINE.length)).toMatch(/^. run r1 running: entry 0 step one running \(\d+s\)$/);
    expect(writes[1]!.slice(CLEAR_LINE.length)).toMatch(/^. run r1 suspended: waiting on signal go \(\d+s\)$/);
    expect(writes[2]).toBe("\r\x1b[2K");
  });

  it("prints one plain line per change elsewhere, never spinner frames or escapes", () => {
    const { writes, stream: pipe } = stream(false);
    const progress = new Progress(pipe);
    progress.update("run r1 running");
    progress.update("run r1 running");
    progress.update("run r1 suspended: waiting on signal go");
    progress.stop();
    expect(writes).toEqual(["run r1 running\n", "run r1 suspended: waiting on signal go\n"]);
  });
});
