import type { ModelCall, RunDetail, ToolCall } from "@agnt5/admin-client";
import { JsonView } from "../components/json-view.js";
import { formatCount, formatDuration } from "../format.js";

/** Each model call: which model, tokens and latency, and (folded) the prompt and the answer. */
export function ModelCalls({ calls }: { calls: RunDetail["modelCalls"] }) {
  if (calls.length === 0) return null;
  return (
    <section class="card" aria-label="Model calls">
      <h2>Model calls</h2>
      {calls.map((call) => (
        <ModelCallRow key={call.index} call={call} />
      ))}
    </section>
  );
}

function ModelCallRow({ call }: { call: ModelCall }) {
  return (
    <details class="call" data-model-call={call.index}>
      <summary>
        <span class="muted num">#{call.index}</span>
        <span class="mono">{call.name}</span>
        {call.model && <span class="chip">{call.model}</span>}
        <span class="muted">
          {formatCount(call.inputTokens)} in · {formatCount(call.outputTokens)} out · {formatDuration(call.latencyMs)}
        </span>
      </summary>
      <div class="two-col">
        <div>
          <h4>Prompt</h4>
          {call.prompt === null ? (
            <span class="json-empty">not recorded for this call</span>
          ) : isMessages(call.prompt) ? (
            <Messages messages={call.prompt} />
          ) : (
            <JsonView value={call.prompt} openDepth={3} />
          )}
        </div>
        <div>
          <h4>Answer</h4>
          <JsonView value={call.answer} openDepth={3} />
        </div>
      </div>
    </details>
  );
}

type Message = { role: string; content: unknown };

function isMessages(value: unknown): value is Message[] {
  return (
    Array.isArray(value) &&
    value.every((m) => typeof m === "object" && m !== null && typeof (m as Message).role === "string")
  );
}

/** A prompt as the conversation it is: one block per message, its role beside it. */
function Messages({ messages }: { messages: Message[] }) {
  return (
    <div class="messages">
      {messages.map((message, i) => (
        <div class="message" key={i}>
          <span class={`role role-${message.role}`}>{message.role}</span>
          {typeof message.content === "string" ? (
            <div class="message-text">{message.content}</div>
          ) : (
            <JsonView value={message.content} openDepth={1} />
          )}
        </div>
      ))}
    </div>
  );
}

/** Each tool call with its arguments and its result or error. */
export function ToolCalls({ calls }: { calls: RunDetail["toolCalls"] }) {
  if (calls.length === 0) return null;
  return (
    <section class="card" aria-label="Tool calls">
      <h2>Tool calls</h2>
      {calls.map((call) => (
        <ToolCallRow key={call.index} call={call} />
      ))}
    </section>
  );
}

function ToolCallRow({ call }: { call: ToolCall }) {
  return (
    <details class="call" data-tool-call={call.index} open>
      <summary>
        <span class="muted num">#{call.index}</span>
        <span class="mono">{call.tool}</span>
        {call.error ? <span class="error-text">{call.error.code}</span> : <span class="muted">ok</span>}
      </summary>
      <div class="two-col">
        <div>
          <h4>Arguments</h4>
          <JsonView value={call.arguments} />
        </div>
        <div>
          <h4>{call.error ? "Error" : "Result"}</h4>
          {call.error ? (
            <div class="notice notice-error">
              <strong>{call.error.code}</strong> {call.error.message}
            </div>
          ) : (
            <JsonView value={call.result} />
          )}
        </div>
      </div>
    </details>
  );
}
