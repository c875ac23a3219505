import type { Message } from "@agnt5/llm";
import type { AppendedMessage } from "./session-entities.js";
import type { SessionMessage, SessionMessageInput, SessionToolCall } from "./session-types.js";

/** A message as the session stores it: its text, its tool calls and the original Message. */
export function toAppended(
  input: SessionMessageInput,
  defaults: { agent?: string; metadata?: Record<string, unknown> } = {},
): AppendedMessage {
  const extra = input as { agent?: unknown; metadata?: unknown };
  const agent = typeof extra.agent === "string" ? extra.agent : defaults.agent;
  const metadata = isRecord(extra.metadata) ? { ...defaults.metadata, ...extra.metadata } : defaults.metadata;
  const message = { role: input.role, content: input.content } as Message;
  const toolCalls = toolCallsOf(message);
  return {
    role: message.role,
    content: textOf(message),
    ...(agent === undefined ? {} : { agent }),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(metadata === undefined ? {} : { metadata }),
    message,
  };
}

/** The text of a message: its string, its text parts joined, or its tool results as JSON. */
export function textOf(message: Message): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .map((part) => {
      if (part.type === "text") return part.text;
      if (part.type === "tool-result")
        return typeof part.output === "string" ? part.output : JSON.stringify(part.output);
      return "";
    })
    .filter((text) => text !== "")
    .join("\n");
}

function toolCallsOf(message: Message): SessionToolCall[] {
  if (message.role !== "assistant" || typeof message.content === "string") return [];
  return message.content
    .filter((part) => part.type === "tool-call")
    .map((part) => ({ id: part.toolCallId, name: part.toolName, arguments: part.input }));
}

/** One JSONL line of export(): timestamp, role, message, metadata, tool_calls (the seed's fields), plus seq and agent. */
export function exportLine(message: SessionMessage): string {
  return JSON.stringify({
    seq: message.seq,
    timestamp: message.timestamp,
    role: message.role,
    agent: message.agent ?? null,
    message: message.content,
    metadata: message.metadata ?? {},
    tool_calls: message.toolCalls ?? [],
    ...(message.summary ? { summary: true } : {}),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
