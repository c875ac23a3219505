// The timer service after a store failure: it logs the failure and looks at the timers again on
// its own, rather than waiting for the next timer to be written (or a restart).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ERROR_LEVEL, startTestEngine, type TestEngine } from "../test-support/test-engine.js";
import { TimerService } from "./timer-service.js";

describe("timer service", () => {
  let engine: TestEngine;
  let timers: TimerService | undefined;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => {
    timers?.close();
    await engine?.close();
  });

  it("tries again by itself after the store failed to fire due timers", async () => {
    const journal = engine.store.journal;
    const fireDueTimers = journal.fireDueTimers.bind(journal);
    let calls = 0;
    let retried!: () => void;
    const secondLook = new Promise<void>((resolve) => {
      retried = resolve;
    });
    journal.fireDueTimers = (now) => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error("connection terminated"));
      retried();
      return fireDueTimers(now);
    };
    timers = new TimerService(journal, () => {}, engine.logger);
    timers.start();
    await secondLook;
    const failure = await engine.logged((line) => line.level === ERROR_LEVEL);
    expect(failure.msg).toContain("Timer service failed");
  });
});
