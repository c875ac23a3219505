/**
 * Contract messages → Converse `system` + `messages`.
 *
 * - System messages (wherever they are) become `system: [{ text }]`, in order.
 * - User text becomes `text` blocks; assistant text and tool calls become `text` / `toolUse` blocks.
 * - Tool results become `toolResult` blocks in a *user* message (Converse has no tool role): a plain
 *   object output goes as `{ json }`, a string as `{ text }`, anything else (arrays, numbers, null)
 *   as JSON text, since Bedrock accepts only objects in `json`; `isError` sets `status: "error"`.
 * - Converse wants user and assistant turns to alternate, so adjacent messages that map to the same
 *   role are merged into one: consecutive tool results (and a user message right after them) end up
 *   in a single user message, in order.
 * - Empty text is dropped (Bedrock rejects blank text blocks).
 */
import type { Message } from "@agnt5/llm";
import type {
  ContentBlock,
  Message as ConverseMessage,
  SystemContentBlock,
  ToolResultContentBlock,
  ToolUseBlock,
} from "@aws-sdk/client-bedrock-runtime";

export interface ConverseMessages {
  system: SystemContentBlock[];
  messages: ConverseMessage[];
}

export function toConverseMessages(messages: readonly Message[]): ConverseMessages {
  const system: SystemContentBlock[] = [];
  const converse: Array<{ role: "user" | "assistant"; content: ContentBlock[] }> = [];

  const append = (role: "user" | "assistant", content: ContentBlock[]) => {
    if (content.length === 0) return;
    const last = converse.at(-1);
    if (last !== undefined && last.role === role) last.content.push(...content);
    else converse.push({ role, content: [...content] });
  };

  for (const message of messages) {
    switch (message.role) {
      case "system":
        if (message.content !== "") system.push({ text: message.content });
        break;
      case "user": {
        const parts =
          typeof message.content === "string" ? [{ type: "text" as const, text: message.content }] : message.content;
        append(
          "user",
          parts.filter((part) => part.text !== "").map((part): ContentBlock => ({ text: part.text })),
        );
        break;
      }
      case "assistant": {
        const parts =
          typeof message.content === "string" ? [{ type: "text" as const, text: message.content }] : message.content;
        const content: ContentBlock[] = [];
        for (const part of parts) {
          if (part.type === "text") {
            if (part.text !== "") content.push({ text: part.text });
          } else {
            content.push({
              toolUse: {
                toolUseId: part.toolCallId,
                name: part.toolName,
                input: (part.input ?? {}) as ToolUseBlock["input"],
              },
            });
          }
        }
        append("assistant", content);
        break;
      }
      case "tool":
        append(
          "user",
          message.content.map(
            (part): ContentBlock => ({
              toolResult: {
                toolUseId: part.toolCallId,
                content: [toToolResultContent(part.output)],
                ...(part.isError ? { status: "error" as const } : {}),
              },
            }),
          ),
        );
        break;
    }
  }
  return { system, messages: converse };
}

function toToolResultContent(output: unknown): ToolResultContentBlock {
  if (typeof output === "string") return { text: output };
  if (typeof output === "object" && output !== null && !Array.isArray(output)) {
    return { json: output as ToolResultContentBlock.JsonMember["json"] };
  }
  return { text: JSON.stringify(output) ?? "null" };
}
