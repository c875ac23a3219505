import type { Message } from "@agnt5/llm";

/** Where a state value lives: this conversation, every session of the user, every session of the app, or this invocation only. */
export type SessionScope = "session" | "user" | "app" | "temp";

/** A tool call an assistant message made (as the model sent it). */
export interface SessionToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** One message of a session's history. */
export interface SessionMessage {
  /** Position in the session, increasing by one per appended message (never reused after a prune). */
  seq: number;
  /** ISO 8601 time the session entity stored it. */
  timestamp: string;
  role: Message["role"];
  /** The message's text (text parts joined; tool results as JSON). */
  content: string;
  /** The agent that wrote it (undefined for messages appended by hand without one). */
  agent?: string;
  /** The tool calls of an assistant message. */
  toolCalls?: SessionToolCall[];
  metadata?: Record<string, unknown>;
  /** The message as the model saw it (tool-call and tool-result parts included): what agents read back. */
  message: Message;
  /** true for the summary a prune wrote in place of older messages. */
  summary?: boolean;
}

/** A message to append: an @agnt5/llm Message, or a role and text. */
export type SessionMessageInput =
  | Message
  | { role: Message["role"]; content: string; agent?: string; metadata?: Record<string, unknown> };

export interface SessionRetention {
  /** Days after the last write after which the coordinator's sweeper deletes the session. */
  ttlDays?: number;
  /** Refuse prune and delete (SESSION_IMMUTABLE). */
  immutable?: boolean;
  /** Prune as messages accumulate: `true` keeps the last 100 messages, a number keeps that many. */
  autoPrune?: boolean | number;
}

/** What a session records about itself (GET /v1/entities/agnt5.session/:id shows it as state `info`). */
export interface SessionInfo {
  id: string;
  appName?: string;
  userId?: string;
  metadata: Record<string, unknown>;
  retention: SessionRetention;
  createdAt: string;
  updatedAt: string;
  /** Messages currently held. */
  messageCount: number;
  /** The seq the next message gets. */
  nextSeq: number;
}

/** One audit event: a message, a state write or a prune. */
export type SessionEvent =
  | { type: "message"; timestamp: string; seq: number; message: SessionMessage }
  | { type: "state"; timestamp: string; key: string; scope: "session" }
  | { type: "prune"; timestamp: string; strategy: string; removed: number; summary: boolean };

export type PruneStrategyName = "keep_last" | "sliding_window" | "summarize_old" | "keep_important" | "keep_summary";

export interface PruneOptions {
  /** `keep_last_<N>` (e.g. "keep_last_50"), "sliding_window", "summarize_old", "keep_important" or "keep_summary". */
  strategy: string;
  /** sliding_window: messages to keep (default 100). */
  windowSize?: number;
  /** summarize_old: messages to keep verbatim; older ones become one summary (default 50). keep_summary: the same. */
  threshold?: number;
  /**
   * The model that writes the summary (summarize_old, keep_summary) or picks the messages to keep
   * (keep_important): a "provider/model" string or a LanguageModelV1.
   */
  model?: import("@agnt5/llm").LanguageModel;
}

export interface PruneResult {
  strategy: string;
  removed: number;
  kept: number;
  summarized: boolean;
}
