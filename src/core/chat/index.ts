// Chat composition on the engine: a thread of messages, one prediction per answer.
export { PredictionChat } from './prediction-chat'
export { localStorageChatStorage } from './local-storage'
export type { LocalStorageChatStorageOptions } from './local-storage'
export { indexedDbChatStorage } from './indexed-db'
export type { IndexedDbChatStorageOptions } from './indexed-db'
export {
  llama2Chat,
  llama3Instruct,
  plainPrompt,
  PROMPT_TEMPLATES,
  resolveTemplate,
  templateForModel,
} from './templates'
export type { ChatTurn, PromptTemplate, PromptTemplateName } from './templates'
export type {
  ChatMessage,
  ChatStorage,
  StoredError,
  StoredMessage,
  StoredThread,
  ChatMessageInit,
  ChatMessageStatus,
  ChatRole,
  ChatStatus,
  PredictionChatCallbacks,
  PredictionChatOptions,
  PredictionChatSnapshot,
} from './types'
