import { LlmApiError, LlmResponseError } from "@agnt5/llm";
import { AccessDeniedException, ThrottlingException } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { toLlmError } from "./bedrock-error.js";

const context = { provider: "bedrock", url: "/model/m/converse" };

describe("toLlmError", () => {
  it("should use the exception's documented status when it came inside a stream", () => {
    const exception = new ThrottlingException({ message: "slow down", $metadata: { httpStatusCode: 200 } });
    expect(toLlmError(exception, { ...context, inStream: true })).toMatchObject({ statusCode: 429, isRetryable: true });
  });

  it("should map an event-stream error the SDK could not model by its name", () => {
    const unmodeled = Object.assign(new Error('{"message":"Bedrock is unable to process your request."}'), {
      name: "serviceUnavailableException",
    });
    expect(toLlmError(unmodeled, { ...context, inStream: true })).toMatchObject({
      name: "LlmApiError",
      statusCode: 503,
      isRetryable: true,
    });
  });

  it("should keep the HTTP status of an exception answered as an HTTP error", () => {
    const exception = new AccessDeniedException({ message: "no", $metadata: { httpStatusCode: 403 } });
    const error = toLlmError(exception, context);
    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({
      statusCode: 403,
      isRetryable: false,
      code: "LLM_AUTHENTICATION_ERROR",
      cause: exception,
    });
  });

  it("should make missing credentials a non-retryable authentication error", () => {
    const error = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(toLlmError(error, context)).toMatchObject({ isRetryable: false, code: "LLM_AUTHENTICATION_ERROR" });
  });

  it("should make network failures retryable and configuration errors not", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(toLlmError(reset, context)).toMatchObject({ statusCode: undefined, isRetryable: true });
    expect(toLlmError(new Error("Region is missing"), context)).toMatchObject({ isRetryable: false });
  });

  it("should map unparseable bodies to LlmResponseError and pass aborts and own errors through", () => {
    expect(toLlmError(new SyntaxError("Unexpected token <"), context)).toBeInstanceOf(LlmResponseError);
    const abort = Object.assign(new Error("Request aborted"), { name: "AbortError" });
    expect(toLlmError(abort, context)).toBe(abort);
    const own = new LlmApiError({ message: "x", provider: "bedrock", statusCode: 500 });
    expect(toLlmError(own, context)).toBe(own);
  });
});
