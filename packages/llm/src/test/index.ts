/**
 * @agnt5/llm/test: doubles for testing code that calls models, usable with any test framework.
 */
export { MockEmbeddingModel, type MockEmbeddingModelOptions } from "./mock-embedding-model.js";
export {
  type RecordedCall,
  type ScriptedCall,
  type ScriptedMethod,
  ScriptedModel,
  type ScriptedModelOptions,
} from "./scripted-model.js";
export { ScriptedModelError } from "./scripted-model-error.js";
export type { ScriptedResponse, ScriptedToolCall } from "./scripted-response.js";
