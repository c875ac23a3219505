/** Test-only: a provider wired to a BedrockTestServer with static credentials, and stream helpers. */
import type { StreamPart } from "@agnt5/llm";
import { type BedrockProvider, type BedrockProviderSettings, createBedrock } from "../bedrock-provider.js";
import type { BedrockTestServer } from "./bedrock-test-server.js";

export const TEST_CREDENTIALS = { accessKeyId: "AKIDEXAMPLETEST00001", secretAccessKey: "test-secret-access-key" };

export function createTestBedrock(server: BedrockTestServer, settings: BedrockProviderSettings = {}): BedrockProvider {
  return createBedrock({ region: "us-east-1", credentials: TEST_CREDENTIALS, endpoint: server.url, ...settings });
}

export async function collectParts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}
