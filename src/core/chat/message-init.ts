import { InvalidOptionsError } from '../errors'
import { randomId } from './ids'
import type { ChatMessage, ChatMessageInit } from './types'

/**
 * Complete messages from what `setMessages` was given: ids generated where missing, `status`
 * `sent` for user messages and `succeeded` for answers by default, no error, prediction id or
 * metrics unless given.
 *
 * @throws {@link InvalidOptionsError} for a message without a `user`/`assistant` role or string
 * content, or a duplicate id.
 */
export function normalizeMessages(messages: readonly ChatMessageInit[]): ChatMessage[] {
  if (!Array.isArray(messages)) throw new InvalidOptionsError('setMessages() needs an array')
  const seen = new Set<string>()
  return messages.map((init, index) => {
    if (
      typeof init !== 'object' ||
      init === null ||
      (init.role !== 'user' && init.role !== 'assistant') ||
      typeof init.content !== 'string'
    ) {
      throw new InvalidOptionsError(
        `messages[${index}] needs role "user" or "assistant" and a string content`,
      )
    }
    const id = init.id ?? randomId()
    if (seen.has(id)) throw new InvalidOptionsError(`messages[${index}] repeats the id "${id}"`)
    seen.add(id)
    return {
      id,
      role: init.role,
      content: init.content,
      status: init.status ?? (init.role === 'user' ? 'sent' : 'succeeded'),
      error: init.error ?? null,
      predictionId: init.predictionId ?? null,
      metrics: init.metrics ?? null,
    }
  })
}

/** A new message with a fresh id. */
export function newMessage(
  role: ChatMessage['role'],
  content: string,
  status: ChatMessage['status'],
): ChatMessage {
  return normalizeMessages([{ role, content, status }])[0] as ChatMessage
}
