import { PredictionStreamError } from '../errors'
import type { ChatMessage, StoredMessage, StoredThread } from './types'

/** The thread as the chat holds it: the messages, and which tab each one belongs to. */
export interface Thread {
  readonly messages: readonly ChatMessage[]
  readonly tabs: ReadonlyMap<string, string>
}

/** The thread in its stored form. */
export function toStored(thread: Thread): StoredThread {
  return {
    version: 1,
    messages: thread.messages.map((message) => ({
      ...message,
      error: message.error && {
        code: message.error.code,
        message: message.error.message,
        developerMessage: message.error.developerMessage,
      },
      tab: thread.tabs.get(message.id) ?? '',
    })),
  }
}

/**
 * The thread of a stored record, or `undefined` for anything that is not one. Messages whose
 * fields are equal to one of `previous` keep that object, so a thread read back after another
 * tab's save only changes the messages that did change.
 */
export function fromStored(value: unknown, previous: readonly ChatMessage[]): Thread | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { version, messages } = value as Partial<StoredThread>
  if (version !== 1 || !Array.isArray(messages)) return undefined
  const known = new Map(previous.map((message) => [message.id, message]))
  const tabs = new Map<string, string>()
  const result: ChatMessage[] = []
  for (const stored of messages) {
    if (!isStoredMessage(stored)) return undefined
    const { tab, error, ...fields } = stored
    tabs.set(stored.id, tab)
    const message: ChatMessage = {
      ...fields,
      error:
        error &&
        new PredictionStreamError(error.code, error.message, {
          developerMessage: error.developerMessage,
        }),
    }
    const before = known.get(stored.id)
    result.push(before && sameMessage(before, message) ? before : message)
  }
  return { messages: result, tabs }
}

function isStoredMessage(value: unknown): value is StoredMessage {
  const message = value as StoredMessage
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof message.id === 'string' &&
    (message.role === 'user' || message.role === 'assistant') &&
    typeof message.content === 'string' &&
    typeof message.status === 'string' &&
    typeof message.tab === 'string'
  )
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return (
    a.role === b.role &&
    a.content === b.content &&
    a.status === b.status &&
    a.predictionId === b.predictionId &&
    a.error?.code === b.error?.code &&
    a.error?.message === b.error?.message &&
    a.error?.developerMessage === b.error?.developerMessage &&
    JSON.stringify(a.metrics) === JSON.stringify(b.metrics)
  )
}
