// A tutoring assistant with a session and a long-term memory that remembers a student across two
// sessions (the seed's "Agent with Session and Memory" and "Smart Ingestion"). A plain script: the
// session and the memory live in this process (InMemorySessionStore, InMemoryMemoryService); no
// coordinator and no API key needed (the offline model answers from the conversation).
// Run: node examples/agents/dist/tutor.js (after npm run build)

import type { Message } from "@agnt5/llm";
import { Agent, InMemoryMemoryService, InMemorySessionStore, Memory, Session } from "@agnt5/sdk";
import { exampleModel } from "./model.js";

const text = (message: Message | undefined) =>
  typeof message?.content === "string"
    ? message.content
    : (message?.content ?? []).map((part) => ("text" in part ? part.text : "")).join("");

/** The offline tutor: adapts its answer to what the recalled memories (a system message) say about the student. */
const tutorModel = await exampleModel("tutor", (messages) => {
  const memories = messages
    .filter((m) => m.role === "system")
    .map(text)
    .join("\n");
  const question = text([...messages].reverse().find((m) => m.role === "user"));
  if (/visual/i.test(memories)) {
    return {
      text: `Picture it as a graph, since you like visual explanations: ${question.replace(/\?$/, "")} is the slope you would see.`,
    };
  }
  return { text: `Let's start from the definition. ${question}` };
});

/** The offline fact extractor for smart ingestion: each thing the student said about themselves. */
const extractorModel = await exampleModel("extractor", (messages) => {
  const conversation = text(messages.at(-1));
  const facts = conversation
    .split("\n")
    .filter((line) => line.startsWith("user: ") && /\b(I'm|I am|I prefer|I like)\b/.test(line))
    .map((line) => ({ content: `The student said: ${line.slice("user: ".length)}`, type: "profile" }));
  return { object: { facts } };
});

const store = new InMemorySessionStore();
const memory = new Memory({ service: new InMemoryMemoryService(), model: extractorModel });
const tutor = (session: Session) =>
  new Agent({
    name: "math_tutor",
    model: tutorModel,
    instructions: "You are a patient math tutor. Adapt to the student's level and preferences.",
    session,
    memory,
  });

// First session: the student introduces themselves.
const first = new Session({ id: "tutoring-1", userId: "student-123", metadata: { subject: "mathematics" }, store });
const intro = await tutor(first).run("I'm studying calculus and I prefer visual explanations. What is a limit?");
console.log(`session 1: ${intro.text}`);
const keys = await memory.ingestFromSession(first, { strategy: "smart" });
console.log(`remembered: ${(await memory.recall(keys)).map((m) => m.content).join(" | ")}`);

// Second session, days later: a new conversation, the same student; the tutor recalls the preference.
const second = new Session({ id: "tutoring-2", userId: "student-123", store });
const answer = await tutor(second).run("Can you explain derivatives to a calculus student?");
console.log(`session 2: ${answer.text}`);
console.log(`session 2 history: ${(await second.history()).length} messages`);
