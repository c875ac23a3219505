import type { DurableContext } from "@agnt5/core";
import { ScriptedModel } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent, tool } from "../index.js";
import { runDurable } from "../test-support/durable-run.js";

const deleted: string[] = [];
const search = tool(
  { name: "search", description: "Search", input: z.object({ q: z.string() }) },
  ({ q }) => `found ${q}`,
);
const calculate = tool(
  { name: "calculate", description: "Add", input: z.object({ a: z.number(), b: z.number() }) },
  ({ a, b }) => a + b,
);
const deleteUser = tool(
  { name: "delete_user", description: "Delete a user", input: z.object({ id: z.string() }) },
  ({ id }) => {
    deleted.push(id);
    return { deleted: id };
  },
);

/** The seed's "Dynamic Tool Registration": base tools, plus admin tools for an admin. */
function assistantFor(user: { role: "admin" | "member" }, model: ScriptedModel) {
  const baseTools = [search, calculate];
  const allTools = user.role === "admin" ? [...baseTools, deleteUser] : baseTools;
  return new Agent({ name: "assistant", model, tools: allTools, instructions: `You are assisting a ${user.role}.` });
}

const offered = (model: ScriptedModel, call = 0) =>
  model.calls[call]?.request.tools?.map((definition) => definition.name);

describe("dynamic tools", () => {
  it("tools chosen by the user's role: only an admin's agent can delete users", async () => {
    const script = () =>
      new ScriptedModel([{ toolCalls: [{ toolName: "delete_user", input: { id: "u1" } }] }, { text: "Done." }]);
    const adminModel = script();
    const admin = await assistantFor({ role: "admin" }, adminModel).run("Delete u1");
    expect(offered(adminModel)).toEqual(["search", "calculate", "delete_user"]);
    expect(admin.toolCalls[0]?.result).toEqual({ deleted: "u1" });

    const memberModel = script();
    const member = await assistantFor({ role: "member" }, memberModel).run("Delete u1");
    expect(offered(memberModel)).toEqual(["search", "calculate"]);
    expect(member.toolCalls[0]?.error).toBe('Unknown tool "delete_user". Available tools: search, calculate.');
    expect(deleted).toEqual(["u1"]);
  });

  it("tools added to one run only (agent.run(input, { tools })), journaled like the agent's own", async () => {
    const agent = (model: ScriptedModel) => new Agent({ name: "assistant", model, tools: [search] });
    const model = new ScriptedModel([
      { toolCalls: [{ toolCallId: "d1", toolName: "delete_user", input: { id: "u2" } }] },
      { text: "Deleted." },
    ]);
    const handler = (m: ScriptedModel) => async (ctx: DurableContext) =>
      (await agent(m).run("Delete u2", { ctx, tools: [deleteUser] })).toolCalls;
    const run = runDurable([], handler(model));
    await expect(run.outcome).resolves.toMatchObject({ type: "completed", value: [{ result: { deleted: "u2" } }] });
    expect(offered(model)).toEqual(["search", "delete_user"]);
    expect(run.journal().map((entry) => entry.name)).toContain("agent:assistant:tool:delete_user:0");

    // The next run without them is offered the agent's tools only.
    const plain = new ScriptedModel([{ text: "Hi." }]);
    await agent(plain).run("Hello");
    expect(offered(plain)).toEqual(["search"]);
  });

  it("a run's tool named like one of the agent's is refused, naming it", async () => {
    const shadow = tool({ name: "search", description: "Other search", input: z.object({}) }, () => "x");
    const agent = new Agent({ name: "assistant", model: new ScriptedModel([]), tools: [search] });
    await expect(agent.run("Hi", { tools: [shadow] })).rejects.toThrow(
      /Agent "assistant" is offered two tools named "search"/,
    );
    await expect(agent.run("Hi", { tools: ["search" as never] })).rejects.toThrow(
      /Agent "assistant": tools must be Tool objects/,
    );
  });
});
