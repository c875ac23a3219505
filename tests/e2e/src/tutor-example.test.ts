// examples/agents' tutoring assistant as a user runs it: a real process, no API key. It must
// remember the student across two sessions through its memory.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;
const env = { ...process.env, OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", AGNT5_EXAMPLE_MODEL: "" };

describe("examples/agents tutor (session and memory, offline)", () => {
  it("remembers the student's preference from the first session in the second", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["examples/agents/dist/tutor.js"], {
      cwd: root,
      env,
    });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "session 1: Let's start from the definition. I'm studying calculus and I prefer visual explanations. What is a limit?",
    );
    expect(lines[1]).toBe(
      "remembered: The student said: I'm studying calculus and I prefer visual explanations. What is a limit?",
    );
    expect(lines[2]).toMatch(/^session 2: Picture it as a graph, since you like visual explanations/);
    expect(lines[3]).toBe("session 2 history: 2 messages");
  });
});
