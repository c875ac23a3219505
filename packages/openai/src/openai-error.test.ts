import { LlmApiError, LlmResponseError } from "@agnt5/llm";
import { APIConnectionError, APIError, APIUserAbortError, RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { toLlmError } from "./openai-error.js";

describe("toLlmError", () => {
  const context = { provider: "groq", url: "https://api.groq.com/openai/v1/chat/completions" };

  it("should carry status, provider, url, retry-after and body for HTTP errors", () => {
    const sdkError = new RateLimitError(
      429,
      { message: "slow down", type: "requests" },
      undefined,
      new Headers({ "retry-after": "4" }),
    );
    const error = toLlmError(sdkError, context);
    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({
      provider: "groq",
      url: context.url,
      statusCode: 429,
      isRetryable: true,
      retryAfterMs: 4000,
      code: "LLM_RATE_LIMITED",
      cause: sdkError,
    });
    expect(JSON.parse((error as LlmApiError).responseBody ?? "")).toEqual({
      error: { message: "slow down", type: "requests" },
    });
  });

  it.each([
    [400, false, "LLM_INVALID_REQUEST"],
    [403, false, "LLM_AUTHENTICATION_ERROR"],
    [404, false, "LLM_INVALID_REQUEST"],
    [408, true, "LLM_API_ERROR"],
    [409, true, "LLM_API_ERROR"],
    [503, true, "LLM_SERVER_ERROR"],
  ])("should map status %i to isRetryable %s (%s)", (status, retryable, code) => {
    const error = toLlmError(APIError.generate(status, { error: { message: "x" } }, undefined, new Headers()), context);
    expect(error).toMatchObject({ statusCode: status, isRetryable: retryable, code });
  });

  it("should map a user abort to a non-retryable LLM_ABORTED", () => {
    expect(toLlmError(new APIUserAbortError(), context)).toMatchObject({ code: "LLM_ABORTED", isRetryable: false });
  });

  it("should map connection errors to retryable errors without a status", () => {
    const error = toLlmError(new APIConnectionError({ cause: new Error("ECONNREFUSED") }), context);
    expect(error).toMatchObject({ code: "LLM_CONNECTION_ERROR", isRetryable: true, statusCode: undefined });
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("should map an in-stream invalid_request_error as not retryable", () => {
    const error = toLlmError(
      new APIError(undefined, { message: "bad", type: "invalid_request_error" }, undefined, undefined),
      context,
    );
    expect(error).toMatchObject({ isRetryable: false, statusCode: undefined });
  });

  it("should map unparseable data to LlmResponseError and pass AGNT5 errors through", () => {
    expect(toLlmError(new SyntaxError("Unexpected end of JSON input"), context)).toBeInstanceOf(LlmResponseError);
    const original = new LlmResponseError("kept");
    expect(toLlmError(original, context)).toBe(original);
  });
});
