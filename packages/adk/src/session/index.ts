/** Sessions: conversation state with scopes, history, export, events, pruning and retention. */
export { Session, type SessionOptions, type StateOptions } from "./session.js";
export {
  AUTO_PRUNE_DEFAULT,
  registerSessionEntities,
  SESSION_APP_ENTITY,
  SESSION_ENTITY,
  SESSION_USER_ENTITY,
  SessionAppEntity,
  SessionEntity,
  SessionUserEntity,
} from "./session-entities.js";
export { ContextSessionStore, HttpSessionStore, InMemorySessionStore, type SessionStore } from "./session-store.js";
export type {
  PruneOptions,
  PruneResult,
  SessionEvent,
  SessionInfo,
  SessionMessage,
  SessionMessageInput,
  SessionRetention,
  SessionScope,
  SessionToolCall,
} from "./session-types.js";
