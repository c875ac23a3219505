import { createHash } from "node:crypto";
import { type DurableContext, TerminalError } from "@agnt5/core";
import { generateObject, generateText, type LanguageModel, type Message, type ProviderRegistry } from "@agnt5/llm";
import { z } from "zod";
import type { MemoryWrite } from "./memory-types.js";

/**
 * What ingestFromSession reads: a Session (its `history()`), an AgentSession (its `messages()`), or
 * anything with either; `id` and `userId` (or `user_id`) go into each memory's metadata and key.
 */
export interface IngestibleSession {
  readonly id?: string;
  readonly userId?: string;
  history?(): unknown[] | Promise<unknown[]>;
  messages?(): Message[] | Promise<Message[]>;
}

export type IngestStrategy = "smart" | "all" | "summary";

export interface IngestOptions {
  /**
   * - `smart` (default): a model extracts the important facts; each becomes a memory keyed by the
   *   session and the fact's text, so the same fact is stored once however often the session is ingested;
   * - `all`: every user and assistant message with text becomes a memory (`<session>:msg:<n>`);
   * - `summary`: a model summarizes the conversation into one memory (`<session>:summary`).
   */
  strategy?: IngestStrategy;
  /** The model for smart and summary (default: the Memory's model). */
  model?: LanguageModel;
  /** Fields added to every memory's metadata. */
  metadata?: Record<string, unknown>;
}

interface Turn {
  role: string;
  text: string;
  /** The message's position in the session (its seq when the session numbers its messages). */
  position: number;
}

const FACTS = z.object({
  facts: z
    .array(
      z.object({
        content: z.string().min(1).describe("One self-contained fact, phrased in the third person"),
        type: z.string().optional().describe("e.g. preference, expertise, project_info, requirement, decision"),
        confidence: z.number().min(0).max(1).optional(),
      }),
    )
    .describe("The facts worth remembering in later conversations; empty if none"),
});

export type ExtractedFact = z.output<typeof FACTS>["facts"][number];

const SMART_SYSTEM = `You extract long-term memories from a conversation between a user and an assistant.
Keep only facts worth knowing in later conversations: who the user is, their preferences, expertise,
goals, constraints, decisions and outcomes. Each fact stands alone (no "he said"), one fact per item.
Leave out small talk and anything only relevant to this moment.`;

const SUMMARY_SYSTEM = `Summarize this conversation in 2-3 short paragraphs. Focus on key decisions,
important facts and outcomes; it will be stored as a long-term memory.`;

/** The session's turns with text, from history() (Session) or messages() (AgentSession). */
export async function readTurns(session: IngestibleSession): Promise<Turn[]> {
  let raw: unknown[];
  if (typeof session?.history === "function") raw = await session.history();
  else if (typeof session?.messages === "function") raw = await session.messages();
  else {
    throw new TerminalError("ingestFromSession needs a session with history() or messages()", {
      code: "INVALID_ARGUMENT",
    });
  }
  return raw.flatMap((entry, index) => {
    const message = entry as { role?: unknown; content?: unknown; seq?: unknown };
    if (message.role !== "user" && message.role !== "assistant") return [];
    const text = messageText(message.content).trim();
    if (text === "") return [];
    return [{ role: message.role, text, position: typeof message.seq === "number" ? message.seq : index }];
  });
}

function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .flatMap((part) => (part?.type === "text" && typeof part.text === "string" ? [part.text] : []))
    .join("");
}

export function sessionIdentity(session: IngestibleSession): {
  sessionId: string | undefined;
  userId: string | undefined;
} {
  const loose = session as { user_id?: unknown; info?: { userId?: unknown } };
  const userId = session.userId ?? loose.user_id ?? loose.info?.userId;
  return {
    sessionId: typeof session.id === "string" && session.id !== "" ? session.id : undefined,
    userId: typeof userId === "string" ? userId : undefined,
  };
}

/** `session:<id>` (or `session:<hash of the turns>` for a session without an id), the prefix of its memories' keys. */
export function sessionKeyPrefix(sessionId: string | undefined, turns: readonly Turn[]): string {
  return `session:${sessionId ?? hash(turns.map((turn) => `${turn.role}:${turn.text}`).join("\n"))}`;
}

export function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function transcript(turns: readonly Turn[]): string {
  return turns.map((turn) => `${turn.role}: ${turn.text}`).join("\n");
}

/**
 * Runs `fn` as the journal entry `name` inside a durable context (a replay returns its recorded
 * result: a model is not asked again, so the same facts come back), directly outside one.
 */
export function journaled<T>(ctx: DurableContext | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  if (ctx !== undefined && ctx.stepId === undefined) return ctx.step(name, fn);
  return fn();
}

/** The memories an ingestion writes; the model calls journaled as `memory:ingest:<strategy>:<session>`. */
export async function planIngestion(
  turns: readonly Turn[],
  identity: { sessionId: string | undefined; userId: string | undefined },
  options: {
    strategy: IngestStrategy;
    model: LanguageModel | undefined;
    registry?: ProviderRegistry;
    metadata?: Record<string, unknown>;
  },
  ctx: DurableContext | undefined,
): Promise<MemoryWrite[]> {
  const prefix = sessionKeyPrefix(identity.sessionId, turns);
  const base = {
    ...(identity.sessionId === undefined ? {} : { sessionId: identity.sessionId }),
    ...(identity.userId === undefined ? {} : { userId: identity.userId }),
    ...options.metadata,
  };
  if (turns.length === 0) return [];
  const entry = `memory:ingest:${options.strategy}:${prefix}`;
  const registry = options.registry === undefined ? {} : { registry: options.registry };
  switch (options.strategy) {
    case "all":
      return turns.map((turn) => ({
        key: `${prefix}:msg:${turn.position}`,
        content: turn.text,
        metadata: { type: "message", role: turn.role, source: "session", ...base },
      }));
    case "summary": {
      const model = requireModel(options.model, "summary");
      const summary = await journaled(ctx, entry, async () => {
        const { text } = await generateText({ model, system: SUMMARY_SYSTEM, prompt: transcript(turns), ...registry });
        return text.trim();
      });
      return [
        {
          key: `${prefix}:summary`,
          content: summary,
          metadata: { type: "session_summary", messageCount: turns.length, source: "session", ...base },
        },
      ];
    }
    case "smart": {
      const model = requireModel(options.model, "smart");
      const facts = await journaled(ctx, entry, async () => {
        const { object } = await generateObject({
          model,
          schema: FACTS,
          schemaName: "memories",
          system: SMART_SYSTEM,
          prompt: transcript(turns),
          ...registry,
        });
        return object.facts;
      });
      // Keyed by the fact's text: the same fact extracted twice is one memory.
      const unique = new Map<string, ExtractedFact>();
      for (const fact of facts) if (!unique.has(normalize(fact.content))) unique.set(normalize(fact.content), fact);
      return [...unique].map(([normalized, fact]) => ({
        key: `${prefix}:fact:${hash(normalized)}`,
        content: fact.content.trim(),
        metadata: {
          type: fact.type ?? "fact",
          ...(fact.confidence === undefined ? {} : { confidence: fact.confidence }),
          source: "smart_ingestion",
          ...base,
        },
      }));
    }
    default:
      throw new TerminalError(
        `Unknown ingestion strategy ${JSON.stringify(options.strategy)}: use "smart", "all" or "summary"`,
        { code: "INVALID_ARGUMENT" },
      );
  }
}

function normalize(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}

function requireModel(model: LanguageModel | undefined, strategy: string): LanguageModel {
  if (model === undefined || model === "") {
    throw new TerminalError(
      `ingestFromSession with strategy "${strategy}" needs a model: new Memory({ service, model }) or ingestFromSession(session, { model })`,
      { code: "INVALID_ARGUMENT" },
    );
  }
  return model;
}
