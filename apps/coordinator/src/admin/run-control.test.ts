import { describe, expect, it } from "vitest";
import { NotImplementedError, runControl } from "./run-control.js";

describe("the run-control adapter", () => {
  it("calls the facade's method when it has one, bound to the facade", async () => {
    const facade = {
      calls: [] as string[],
      async pause(runId: string) {
        this.calls.push(runId);
        return { id: runId } as never;
      },
    };
    await runControl(facade, "pause")("run-1");
    expect(facade.calls).toEqual(["run-1"]);
  });

  it("answers NOT_IMPLEMENTED, naming the action, when the facade lacks it", () => {
    expect(() => runControl({}, "restartFrom")).toThrow(NotImplementedError);
    expect(() => runControl({}, "retry")).toThrow("retry is not available in this coordinator yet");
  });
});
